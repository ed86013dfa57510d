// Fuzzes the strict decoders of what the notary stores and hashes: leaf bytes,
// the canonical event inside, and the submitter's stamp. Each decoder accepts
// only what its encoder produces, so whenever decoding succeeds re-encoding
// must give back the input byte for byte; anything else is a canonicality bug
// (two byte strings for one value means two leaf hashes for one entry).
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"

namespace {

using ledger::Bytes;
using ledger::ByteView;

bool Same(const Bytes& a, ByteView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

void CheckEvent(ByteView bytes) {
  auto event = ledger::DecodeEvent(bytes);
  if (!event.ok()) return;
  auto again = ledger::EncodeEvent(*event);
  if (!again.ok() || !Same(*again, bytes)) std::abort();
}

void CheckStamp(ByteView event, ByteView bytes) {
  auto stamp = ledger::DecodeStamp(bytes);
  if (stamp.ok()) {
    auto again = ledger::EncodeStamp(*stamp);
    if (!again.ok() || !Same(*again, bytes)) std::abort();
  }
  // With no known submitters a stamp can never verify, whatever the bytes.
  if (ledger::VerifyStamp("fuzz.example/log", event, bytes, {}).ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  auto leaf = ledger::DecodeLeaf(input);
  if (leaf.ok()) {
    auto again = ledger::EncodeLeaf(*leaf);
    if (!again.ok() || !Same(*again, input)) std::abort();
    // VerifyChainLink must accept exactly the (prev, index) the leaf carries.
    if (!ledger::VerifyChainLink(*leaf, leaf->prev_leaf_hash, leaf->index).ok()) std::abort();
    if (ledger::VerifyChainLink(*leaf, leaf->prev_leaf_hash, leaf->index + 1).ok()) std::abort();
    CheckEvent(leaf->event);
    if (!leaf->stamp.empty()) CheckStamp(leaf->event, leaf->stamp);
  }
  // The same bytes straight into the inner decoders, so the fuzzer can
  // explore them without first building a valid leaf around them.
  CheckEvent(input);
  CheckStamp(input, input);
  return 0;
}
