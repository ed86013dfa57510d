// RFC 3339 §5.6 date-time, restricted to UTC ("Z") and microseconds.
#include "ledger/codec/rfc3339.h"

#include <chrono>
#include <cstdio>

#include "ledger/record/event.h"

namespace ledger::codec {
namespace {

constexpr uint64_t kMicrosPerSecond = 1000000;
constexpr uint64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

Status Bad(std::string_view text, const char* why) {
  return Status::InvalidArgument("bad_timestamp", "\"" + std::string(text.substr(0, 40)) +
                                                      "\" is not an RFC 3339 UTC time: " + why);
}

// Reads exactly `n` ASCII digits at `pos`.
bool Digits(std::string_view s, size_t pos, size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

}  // namespace

Result<uint64_t> ParseRfc3339Micros(std::string_view s) {
  unsigned year, month, day, hour, minute, second;
  // Fixed positions: YYYY-MM-DDTHH:MM:SS
  if (s.size() < 20 || !Digits(s, 0, 4, year) || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day) || s[10] != 'T' || !Digits(s, 11, 2, hour) ||
      s[13] != ':' || !Digits(s, 14, 2, minute) || s[16] != ':' || !Digits(s, 17, 2, second)) {
    return Bad(s, "expected YYYY-MM-DDTHH:MM:SS");
  }
  size_t pos = 19;
  uint64_t micros = 0;
  if (s[pos] == '.') {
    size_t digits = 0;
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (++digits > 6) return Bad(s, "more than 6 fraction digits");
      micros = micros * 10 + static_cast<uint64_t>(s[pos] - '0');
      ++pos;
    }
    if (digits == 0) return Bad(s, "empty fraction");
    for (size_t i = digits; i < 6; ++i) micros *= 10;
  }
  if (pos + 1 != s.size() || s[pos] != 'Z') return Bad(s, "must end in Z (UTC)");
  if (year < 1970) return Bad(s, "before 1970");
  if (hour > 23 || minute > 59 || second > 59) return Bad(s, "time of day out of range");
  std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(year)),
                                  std::chrono::month(month), std::chrono::day(day)};
  if (!ymd.ok()) return Bad(s, "no such date");
  auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  uint64_t seconds = static_cast<uint64_t>(days) * 86400 + hour * 3600u + minute * 60u + second;
  return seconds * kMicrosPerSecond + micros;
}

std::string FormatRfc3339Micros(uint64_t us) {
  LEDGER_CHECK(us <= kMaxOccurredAtUs);
  std::chrono::sys_days date{std::chrono::days(static_cast<int>(us / kMicrosPerDay))};
  std::chrono::year_month_day ymd(date);
  uint64_t in_day = us % kMicrosPerDay;
  auto secs = static_cast<unsigned>(in_day / kMicrosPerSecond);
  auto frac = static_cast<unsigned>(in_day % kMicrosPerSecond);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), secs / 3600, secs / 60 % 60, secs % 60);
  std::string out(buf, static_cast<size_t>(n));
  if (frac != 0) {
    n = std::snprintf(buf, sizeof buf, ".%06u", frac);
    out.append(buf, static_cast<size_t>(n));
  }
  out += 'Z';
  return out;
}

}  // namespace ledger::codec
