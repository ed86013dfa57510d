#include "ledger/testing/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace ledger::internal {

struct CrashPlan {
  std::string name;
  uint64_t nth = 1;
  mutable std::atomic<uint64_t> hits{0};
};

const CrashPlan* LoadCrashPlan() {
  const char* env = std::getenv("LEDGER_CRASH_AT");
  if (env == nullptr || *env == '\0') return nullptr;
  // Leaked on purpose: it must outlive every thread that can hit a point.
  auto* plan = new CrashPlan();
  std::string_view spec(env);
  size_t colon = spec.rfind(':');
  plan->name = std::string(spec.substr(0, colon));
  if (colon != std::string_view::npos) {
    std::string_view n = spec.substr(colon + 1);
    uint64_t nth = 0;
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), nth);
    // A malformed count is a test bug: fail loudly rather than never crash.
    if (ec != std::errc() || p != n.data() + n.size() || nth == 0) std::abort();
    plan->nth = nth;
  }
  return plan;
}

void HitCrashPoint(const CrashPlan& plan, std::string_view name) {
  if (name != plan.name) return;
  if (plan.hits.fetch_add(1, std::memory_order_relaxed) + 1 != plan.nth) return;
  ::kill(::getpid(), SIGKILL);
  // SIGKILL cannot be caught; should it somehow return, never go on.
  ::_exit(137);
}

}  // namespace ledger::internal
