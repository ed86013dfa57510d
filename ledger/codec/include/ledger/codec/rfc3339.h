// RFC 3339 timestamps in UTC with up to microsecond precision, the only
// textual time form the ledger reads or writes.
//
// Accepted: "YYYY-MM-DDTHH:MM:SS[.f]Z" with 1 to 6 fraction digits, years
// 1970..9999, a real calendar date (leap years per the Gregorian rules), no
// leap second (UTC offsets and lowercase 't'/'z' are refused: one spelling per
// instant keeps logs greppable). Written: the same form with no fraction when
// the time is a whole second and exactly 6 fraction digits otherwise, so that
// Format(Parse(s)) == s for every s this module writes.
//
// Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace ledger::codec {

// Microseconds since the Unix epoch. InvalidArgument("bad_timestamp").
Result<uint64_t> ParseRfc3339Micros(std::string_view text);

// REQUIRES: us <= ledger::kMaxOccurredAtUs (year 9999); larger values abort.
std::string FormatRfc3339Micros(uint64_t us);

}  // namespace ledger::codec
