// An export proves that it is complete (export-bundle.md §3.2): its range
// reaches the ends of the tree or is closed by the leaves just outside it,
// shipped in full with their inclusion proofs. Each test is a forgery by a
// hostile exporter that re-renders every derived file and records the new
// manifest with EXPORT_CREATED (Reseal), so that only entries.boundaries
// (or entries.gapless) can tell.
#include <gmock/gmock.h>

#include <cstdlib>
#include <fstream>

#include "export_fixture.h"
#include "ledger/bundle/archive.h"
#include "ledger/codec/rfc3339.h"
#include "ledger/merkle/merkle.h"

namespace ledger::testing {
namespace {

using bundle::Files;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CompletenessTest : public ExportTest {
 protected:
  // The entry line of leaf `index`, as the exporter writes it.
  std::string Line(uint64_t index) {
    return bundle::FormatEntryLine(store_->GetLeaf(index).value().leaf).value() + "\n";
  }
  std::string Lines(uint64_t first, uint64_t end) {
    std::string out;
    for (uint64_t i = first; i < end; ++i) out += Line(i);
    return out;
  }
  // Keeps the entries whose index is in [first, end).
  static void KeepEntries(Files& f, uint64_t first, uint64_t end) {
    std::string kept;
    const auto lines = bundle::SplitLines(f[bundle::kEntriesJsonl]).value();
    for (auto line : lines) {
      uint64_t i = bundle::ParseEntryLine(line)->index;
      if (i >= first && i < end) kept += std::string(line) + "\n";
    }
    f[bundle::kEntriesJsonl] = kept;
  }
  // The range file of [first, end) in the tree of size n, from the store.
  std::string RangeFile(uint64_t first, uint64_t end, uint64_t n) {
    bundle::RangeProof p{first, end, n, {}, {}, {}};
    for (uint64_t i = first; i < end; ++i) {
      p.leaf_hashes.push_back(merkle::LeafHash(store_->GetLeaf(i).value().leaf));
    }
    p.left = store_->InclusionProof(first, n).value();
    p.right = store_->InclusionProof(end - 1, n).value();
    return bundle::FormatRange(p).value();
  }
  static nlohmann::json Manifest(Files& f) {
    return nlohmann::json::parse(f[bundle::kExportManifest]);
  }
  static std::vector<std::string> FailedChecks(const bundle::VerifyReport& r) {
    std::vector<std::string> out;
    for (const auto& c : r.checks) {
      if (!c.ok) out.push_back(c.name);
    }
    return out;
  }
  static std::string Detail(const bundle::VerifyReport& r, std::string_view check) {
    const auto* c = r.Find(check);
    return c ? c->detail : "";
  }
  exporter::ExportRequest TimeRange(uint64_t from_index, uint64_t to_index) {
    auto r = Request();
    r.from_us = RecordedAt(from_index);
    r.to_us = RecordedAt(to_index);
    return r;
  }
};

// The review's recipe: a whole-log export of 40 entries cut to 35, every
// derived file rendered again and the manifest re-recorded in the log.
TEST_F(CompletenessTest, TruncatedWholeLogExportFailsBoundaries) {
  Fill(40);
  Files f = Export(Request());
  auto honest = Verify(f);
  ASSERT_TRUE(honest.ok()) << Failed(honest);
  EXPECT_THAT(Detail(honest, "entries.boundaries"), HasSubstr("range [0, 40)"));
  EXPECT_FALSE(f.contains(bundle::kBoundariesJsonl));  // both edges are the tree's

  Files cut = f;
  KeepEntries(cut, 0, 35);
  auto m = Manifest(cut);
  m["scope"]["range"]["end"] = 35;
  Reseal(cut, m);
  auto r = Verify(cut);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("no `to` in the scope"));
  EXPECT_THAT(Detail(r, "entries.gapless"), HasSubstr("indices 0..34, no gaps"));

  // Leaving scope.range as it was does not help: the entries no longer fill it.
  cut = f;
  KeepEntries(cut, 0, 35);
  Reseal(cut, Manifest(cut));
  r = Verify(cut);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("not the leaves of scope.range"));
}

