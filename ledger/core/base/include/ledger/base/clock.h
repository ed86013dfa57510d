// The wall clock, in the units the log uses. Code that must be testable
// takes a clock as a parameter (Sequencer::Clock, CosignatureClock); these
// are the production defaults.
#pragma once

#include <chrono>
#include <cstdint>

namespace ledger {

// Microseconds since the Unix epoch (UTC).
inline uint64_t SystemClockMicros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace ledger
