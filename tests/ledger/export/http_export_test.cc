// The /v1/export handler: a tar that verifies, and stable errors.
#include "ledger/export/http_export.h"

#include "export_fixture.h"
#include "ledger/bundle/archive.h"

namespace ledger::testing {
namespace {

TEST_F(ExportTest, HttpHandlerReturnsAVerifyingTar) {
  Fill(24);
  std::multimap<std::string, std::string> q = {{"from", std::to_string(RecordedAt(8))},
                                               {"subject", "key/k-1"},
                                               {"subject", "key/k-2"}};
  auto resp = exporter::HandleExport(*store_, q, Request(), Appender(seq_, *store_));
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.content_type, "application/x-tar");
  auto files = bundle::ReadTar(resp.body);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_TRUE(Verify(*files).ok()) << Failed(Verify(*files));
  auto m = nlohmann::json::parse((*files)[bundle::kExportManifest]);
  EXPECT_EQ(m["scope"]["filter"]["subjects"].size(), 2u);
}

TEST_F(ExportTest, HttpHandlerErrorsAreStable) {
  Fill(4);
  auto call = [&](std::multimap<std::string, std::string> q) {
    return exporter::HandleExport(*store_, q, Request(), Appender(seq_, *store_));
  };
  auto bad_time = call({{"from", "yesterday"}});
  EXPECT_EQ(bad_time.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad_time.body)["error"]["reason"], "bad_time");
  EXPECT_EQ(nlohmann::json::parse(call({{"limit", "3"}}).body)["error"]["reason"],
            "unknown_parameter");
  EXPECT_EQ(store_->size(), 4u);  // no export was recorded
  // A scope nothing matches is an answer: a bundle that proves it empty.
  auto empty = call({{"subject", "nothing/here"}});
  ASSERT_EQ(empty.status, 200) << empty.body;
  auto files = bundle::ReadTar(empty.body);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_TRUE(Verify(*files).ok()) << Failed(Verify(*files));
  EXPECT_EQ((*files)[bundle::kEntriesJsonl], "");
}

}  // namespace
}  // namespace ledger::testing