TEST_F(CompletenessTest, DroppedHeadOfAWholeLogExportFailsBoundaries) {
  Fill(40);
  Files f = Export(Request());
  KeepEntries(f, 5, 40);
  auto m = Manifest(f);
  m["scope"]["range"]["first"] = 5;
  Files no_from = f;
  Reseal(no_from, m);
  auto r = Verify(no_from);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("no `from` in the scope"));

  // Adding a `from` and leaf 4 as the boundary: leaf 4 was sequenced in the
  // same batch as leaf 5, so it is inside the scope.
  m["scope"]["from"] = codec::FormatRfc3339Micros(RecordedAt(5));
  f[bundle::kBoundariesJsonl] = Line(4);
  Reseal(f, m);
  r = Verify(f);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("boundary leaf 4 was recorded at"));
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("the range starts too late"));
}

TEST_F(CompletenessTest, TimeRangeShipsItsNeighboursAndVerifies) {
  Fill(40);
  Files f = Export(TimeRange(8, 32));
  auto r = Verify(f);
  ASSERT_TRUE(r.ok()) << Failed(r);
  EXPECT_EQ(f[bundle::kBoundariesJsonl], Line(7) + Line(32));
  EXPECT_EQ(Manifest(f)["scope"]["range"], (nlohmann::json{{"end", 32}, {"first", 8}}));
  EXPECT_THAT(Detail(r, "entries.boundaries"),
              HasSubstr("range [8, 32) holds every leaf of the tree of size 40 in the scope"));
  // The boundary leaves are not entries: not in the CSV, the index or the count.
  EXPECT_EQ(Manifest(f)["counts"]["entries"], 24);
}

TEST_F(CompletenessTest, DroppedFirstEntriesOfATimeRangeFailBoundaries) {
  Fill(40);
  Files f = Export(TimeRange(8, 32));
  KeepEntries(f, 10, 32);
  auto m = Manifest(f);
  m["scope"]["range"]["first"] = 10;
  // The honest boundary (leaf 7) no longer borders the range.
  Files stale = f;
  Reseal(stale, m);
  auto r = Verify(stale);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("boundary leaf 9 is not in"));
  // Shipping leaf 9 instead shows that it lies inside the time range.
  f[bundle::kBoundariesJsonl] = Line(9) + Line(32);
  Reseal(f, m);
  r = Verify(f);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("the range starts too late"));
}

TEST_F(CompletenessTest, DroppedLastEntriesOfATimeRangeFailBoundaries) {
  Fill(40);
  Files f = Export(TimeRange(8, 32));
  KeepEntries(f, 8, 29);
  auto m = Manifest(f);
  m["scope"]["range"]["end"] = 29;
  f[bundle::kBoundariesJsonl] = Line(7) + Line(29);
  Reseal(f, m);
  auto r = Verify(f);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("boundary leaf 29 was recorded at"));
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("the range ends too early"));
}

TEST_F(CompletenessTest, ShrunkFilteredRangeFailsBoundaries) {
  Fill(40);
  auto req = TimeRange(8, 32);
  req.actor = "signer-svc";
  Files f = Export(req);
  ASSERT_TRUE(Verify(f).ok()) << Failed(Verify(f));
  EXPECT_EQ(f[bundle::kBoundariesJsonl], Line(7) + Line(32));
  // [8, 32) -> [8, 24): a range file that folds, the matches below 24, and
  // leaf 24 as the upper boundary.
  KeepEntries(f, 8, 24);
  f[bundle::kRangeJsonl] = RangeFile(8, 24, 40);
  f[bundle::kBoundariesJsonl] = Line(7) + Line(24);
  auto m = Manifest(f);
  m["scope"]["range"]["end"] = 24;
  Reseal(f, m);
  auto r = Verify(f);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("the range ends too early"));
  EXPECT_TRUE(r.Find("entries.range")->ok) << Detail(r, "entries.range");
}

