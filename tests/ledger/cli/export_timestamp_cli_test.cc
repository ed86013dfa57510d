// ledgerctl export --tsa / verify-bundle --tsa-ca against a real local TSA
// (`openssl ts -reply`, tests/support/local_tsa.h): the export manifest is
// time-stamped by an RFC 3161 token that verify-bundle checks offline at the
// token's genTime; a token over another manifest, another root or a dead TSA
// fail on the right check. Also the CLI's search filters.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli_fixture.h"
#include "local_tsa.h"
#include "ledger_test_paths.h"

namespace ledger::cli {
namespace {

const std::string kRfc3161 = std::string(LEDGER_TEST_VECTORS) + "/rfc3161";

class ExportTimestampCliTest : public testing::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    data_ = P("data");
    ASSERT_EQ(Ctl({"init", "--data", data_, "--origin", "ledger.test/export-tsa"}).code, kExitOk);
    std::string samples =
        testing::Slurp(std::string(LEDGER_SOURCE_DIR) + "/ops/samples/events.jsonl");
    ASSERT_EQ(Ctl({"append", "--data", data_, "--batch-size", "4"}, samples).code, kExitOk);
  }
  static std::string Check(const testing::CtlResult& v, const std::string& check) {
    const nlohmann::json report = v.Json();  // a named object: the loop reads into it
    for (const auto& c : report["checks"]) {
      if (c["name"] == check) return c["result"].get<std::string>();
    }
    return "absent";
  }
  std::string data_;
};

TEST_F(ExportTimestampCliTest, TheManifestIsTimeStampedAndVerifiedOffline) {
  ledger::testing::LocalTsa tsa(kRfc3161, P("tsa"));
  const std::string ca = kRfc3161 + "/sample/ca.crt";
  auto ex = Ctl({"export", "--data", data_, "--out", P("bundle"), "--kind", "KEY_CREATED",
                 "--tsa", tsa.url(), "--tsa-ca", ca});
  ASSERT_EQ(ex.code, kExitOk) << ex.out << ex.err;
  EXPECT_EQ(tsa.requests(), 1);
  ASSERT_TRUE(std::filesystem::exists(P("bundle/export-manifest.tsr")));

  auto v = Ctl({"verify-bundle", "--vkey", data_ + "/log.vkey", "--allow-unwitnessed", "--tsa-ca", ca, "--json",
                P("bundle")});
  EXPECT_EQ(v.code, kExitOk) << v.out << v.err;
  EXPECT_EQ(Check(v, "export.timestamp"), "PASS") << v.out;
  EXPECT_EQ(Check(v, "entries.range"), "PASS") << v.out;
  // Without a pinned TSA root the imprint is still checked, the signature
  // reported as not checked.
  auto unpinned = Ctl({"verify-bundle", "--vkey", data_ + "/log.vkey", "--allow-unwitnessed", "--json", P("bundle")});
  EXPECT_EQ(unpinned.code, kExitOk) << unpinned.out;
  EXPECT_EQ(Check(unpinned, "export.timestamp"), "SKIP");
  // Another root: the TSA certificate itself is not a trust anchor.
  auto wrong_root = Ctl({"verify-bundle", "--vkey", data_ + "/log.vkey", "--allow-unwitnessed", "--tsa-ca",
                         kRfc3161 + "/sample/tsa.crt", "--json", P("bundle")});
  EXPECT_EQ(wrong_root.code, kExitVerificationFailed);
  EXPECT_EQ(Check(wrong_root, "export.timestamp"), "FAIL");

  // A token over another manifest (a second export's), moved into this one
  // with the tag manifest recomputed: the imprint does not match.
  ASSERT_EQ(Ctl({"export", "--data", data_, "--out", P("other"), "--tsa", tsa.url(), "--tsa-ca",
                 ca})
                .code,
            kExitOk);
  std::filesystem::copy_file(P("other/export-manifest.tsr"), P("bundle/export-manifest.tsr"),
                             std::filesystem::copy_options::overwrite_existing);
  auto swapped = Ctl({"verify-bundle", "--vkey", data_ + "/log.vkey", "--allow-unwitnessed", "--tsa-ca", ca, "--json",
                      P("bundle")});
  EXPECT_EQ(swapped.code, kExitVerificationFailed);
  EXPECT_EQ(Check(swapped, "export.timestamp"), "FAIL") << swapped.out;
  EXPECT_EQ(Check(swapped, "bag.tagmanifest"), "FAIL") << swapped.out;
}

TEST_F(ExportTimestampCliTest, ADeadTsaFailsTheExportBeforeAnythingIsRecorded) {
  ledger::testing::LocalTsa tsa(kRfc3161, P("tsa"));
  tsa.fail_with_status(503);
  auto ex = Ctl({"export", "--data", data_, "--out", P("bundle"), "--tsa", tsa.url(), "--tsa-ca",
                 kRfc3161 + "/sample/ca.crt"});
  EXPECT_NE(ex.code, kExitOk);
  EXPECT_NE(ex.err.find("tsa_unavailable"), std::string::npos) << ex.err;
  // No EXPORT_CREATED for an export that was never handed out.
  auto plain = Ctl({"export", "--data", data_, "--out", P("plain"), "--json"});
  ASSERT_EQ(plain.code, kExitOk) << plain.err;
  EXPECT_EQ(plain.Json()["export_entry"], 12);
  EXPECT_EQ(Ctl({"export", "--data", data_, "--out", P("x"), "--kind", "NO_SUCH"}).code,
            kExitUsage);
}

}  // namespace
}  // namespace ledger::cli
