// The anchord binary killed (SIGKILL, LEDGER_CRASH_AT) at each of its crash
// points, then run again: the anchor ends up on chain once and in the log
// exactly once, never recorded before it is on chain.
#include "anchord_fixture.h"

namespace anchor::anchord::testing {
namespace {

class AnchordCrashTest : public AnchordTest,
                         public ::testing::WithParamInterface<const char*> {
 protected:
  // `anchord --once`; returns its exit status (-1 when killed).
  int RunOnce(std::vector<std::string> env, std::string* out = nullptr) {
    std::vector<std::string> argv = AnchordFlags();
    argv.insert(argv.end(), {"--every", "0", "--once"});
    Process p(argv, deployment_.P("anchord.log"), std::move(env));
    std::string line = p.ReadLine();
    if (out) *out = line;
    return p.Wait();
  }
};

TEST_P(AnchordCrashTest, KilledAtACrashPointThenRestarted) {
  Append(3, "c-");
  const std::string point = GetParam();
  EXPECT_EQ(RunOnce({"LEDGER_CRASH_AT=" + point}), -1) << Slurp(deployment_.P("anchord.log"));
  const uint64_t on_chain = Latest().tree_size;
  const auto recorded = Recorded();
  if (point == "anchord.before_submit") {
    EXPECT_EQ(on_chain, 0u);
  } else {
    EXPECT_EQ(on_chain, 4u);
  }
  // Recorded only once it is on chain, and only after the record point.
  EXPECT_EQ(recorded.size(), point == "anchord.after_record" ? 1u : 0u);

  std::string out;
  ASSERT_EQ(RunOnce({}, &out), 0) << Slurp(deployment_.P("anchord.log"));
  // Before submitting nothing was sent: it anchors now. Later points left
  // an anchor on chain: it is confirmed and recorded (again, a duplicate).
  EXPECT_EQ(out, point == "anchord.before_submit" ? "anchored" : "recovered");
  EXPECT_EQ(Latest().tree_size, 4u);
  auto after = Recorded();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].statement.tree_size, 4u);
  // A third run only re-appends the same record, answered as a duplicate.
  ASSERT_EQ(RunOnce({}, &out), 0);
  EXPECT_EQ(out, "recovered");
  EXPECT_EQ(Recorded().size(), 1u);
  EXPECT_EQ(Latest().tree_size, 4u);
}

INSTANTIATE_TEST_SUITE_P(Points, AnchordCrashTest,
                         ::testing::Values("anchord.before_submit", "anchord.after_submit",
                                           "anchord.after_confirm", "anchord.after_record"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           return n.substr(n.find('.') + 1);
                         });

}  // namespace
}  // namespace anchor::anchord::testing