TEST_F(CompletenessTest, ShrunkFilteredWholeLogRangeFailsBoundaries) {
  Fill(40);
  auto req = Request();
  req.actor = "signer-svc";
  Files f = Export(req);
  ASSERT_TRUE(Verify(f).ok()) << Failed(Verify(f));
  KeepEntries(f, 0, 30);
  f[bundle::kRangeJsonl] = RangeFile(0, 30, 40);
  auto m = Manifest(f);
  m["scope"]["range"]["end"] = 30;
  Reseal(f, m);
  auto r = Verify(f);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("no `to` in the scope"));
}

TEST_F(CompletenessTest, BoundaryLeafWithAWrongInclusionProofFails) {
  Fill(40);
  Files f = Export(TimeRange(8, 32));
  std::string proofs;
  const auto lines = bundle::SplitLines(f[bundle::kInclusionJsonl]).value();
  for (auto line : lines) {
    auto p = bundle::ParseInclusionLine(line).value();
    if (p.index == 7) p.hashes[0] = Sha256::Digest("not the sibling");
    proofs += bundle::FormatInclusionLine(p).value() + "\n";
  }
  f[bundle::kInclusionJsonl] = proofs;
  Reseal(f, Manifest(f));
  auto r = Verify(f);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("bad_boundary"));
}

TEST_F(CompletenessTest, BoundaryLeafRewrittenToFallOutsideFailsItsProof) {
  Fill(40);
  Files f = Export(TimeRange(8, 32));
  KeepEntries(f, 8, 29);
  auto m = Manifest(f);
  m["scope"]["range"]["end"] = 29;
  // Leaf 29 with a recorded_at at `to`: its hash is no longer the tree's.
  auto leaf = DecodeLeaf(store_->GetLeaf(29).value().leaf).value();
  leaf.recorded_at_us = RecordedAt(32);
  f[bundle::kBoundariesJsonl] =
      Line(7) + bundle::FormatEntryLine(EncodeLeaf(leaf).value()).value() + "\n";
  Reseal(f, m);
  auto r = Verify(f);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("boundary leaf 29: "));
}

TEST_F(CompletenessTest, MissingOrExtraBoundaryLeafFails) {
  Fill(40);
  const Files honest = Export(TimeRange(8, 32));
  Files f = honest;
  f.erase(bundle::kBoundariesJsonl);
  Reseal(f, Manifest(f));
  auto r = Verify(f);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("boundary leaf 7 is not in"));

  f = honest;
  f[bundle::kBoundariesJsonl] = Line(32);
  Reseal(f, Manifest(f));
  r = Verify(f);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("boundary leaf 7 is not in"));

  f = honest;
  f[bundle::kBoundariesJsonl] = Line(7) + Line(20) + Line(32);
  Reseal(f, Manifest(f));
  r = Verify(f);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("leaf 20 in boundaries.jsonl"));
}

