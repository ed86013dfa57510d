#include "ledger/json_log/json_log.h"

#include <iostream>
#include <mutex>

#include "ledger/base/clock.h"

namespace ledger::json_log {

std::string FormatLine(std::string_view level, std::string_view msg, nlohmann::json fields,
                       uint64_t ts_us) {
  if (!fields.is_object()) fields = nlohmann::json::object();
  fields["ts_us"] = ts_us;
  fields["level"] = level;
  fields["msg"] = msg;
  return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void LogEvent(std::string_view level, std::string_view msg, nlohmann::json fields) {
  const std::string line = FormatLine(level, msg, std::move(fields), SystemClockMicros());
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::cerr << line << std::flush;
}

nlohmann::json StatusFields(const Status& s) {
  return {
      {"code", std::string(CodeName(s.code()))}, {"reason", s.reason()}, {"message", s.message()}};
}

}  // namespace ledger::json_log
