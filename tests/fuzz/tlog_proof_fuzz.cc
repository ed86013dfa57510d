// Fuzzes the C2SP tlog-proof receipt parser and verifier on untrusted input
// (receipts handed to auditors and services).
//
// Beyond "never crash", checks that every accepted receipt is canonical: it
// formats back to exactly the bytes parsed (schemas/formats/receipt.md).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/note/note.h"
#include "ledger/note/tlog_proof.h"

namespace {

using namespace ledger;

// The worked example's keys and leaf (tests/vectors/formats/receipt-example.json).
struct Fixture {
  std::unique_ptr<note::Verifier> log;
  std::unique_ptr<note::Verifier> witness;
  Hash leaf;
};

const Fixture& Fixed() {
  static const Fixture f = [] {
    Fixture x;
    x.log = note::ParseVerifierKey(
                "ledger.example/log+11639dd4+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4")
                .value();
    x.witness = note::ParseVerifierKey(
                    "witness.example/w1+20324abe+BCmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X")
                    .value();
    x.leaf =
        Hash::FromHex("674e0b3114808a1ea15482e0a0dd6a51d68047ede83c538ca1b4b3351828e892").value();
    return x;
  }();
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto proof = ParseTlogProof(input);
  if (!proof.ok()) return 0;
  LEDGER_CHECK(FormatTlogProof(*proof) == input);
  LEDGER_CHECK(proof->inclusion.size() <= kMaxTlogProofHashes);
  const Fixture& f = Fixed();
  const note::Verifier* witnesses[] = {f.witness.get()};
  auto verified = VerifyTlogProof(*proof, f.leaf, *f.log, witnesses, 1);
  if (verified.ok()) {
    LEDGER_CHECK(proof->index < verified->checkpoint.size);
    LEDGER_CHECK(verified->note == proof->checkpoint);
  }
  return 0;
}
