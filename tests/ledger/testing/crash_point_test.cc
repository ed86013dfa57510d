// CrashPoint: SIGKILL on the named point's nth hit, nothing otherwise. Each
// case runs in a forked child (the plan is read from its environment).
#include "ledger/testing/crash_point.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

namespace ledger {
namespace {

// Runs `body` in a child with LEDGER_CRASH_AT=spec (unset if null); returns
// the signal that ended it, or 0 when it exited normally.
int SignalOfChild(const char* spec, const std::function<void()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (spec != nullptr) {
      ::setenv("LEDGER_CRASH_AT", spec, 1);
    } else {
      ::unsetenv("LEDGER_CRASH_AT");
    }
    body();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

void HitPlanned(const char* name, int times) {
  const internal::CrashPlan* plan = internal::LoadCrashPlan();
  if (plan == nullptr) return;
  for (int i = 0; i < times; ++i) internal::HitCrashPoint(*plan, name);
}

TEST(CrashPointTest, KillsOnTheNamedPointsFirstHit) {
  EXPECT_EQ(SignalOfChild("store.after_write", [] { HitPlanned("store.after_write", 1); }),
            SIGKILL);
}

TEST(CrashPointTest, KillsOnTheNthHitOnly) {
  EXPECT_EQ(SignalOfChild("p:3", [] { HitPlanned("p", 2); }), 0);
  EXPECT_EQ(SignalOfChild("p:3", [] { HitPlanned("p", 3); }), SIGKILL);
}

TEST(CrashPointTest, OtherPointsAndAnEmptyPlanDoNothing) {
  EXPECT_EQ(SignalOfChild("p", [] { HitPlanned("q", 5); }), 0);
  // A name that merely starts like the planned one is another point.
  EXPECT_EQ(SignalOfChild("p.x", [] { HitPlanned("p", 5); }), 0);
  EXPECT_EQ(SignalOfChild("", [] { HitPlanned("p", 5); }), 0);
  EXPECT_EQ(SignalOfChild(nullptr, [] { CrashPoint("p"); }), 0);
}

TEST(CrashPointTest, TheInlinePointReadsTheEnvironment) {
  EXPECT_EQ(SignalOfChild("inline.point", [] {
              CrashPoint("other");
              CrashPoint("inline.point");
            }),
            SIGKILL);
}

TEST(CrashPointTest, AMalformedCountFailsLoudly) {
  EXPECT_EQ(SignalOfChild("p:zero", [] { HitPlanned("p", 1); }), SIGABRT);
  EXPECT_EQ(SignalOfChild("p:0", [] { HitPlanned("p", 1); }), SIGABRT);
}

}  // namespace
}  // namespace ledger
