// Filtered exports (export-bundle.md §3.1, §5.1): the explorer's search
// filters in the export scope, recorded in the signed manifest and checked by
// the verifier, and the range file that still proves which leaves the range
// holds although only the matches are exported.
#include <nlohmann/json.hpp>

#include "export_fixture.h"
#include <cstdlib>
#include <fstream>
#include <functional>

#include "ledger/bundle/archive.h"
#include "ledger/bundle/bundle.h"
#include "ledger/bundle/jcs.h"
#include "ledger/export/http_export.h"
#include "ledger/merkle/merkle.h"

namespace ledger::testing {
namespace {

std::vector<bundle::EntryLine> Entries(bundle::Files& f) {
  std::vector<bundle::EntryLine> out;
  auto lines = bundle::SplitLines(f[bundle::kEntriesJsonl]);
  if (!lines.ok()) return out;
  for (auto line : *lines) {
    out.push_back(bundle::ParseEntryLine(line).value());
  }
  return out;
}

TEST_F(ExportTest, EachSearchFilterExportsTheMatchesAndVerifies) {
  Fill(60);
  struct Case {
    const char* name;
    std::function<void(exporter::ExportRequest&)> set;
    std::function<bool(const Event&)> match;
  };
  const std::vector<Case> cases = {
      {"actor", [](auto& r) { r.actor = "policy-svc"; },
       [](const Event& e) { return e.actor.id == "policy-svc"; }},
      {"kind", [](auto& r) { r.kind = EventKind::kSignatureProduced; },
       [](const Event& e) { return e.kind == EventKind::kSignatureProduced; }},
      {"outcome", [](auto& r) { r.outcome = Outcome::kSuccess; },
       [](const Event& e) { return e.outcome == Outcome::kSuccess; }},
      {"request_id", [](auto& r) { r.request_id = "req-17"; },
       [](const Event& e) { return e.request_id == "req-17"; }},
      {"subjects", [](auto& r) { r.subjects = {"key/k-3", "key/k-5"}; },
       [](const Event& e) { return e.subject == "key/k-3" || e.subject == "key/k-5"; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    exporter::ExportRequest r = Request();
    r.from_us = RecordedAt(10);
    r.to_us = RecordedAt(50);
    c.set(r);
    const uint64_t size_before = store_->size();
    bundle::Files f = Export(r);
    ASSERT_FALSE(f.empty());
    auto entries = Entries(f);
    ASSERT_FALSE(entries.empty());
    // Exactly the matches of the time range, none missing.
    size_t expected = 0;
    for (uint64_t i = 0; i < size_before; ++i) {
      auto leaf = DecodeLeaf(store_->GetLeaf(i).value().leaf).value();
      Event ev = DecodeEvent(leaf.event).value();
      if (leaf.recorded_at_us >= *r.from_us && leaf.recorded_at_us < *r.to_us && c.match(ev)) {
        ++expected;
      }
    }
    EXPECT_EQ(entries.size(), expected);
    for (const auto& e : entries) EXPECT_TRUE(c.match(e.event)) << e.index;
    auto m = nlohmann::json::parse(f[bundle::kExportManifest]);
    EXPECT_FALSE(m["scope"]["gapless"].get<bool>());
    EXPECT_TRUE(m["scope"]["filter"].contains(c.name)) << m["scope"].dump();
    ASSERT_TRUE(f.contains(bundle::kRangeJsonl));
    auto range = bundle::ParseRange(f[bundle::kRangeJsonl]).value();
    EXPECT_EQ(m["scope"]["range"]["first"], range.first);
    EXPECT_EQ(m["scope"]["range"]["end"], range.end);
    EXPECT_LE(range.first, entries.front().index);
    EXPECT_GT(range.end, entries.back().index);
    auto report = Verify(f);
    EXPECT_TRUE(report.ok()) << Failed(report);
    const auto* checked = report.Find("entries.range");
    ASSERT_NE(checked, nullptr);
    EXPECT_TRUE(checked->ok && !checked->skipped) << checked->detail;
  }
}

TEST_F(ExportTest, UnfilteredExportHasNoRangeFileAndSkipsTheRangeCheck) {
  Fill(20);
  bundle::Files f = Export(Request());
  EXPECT_FALSE(f.contains(bundle::kRangeJsonl));
  auto report = Verify(f);
  ASSERT_TRUE(report.ok()) << Failed(report);
  EXPECT_TRUE(report.Find("entries.range")->skipped);
  EXPECT_TRUE(report.Find("entries.scope")->ok);
}

TEST_F(ExportTest, HttpHandlerTakesTheSearchFilters) {
  Fill(30);
  std::multimap<std::string, std::string> q = {
      {"actor", "signer-svc"}, {"kind", "KEY_CREATED"}, {"outcome", "SUCCESS"}};
  auto res = exporter::HandleExport(*store_, q, Request(), Appender(seq_, *store_));
  ASSERT_EQ(res.status, 200) << res.body;
  auto files = bundle::ReadTar(res.body);
  ASSERT_TRUE(files.ok()) << files.status();
  auto report = Verify(*files);
  EXPECT_TRUE(report.ok()) << Failed(report);
  for (const auto& e : Entries(*files)) {
    EXPECT_EQ(e.event.actor.id, "signer-svc");
    EXPECT_EQ(e.event.kind, EventKind::kKeyCreated);
  }
  auto call = [&](std::multimap<std::string, std::string> bad) {
    auto r = exporter::HandleExport(*store_, bad, Request(), Appender(seq_, *store_));
    EXPECT_EQ(r.status, 400);
    return nlohmann::json::parse(r.body)["error"]["reason"].get<std::string>();
  };
  EXPECT_EQ(call({{"kind", "NOT_A_KIND"}}), "unknown_event_kind");
  EXPECT_EQ(call({{"outcome", "MAYBE"}}), "unknown_outcome");
  EXPECT_EQ(call({{"actor", "a"}, {"actor", "b"}}), "bad_parameter");
  EXPECT_EQ(call({{"request_id", ""}}), "bad_parameter");
  // No match: a bundle proving that (export-bundle.md §3.2), not an error.
  auto none = exporter::HandleExport(*store_, {{"request_id", "req-none"}}, Request(),
                                     Appender(seq_, *store_));
  EXPECT_EQ(none.status, 200) << none.body;
}

TEST_F(ExportTest, SmallFilteredBundleVerifiesAndSeedsTheFuzzer) {
  Fill(9, 3);
  exporter::ExportRequest r = Request();
  r.kind = EventKind::kKeyCreated;
  bundle::Files f = Export(r);
  auto tar = bundle::WriteTar(f, 1750000000);
  ASSERT_TRUE(tar.ok());
  EXPECT_TRUE(Verify(*bundle::ReadTar(*tar)).ok());
  if (const char* out = std::getenv("LEDGER_FUZZ_SEED_OUT")) {
    std::ofstream(std::string(out) + ".tar", std::ios::binary) << *tar;
    std::ofstream(std::string(out) + ".range", std::ios::binary) << f[bundle::kRangeJsonl];
  }
}

class FilteredTamperTest : public ExportTest {
 protected:
  void SetUp() override {
    ExportTest::SetUp();
    Fill(40);
    exporter::ExportRequest r = Request();
    r.actor = "signer-svc";
    files_ = Export(r);
    ASSERT_TRUE(Verify(files_).ok()) << Failed(Verify(files_));
  }
  bundle::Files files_;
};

TEST_F(FilteredTamperTest, ForgedRangeLeafFailsRange) {
  auto range = bundle::ParseRange(files_[bundle::kRangeJsonl]).value();
  // The leaf of a non-matching entry (odd indices are policy-svc's).
  range.leaf_hashes[1] = merkle::LeafHash(ToBytes("hidden"));
  files_[bundle::kRangeJsonl] = bundle::FormatRange(range).value();
  Rehash(files_);
  auto r = Verify(files_);
  EXPECT_TRUE(Fails(r, "entries.range")) << Failed(r);
}

TEST_F(FilteredTamperTest, DroppedRangeLeafFailsRange) {
  std::string& text = files_[bundle::kRangeJsonl];
  text.erase(text.size() - 45);  // the last leaf line
  Rehash(files_);
  auto r = Verify(files_);
  EXPECT_TRUE(Fails(r, "entries.range")) << Failed(r);
}

TEST_F(FilteredTamperTest, RemovedRangeFileFailsRange) {
  files_.erase(bundle::kRangeJsonl);
  Rehash(files_);
  auto r = Verify(files_);
  EXPECT_TRUE(Fails(r, "entries.range")) << Failed(r);
}

TEST_F(FilteredTamperTest, DroppedMatchFailsGapless) {
  std::string& text = files_[bundle::kEntriesJsonl];
  text.erase(0, text.find('\n') + 1);
  Rehash(files_);
  auto r = Verify(files_);
  EXPECT_TRUE(Fails(r, "entries.gapless")) << Failed(r);
}

TEST_F(FilteredTamperTest, EntryOutsideTheStatedFilterFailsScope) {
  auto m = nlohmann::json::parse(files_[bundle::kExportManifest]);
  m["scope"]["filter"]["actor"] = "policy-svc";
  files_[bundle::kExportManifest] = bundle::CanonicalJson(m).value() + "\n";
  Rehash(files_);
  auto r = Verify(files_);
  EXPECT_TRUE(Fails(r, "entries.scope")) << Failed(r);
  EXPECT_TRUE(Fails(r, "export.signed")) << Failed(r);
}

}  // namespace
}  // namespace ledger::testing
