// Fuzzes the signed-note and checkpoint parsers and verifiers on untrusted
// input (notes from logs and witnesses, vkeys from configuration).
//
// Beyond "never crash", checks that every accepted input is canonical: it
// formats back to exactly the bytes parsed, so that one value has one
// encoding (schemas/formats/checkpoint.md).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/note.h"

namespace {

using namespace ledger;

// The keys of the worked example (tests/vectors/formats/checkpoint-example.json),
// so that seeds built from it reach the signature checks.
struct Keys {
  std::unique_ptr<note::Verifier> log;
  std::unique_ptr<note::Verifier> witness;
};

const Keys& FixedKeys() {
  static const Keys keys = [] {
    Keys k;
    k.log = note::ParseVerifierKey(
                "ledger.example/log+11639dd4+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4")
                .value();
    k.witness = note::ParseVerifierKey(
                    "witness.example/w1+20324abe+BCmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X")
                    .value();
    return k;
  }();
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const Keys& keys = FixedKeys();

  auto parsed = note::Parse(input);
  if (parsed.ok()) {
    LEDGER_CHECK(note::Format(*parsed) == input);
    const note::Verifier* known[] = {keys.log.get(), keys.witness.get()};
    auto opened = note::Open(*parsed, known);
    LEDGER_CHECK(!opened.ok() || !opened->empty());
  }

  auto checkpoint = Checkpoint::FromText(input);
  if (checkpoint.ok()) LEDGER_CHECK(checkpoint->ToText() == input);

  const note::Verifier* witnesses[] = {keys.witness.get()};
  auto verified = VerifyCheckpoint(input, *keys.log, witnesses, 1);
  if (verified.ok()) {
    LEDGER_CHECK(parsed.ok() && verified->note == input);
    LEDGER_CHECK(verified->checkpoint.origin == keys.log->name());
    LEDGER_CHECK(!verified->cosignatures.empty());
  }

  auto vkey = note::ParseVerifierKey(input);
  if (vkey.ok()) LEDGER_CHECK((*vkey)->VerifierKey() == input);

  if (size >= note::kCosignatureV1PayloadSize) {
    auto ts = note::CosignatureV1Timestamp(ByteView(data, note::kCosignatureV1PayloadSize));
    LEDGER_CHECK(!ts.ok() || *ts <= note::kMaxCosignatureTimestamp);
  }
  return 0;
}
