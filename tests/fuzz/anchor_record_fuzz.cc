// Fuzz target: the ANCHOR_CONFIRMED parser (anchord/anchor_record.h), which
// reads entries back from the log for `ledgerctl verify-anchor`. Input is an
// encoded event (schemas/formats/event.md); whatever ParseAnchorEvent accepts
// must rebuild to exactly the same event (one encoding per record).
#include <cstdint>
#include <algorithm>
#include <cstdlib>

#include "anchord/anchor_record.h"
#include "ledger/record/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto event = ledger::DecodeEvent(ledger::ByteView(data, size));
  if (!event.ok()) return 0;
  auto record = anchor::anchord::ParseAnchorEvent(*event);
  if (!record.ok()) return 0;
  auto again = anchor::anchord::AnchorEvent(*record);
  if (!again.ok() || !(*again == *event)) std::abort();
  auto bytes = ledger::EncodeEvent(*again);
  if (!bytes.ok() || bytes->size() != size || !std::equal(bytes->begin(), bytes->end(), data)) {
    std::abort();
  }
  return 0;
}
