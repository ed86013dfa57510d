// ledgerctl timestamp / verify-timestamp against a real local TSA
// (`openssl ts -reply`) and the sample token of tests/vectors/rfc3161.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"
#include "ledger/cli/ledgerctl.h"
#include "local_tsa.h"
#include "ledger_test_paths.h"

namespace ledger::cli {
namespace {

const std::string kRfc3161 = std::string(LEDGER_TEST_VECTORS) + "/rfc3161";

class TimestampCliTest : public testing::CliTest {};

TEST_F(TimestampCliTest, TheSampleTokenAndResponseVerifyAgainstTheRootOnly) {
  const std::string ca = kRfc3161 + "/sample/ca.crt";
  const std::string data = kRfc3161 + "/sample/checkpoint-body.txt";
  for (const char* f : {"token.der", "resp.tsr"}) {
    auto r = Ctl({"verify-timestamp", "--token", kRfc3161 + "/sample/" + f, "--ca", ca, data});
    EXPECT_EQ(r.code, kExitOk) << f << r.out << r.err;
    EXPECT_NE(r.out.find("2026-11-21T21:10:23Z"), std::string::npos) << r.out;
  }
  auto json = Ctl({"verify-timestamp", "--json", "--token", kRfc3161 + "/sample/token.der", "--ca",
                   ca, "--digest",
                   "952851b012adfa24ac140a5d5d10b56df97e640b8d3c08fc422572857f3e1f29"});
  ASSERT_EQ(json.code, kExitOk) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out)["serial"], "02");
  auto other = Ctl({"verify-timestamp", "--token", kRfc3161 + "/sample/token.der", "--ca", ca,
                    Write("other.txt", "another checkpoint\n")});
  EXPECT_EQ(other.code, kExitVerificationFailed);
  EXPECT_NE(other.err.find("timestamp_imprint_mismatch"), std::string::npos) << other.err;
  auto wrong_root = Ctl({"verify-timestamp", "--token", kRfc3161 + "/sample/token.der", "--ca",
                         kRfc3161 + "/sample/tsa.crt", data});
  EXPECT_EQ(wrong_root.code, kExitVerificationFailed) << wrong_root.err;
  auto garbage = Ctl({"verify-timestamp", "--token", data, "--ca", ca, data});
  EXPECT_EQ(garbage.code, kExitUsage) << garbage.err;
}

TEST_F(TimestampCliTest, ATokenFromALiveTsaVerifiesOffline) {
  ledger::testing::LocalTsa tsa(kRfc3161, P("tsa"));
  const std::string data = Write("checkpoint.txt", "ledger.test/log\n7\nroot\n");
  const std::string ca = kRfc3161 + "/sample/ca.crt";
  auto r = Ctl({"timestamp", "--tsa", tsa.url(), "--ca", ca, "--out", P("token.der"), data});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(tsa.requests(), 1);
  auto v = Ctl({"verify-timestamp", "--token", P("token.der"), "--ca", ca, data});
  EXPECT_EQ(v.code, kExitOk) << v.err;
  tsa.fail_with_status(503);
  auto down = Ctl({"timestamp", "--tsa", tsa.url(), "--ca", ca, "--out", P("t2.der"), data});
  EXPECT_NE(down.code, kExitOk);
  EXPECT_NE(down.err.find("tsa_unavailable"), std::string::npos) << down.err;
}

}  // namespace
}  // namespace ledger::cli
