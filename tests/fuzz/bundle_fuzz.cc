// Fuzzes everything verify-bundle reads from an untrusted bundle: the tar
// reader (libarchive behind ledger::bundle::ReadTar), the line parsers and
// the whole verifier. The input is a tar, or, when it is not one, a single
// line fed to the entry, proof, range and retention key parsers. Nothing may crash, and a parsed
// line must be canonical (re-rendering it gives the same bytes).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/bundle/archive.h"
#include "ledger/bundle/retention_keys.h"
#include "ledger/bundle/verify.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/note/note.h"

namespace {

// The key of the seed bundles, which ExportTest.SmallBundleVerifiesAndSeedsTheFuzzer
// and its filtered and time-range siblings (tests/ledger/export) write: the test
// log's key (seed 32 x 0x42). small-time-range.tar carries boundary leaves
// (data/proofs/boundaries.jsonl, entry lines checked by entries.boundaries).
const std::shared_ptr<const ledger::note::Verifier>& Key() {
  static const auto* key = new std::shared_ptr<const ledger::note::Verifier>(
      ledger::note::NewEd25519Verifier(
          "ledger.example/test-log",
          ledger::Ed25519PrivateKey::FromSeed(ledger::Bytes(32, 0x42)).value().public_key()));
  return *key;
}

void Lines(std::string_view line) {
  if (auto e = ledger::bundle::ParseEntryLine(line); e.ok()) {
    auto again = ledger::bundle::FormatEntryLine(e->leaf);
    if (!again.ok() || *again != line) std::abort();
  }
  if (auto p = ledger::bundle::ParseInclusionLine(line); p.ok()) {
    if (*ledger::bundle::FormatInclusionLine(*p) != line) std::abort();
  }
  if (auto p = ledger::bundle::ParseConsistencyLine(line); p.ok()) {
    if (*ledger::bundle::FormatConsistencyLine(*p) != line) std::abort();
  }
  // A retention key line (export-bundle.md §3.3): canonical, and its key
  // and description never crash.
  if (auto k = ledger::bundle::ParseRetentionKeyLine(line); k.ok()) {
    auto again = ledger::bundle::FormatRetentionKeyLine(*k);
    if (!again.ok() || *again != line) std::abort();
    (void)k->Key();
    (void)k->Describe();
  }
  // A filtered export's range file (export-bundle.md §3.1): canonical, and
  // folding it never crashes whatever the proofs claim.
  if (auto r = ledger::bundle::ParseRange(line); r.ok()) {
    auto again = ledger::bundle::FormatRange(*r);
    if (!again.ok() || *again != line) std::abort();
    (void)ledger::bundle::VerifyRange(*r, ledger::Hash());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto files = ledger::bundle::ReadTar(input);
  if (!files.ok()) {
    Lines(input);
    return 0;
  }
  ledger::bundle::VerifyOptions options;
  options.log_key = Key();
  if (!options.log_key) std::abort();
  auto report = ledger::bundle::VerifyBundle(*files, options);
  if (report.checks.empty()) std::abort();
  return 0;
}