// Only a filter lets entries be left out: an unfiltered bundle that calls
// itself "not gapless" to drop one from the middle fails.
TEST_F(CompletenessTest, UnfilteredScopeCannotDeclareGaps) {
  Fill(40);
  Files f = Export(Request());
  std::string kept;
  const auto lines = bundle::SplitLines(f[bundle::kEntriesJsonl]).value();
  for (auto line : lines) {
    if (bundle::ParseEntryLine(line)->index != 20) kept += std::string(line) + "\n";
  }
  f[bundle::kEntriesJsonl] = kept;
  auto m = Manifest(f);
  m["scope"]["gapless"] = false;
  Reseal(f, m);
  auto r = Verify(f);
  EXPECT_TRUE(Fails(r, "entries.gapless")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.gapless"), HasSubstr("exactly when the scope has no filter"));
}

// Nor by calling itself filtered with a filter that names nothing.
TEST_F(CompletenessTest, EmptyFilterCannotHideEntries) {
  Fill(40);
  Files f = Export(Request());
  KeepEntries(f, 0, 20);
  f[bundle::kRangeJsonl] = RangeFile(0, 40, 40);
  auto m = Manifest(f);
  m["scope"]["gapless"] = false;
  m["scope"]["filter"] = nlohmann::json::object();
  Reseal(f, m);
  auto r = Verify(f);
  EXPECT_TRUE(Fails(r, "entries.scope")) << Failed(r);
  EXPECT_TRUE(Fails(r, "entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.scope"), HasSubstr("an empty filter"));
}

// An empty result is an answer, proven by the two adjacent leaves around it.
TEST_F(CompletenessTest, EmptyTimeRangeIsProvenByItsNeighbours) {
  Fill(40);
  auto req = Request();
  req.from_us = RecordedAt(8) + 1;  // leaves 8..15 share RecordedAt(8)
  req.to_us = RecordedAt(16);
  Files f = Export(req);
  auto r = Verify(f);
  ASSERT_TRUE(r.ok()) << Failed(r);
  auto m = Manifest(f);
  EXPECT_EQ(m["counts"]["entries"], 0);
  EXPECT_FALSE(m.contains("first_index"));
  EXPECT_EQ(m["scope"]["range"], (nlohmann::json{{"end", 16}, {"first", 16}}));
  EXPECT_EQ(f[bundle::kEntriesJsonl], "");
  EXPECT_EQ(f[bundle::kBoundariesJsonl], Line(15) + Line(16));

  // The same claim, "nothing", for the window that holds leaves 8..15.
  m["scope"]["from"] = codec::FormatRfc3339Micros(RecordedAt(8));
  Reseal(f, m);
  r = Verify(f);
  EXPECT_THAT(FailedChecks(r), ElementsAre("entries.boundaries")) << Failed(r);
  EXPECT_THAT(Detail(r, "entries.boundaries"), HasSubstr("boundary leaf 15 was recorded at"));
}

TEST_F(CompletenessTest, EmptyFilteredExportsVerify) {
  Fill(40);
  auto req = Request();
  req.subjects = {"key/none"};
  Files f = Export(req);
  auto r = Verify(f);
  ASSERT_TRUE(r.ok()) << Failed(r);
  EXPECT_EQ(Manifest(f)["counts"]["entries"], 0);
  EXPECT_TRUE(f.contains(bundle::kRangeJsonl));  // every leaf hash of [0, 40)
  EXPECT_FALSE(f.contains(bundle::kBoundariesJsonl));

  // An empty time window has no range file: its neighbours prove it.
  req.from_us = RecordedAt(8) + 1;
  req.to_us = RecordedAt(16);
  f = Export(req);
  r = Verify(f);
  ASSERT_TRUE(r.ok()) << Failed(r);
  EXPECT_FALSE(f.contains(bundle::kRangeJsonl));
  EXPECT_THAT(Detail(r, "entries.range"), HasSubstr("empty range at index 16"));
  // An entry in an empty range is refused.
  Files extra = f;
  extra[bundle::kEntriesJsonl] = Line(16);
  Reseal(extra, Manifest(extra));
  EXPECT_TRUE(Fails(Verify(extra), "entries.range")) << Failed(Verify(extra));
}

TEST_F(CompletenessTest, AnEmptyLogIsNotExported) {
  auto r = exporter::CreateExport(*store_, Request(), Appender(seq_, *store_));
  EXPECT_EQ(r.status().reason(), "empty_export");
  EXPECT_EQ(store_->size(), 0u);
}

// A small time-range bundle with both boundary leaves; with
// LEDGER_FUZZ_SEED_OUT set it is written there, which is how
// tests/fuzz/corpus/bundle_fuzz/small-time-range.tar was made.
TEST_F(CompletenessTest, SmallTimeRangeBundleVerifiesAndSeedsTheFuzzer) {
  Fill(9, 3);
  Files f = Export(TimeRange(3, 6));
  ASSERT_TRUE(f.contains(bundle::kBoundariesJsonl));
  auto tar = bundle::WriteTar(f, 1750000000);
  ASSERT_TRUE(tar.ok());
  EXPECT_TRUE(Verify(*bundle::ReadTar(*tar)).ok());
  if (const char* out = std::getenv("LEDGER_FUZZ_SEED_OUT")) {
    std::ofstream(std::string(out) + "-time-range.tar", std::ios::binary) << *tar;
  }
}

}  // namespace
}  // namespace ledger::testing
