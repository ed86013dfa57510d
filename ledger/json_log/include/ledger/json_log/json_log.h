// The daemons' log (ledgerd, anchord): one JSON object per line on stderr,
// {"level", "msg", "ts_us", ...fields}, so that operators parse every
// daemon's output the same way. Callers pass their fields as JSON values;
// nothing is serialised twice.
//
// Thread-safety: LogEvent may be called from any thread; each line is
// written whole, never interleaved with another.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace ledger::json_log {

// One log line: `fields` (an object; anything else is dropped) with "ts_us"
// (the wall clock, microseconds since the epoch), "level" and "msg" set,
// replacing fields of those names. Invalid UTF-8 is replaced, never thrown.
std::string FormatLine(std::string_view level, std::string_view msg, nlohmann::json fields,
                       uint64_t ts_us);

// FormatLine with the wall clock's time, written to stderr.
void LogEvent(std::string_view level, std::string_view msg,
              nlohmann::json fields = nlohmann::json::object());

// {"code", "reason", "message"} of a Status, the fields an error line carries.
nlohmann::json StatusFields(const Status& s);

}  // namespace ledger::json_log
