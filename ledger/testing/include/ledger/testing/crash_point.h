// Fault injection for crash-safety tests: CrashPoint("name") kills the
// process with SIGKILL when the environment variable
//
//   LEDGER_CRASH_AT=<name>[:<nth hit>]      (nth defaults to 1)
//
// names it, on its nth hit. Nothing else happens: no flush, no destructor,
// no atexit handler, exactly like a power cut or an OOM kill as far as the
// process is concerned (the kernel still holds whatever was written, so
// durability against power loss is RocksDB's fsync, not this).
//
// Compiled in only with the build option LEDGER_TEST_HOOKS (ops/test turns it
// on, release builds leave it off), like RocksDB's kill points
// (TEST_KILL_RANDOM), which its release builds compile out: without the
// option CrashPoint() is empty and no binary reads LEDGER_CRASH_AT. With it,
// an unset variable costs one load of a function-local static and a
// predictable branch; the environment is read once, on the first hit.
//
// The points of the append path are listed in docs/crash-safety.md.
//
// Thread-safety: any thread may hit a point; hits are counted atomically.
#pragma once

#include <string_view>

namespace ledger {
namespace internal {

struct CrashPlan;
// The parsed LEDGER_CRASH_AT, or nullptr when unset or empty.
const CrashPlan* LoadCrashPlan();
// Counts a hit of `name` and kills the process on the planned one.
void HitCrashPoint(const CrashPlan& plan, std::string_view name);

}  // namespace internal

#ifdef LEDGER_TEST_HOOKS
inline void CrashPoint(std::string_view name) {
  static const internal::CrashPlan* const plan = internal::LoadCrashPlan();
  if (plan == nullptr) [[likely]] return;
  internal::HitCrashPoint(*plan, name);
}
#else
inline void CrashPoint(std::string_view) {}
#endif

}  // namespace ledger
