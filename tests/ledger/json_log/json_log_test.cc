#include "ledger/json_log/json_log.h"

#include <gtest/gtest.h>

namespace ledger::json_log {
namespace {

TEST(JsonLogTest, OneObjectPerLineWithTheFieldsKept) {
  const std::string line =
      FormatLine("info", "store audited", {{"size", 12}, {"ms", 3}}, 1700000000123456);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(line,
            "{\"level\":\"info\",\"ms\":3,\"msg\":\"store audited\",\"size\":12,"
            "\"ts_us\":1700000000123456}\n");
}

TEST(JsonLogTest, TheStandardFieldsWinAndNonObjectsAreDropped) {
  const auto j = nlohmann::json::parse(
      FormatLine("warn", "m", {{"level", "x"}, {"msg", "y"}, {"ts_us", 1}}, 7));
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["msg"], "m");
  EXPECT_EQ(j["ts_us"], 7);
  EXPECT_EQ(FormatLine("info", "m", nlohmann::json::array({1, 2}), 1),
            "{\"level\":\"info\",\"msg\":\"m\",\"ts_us\":1}\n");
}

TEST(JsonLogTest, InvalidUtf8IsReplacedNotThrown) {
  const std::string bad = "caf\xc3";
  std::string line;
  EXPECT_NO_THROW(line = FormatLine("error", bad, {{"witness", bad}}, 1));
  EXPECT_TRUE(nlohmann::json::accept(line));
}

TEST(JsonLogTest, StatusFieldsCarryCodeReasonAndMessage) {
  const nlohmann::json f = StatusFields(Status::Unavailable("notary_down", "no answer"));
  const nlohmann::json want = {
      {"code", "unavailable"}, {"reason", "notary_down"}, {"message", "no answer"}};
  EXPECT_EQ(f, want);
}

TEST(JsonLogTest, LogEventWritesOneLineToStderr) {
  testing::internal::CaptureStderr();
  LogEvent("info", "hello", {{"n", 1}});
  const std::string out = testing::internal::GetCapturedStderr();
  ASSERT_EQ(out.find('\n'), out.size() - 1) << out;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["msg"], "hello");
  EXPECT_EQ(j["n"], 1);
  EXPECT_GT(j["ts_us"].get<uint64_t>(), 1'600'000'000'000'000u);
}

}  // namespace
}  // namespace ledger::json_log
