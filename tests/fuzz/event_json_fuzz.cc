// Fuzzes the JSON event reader, the widest door into the ledger. It must never
// throw or crash, and whatever it accepts must be a valid event whose canonical
// encoding decodes back to it and whose JSON form reads back to it.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/codec/event_json.h"
#include "ledger/record/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto event = ledger::codec::EventFromJson(text);
  if (!event.ok()) return 0;
  auto bytes = ledger::EncodeEvent(*event);
  if (!bytes.ok()) std::abort();  // EventFromJson returns only valid events
  auto decoded = ledger::DecodeEvent(*bytes);
  if (!decoded.ok() || !(*decoded == *event)) std::abort();
  auto again = ledger::codec::EventFromJson(ledger::codec::EventToJson(*event).dump());
  if (!again.ok() || !(*again == *event)) std::abort();
  return 0;
}
