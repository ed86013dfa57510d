// ledgerctl export / verify-bundle end to end on a development log: a
// directory and a tar bundle verify with the pinned key, and fail (exit 1,
// the failing check named) when tampered with or checked with another key.
#include <filesystem>

#include "cli_fixture.h"
#include "ledger_test_paths.h"

namespace ledger::cli {
namespace {

class ExportCliTest : public testing::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    data_ = P("data");
    ASSERT_EQ(Ctl({"init", "--data", data_, "--origin", "ledger.test/export"}).code, kExitOk);
    std::string samples = testing::Slurp(std::string(LEDGER_SOURCE_DIR) + "/ops/samples/events.jsonl");
    auto r = Ctl({"append", "--data", data_, "--batch-size", "4"}, samples);
    ASSERT_EQ(r.code, kExitOk) << r.err;
  }
  std::string data_;
};

TEST_F(ExportCliTest, DirectoryAndTarBundlesVerify) {
  auto ex = Ctl({"export", "--data", data_, "--out", P("bundle"), "--requester", "alice", "--json"});
  ASSERT_EQ(ex.code, kExitOk) << ex.out << ex.err;
  EXPECT_EQ(ex.Json()["entries"], 12);
  EXPECT_EQ(ex.Json()["export_entry"], 12);
  auto v = Ctl({"verify-bundle", "--vkey", data_ + "/log.vkey", "--allow-unwitnessed", P("bundle")});
  EXPECT_EQ(v.code, kExitOk) << v.out << v.err;
  EXPECT_NE(v.out.find("PASS  entries.inclusion"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("bundle verified"), std::string::npos);

  // A second export (as tar, by subject) includes the first EXPORT_CREATED
  // entry's successor position and verifies too.
  auto tar = Ctl({"export", "--data", data_, "--out", P("b.tar"), "--subject",
                  "key/k-payments-signing-01", "--from", "2000-01-01T00:00:00Z"});
  ASSERT_EQ(tar.code, kExitOk) << tar.err;
  auto vj = Ctl({"verify-bundle", "--vkey", data_ + "/log.vkey", "--allow-unwitnessed", P("b.tar"), "--json"});
  ASSERT_EQ(vj.code, kExitOk) << vj.out;
  EXPECT_TRUE(vj.Json()["ok"].get<bool>());
  EXPECT_EQ(vj.Json()["failed"], 0);
}

TEST_F(ExportCliTest, TamperedBundleOrWrongKeyFails) {
  ASSERT_EQ(Ctl({"export", "--data", data_, "--out", P("bundle")}).code, kExitOk);
  {
    std::ofstream csv(P("bundle/data/entries.csv"), std::ios::app);
    csv << "99,forged row\r\n";
  }
  auto v = Ctl({"verify-bundle", "--vkey", data_ + "/log.vkey", "--allow-unwitnessed", P("bundle"), "--json"});
  EXPECT_EQ(v.code, kExitVerificationFailed);
  bool named = false;
  const nlohmann::json report = v.Json();
  for (const auto& c : report["checks"]) {
    if (c["name"] == "bag.manifest" && c["result"] == "FAIL") named = true;
    if (c["name"] == "report.csv") {
      EXPECT_EQ(c["result"], "FAIL");
    }
  }
  EXPECT_TRUE(named) << v.out;

  std::filesystem::create_directories(P("other"));
  ASSERT_EQ(Ctl({"init", "--data", P("other/log"), "--origin", "ledger.test/export"}).code, kExitOk);
  ASSERT_EQ(Ctl({"export", "--data", data_, "--out", P("clean")}).code, kExitOk);
  auto wrong = Ctl({"verify-bundle", "--vkey", P("other/log/log.vkey"), "--allow-unwitnessed", P("clean")});
  EXPECT_EQ(wrong.code, kExitVerificationFailed);
  EXPECT_NE(wrong.out.find("FAIL  checkpoints.signatures"), std::string::npos) << wrong.out;
}

TEST_F(ExportCliTest, BadArguments) {
  EXPECT_EQ(Ctl({"export", "--data", data_}).code, kExitUsage);
  EXPECT_EQ(Ctl({"export", "--data", data_, "--out", P("x"), "--from", "yesterday"}).code,
            kExitUsage);
  EXPECT_EQ(Ctl({"verify-bundle", "--vkey", data_ + "/log.vkey", "--allow-unwitnessed", P("missing")}).code,
            kExitNotFound);
}

// A scope nothing matches is exported as a bundle that proves it empty
// (export-bundle.md §3.2), not refused.
TEST_F(ExportCliTest, EmptyScopeIsAProvenAnswer) {
  auto ex = Ctl({"export", "--data", data_, "--out", P("none"), "--subject", "nothing/here"});
  ASSERT_EQ(ex.code, kExitOk) << ex.err;
  EXPECT_NE(ex.out.find("exported 0 entries (none in the scope)"), std::string::npos) << ex.out;
  auto v = Ctl({"verify-bundle", "--vkey", data_ + "/log.vkey", "--allow-unwitnessed", P("none")});
  EXPECT_EQ(v.code, kExitOk) << v.out;
  EXPECT_NE(v.out.find("PASS  entries.boundaries"), std::string::npos) << v.out;
}

}  // namespace
}  // namespace ledger::cli
