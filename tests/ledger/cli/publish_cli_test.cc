// ledgerctl publish-tiles in-process: the files, the JSON report, an
// idempotent re-run and its usage errors. The binary against Go's tlog
// client: tests/ledger/publish/tlog_client_test.sh.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_fixture.h"

namespace ledger::cli::testing {
namespace {

class PublishCliTest : public CliTest {
 protected:
  std::string Events(int first, int count) {
    std::string lines;
    for (int i = first; i < first + count; ++i) {
      lines += R"({"kind":"SIGNATURE_PRODUCED","event_id":"e-)" + std::to_string(i) +
               R"(","request_id":"r-)" + std::to_string(i) +
               R"(","occurred_at":"2026-01-01T00:00:00Z","actor":{"type":"service","id":"s"},)"
               R"("subject":"key/k-1","outcome":"SUCCESS"})" "\n";
    }
    return lines;
  }
};

TEST_F(PublishCliTest, PublishesThenIsUpToDate) {
  const std::string data = P("log"), pub = P("pub");
  ASSERT_EQ(Ctl({"init", "--data", data, "--origin", "ledger.test/publish"}).code, kExitOk);
  ASSERT_EQ(Ctl({"append", "--data", data, "--batch-size", "100"}, Events(0, 300)).code, kExitOk);
  auto r = Ctl({"publish-tiles", "--data", data, "--out", pub, "--json"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.Json()["size"], 300);
  EXPECT_EQ(r.Json()["files_written"], 5);
  EXPECT_TRUE(r.Json()["checkpoint_written"]);
  EXPECT_EQ(std::filesystem::file_size(pub + "/tile/0/000"), 8192u);
  EXPECT_TRUE(std::filesystem::exists(pub + "/tile/1/000.p/1"));
  EXPECT_EQ(Slurp(pub + "/checkpoint"), Ctl({"checkpoint", "--data", data}).out);
  auto again = Ctl({"publish-tiles", "--data", data, "--out", pub});
  ASSERT_EQ(again.code, kExitOk) << again.err;
  EXPECT_EQ(again.out, "up to date at checkpoint 300\n");
}

TEST_F(PublishCliTest, UsageErrors) {
  ASSERT_EQ(Ctl({"init", "--data", P("log"), "--origin", "ledger.test/publish"}).code, kExitOk);
  EXPECT_EQ(Ctl({"publish-tiles", "--data", P("log")}).code, kExitUsage);
  EXPECT_EQ(Ctl({"publish-tiles", "--data", P("log"), "--out", P("pub"), "--follow", "0"}).code,
            kExitUsage);
  EXPECT_EQ(Ctl({"publish-tiles", "--data", P("log"), "--out", P("pub"), "--bogus", "1"}).code,
            kExitUsage);
}

}  // namespace
}  // namespace ledger::cli::testing
