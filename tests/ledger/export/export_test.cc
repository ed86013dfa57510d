// Export -> verify round trips, and each kind of tampering failing the check
// named after it (issue tests; export-bundle.md §8).
#include <gmock/gmock.h>

#include <cstdlib>
#include <fstream>

#include "export_fixture.h"
#include "ledger/bundle/archive.h"
#include "ledger/bundle/jcs.h"

namespace ledger::testing {
namespace {

using bundle::Files;

TEST_F(ExportTest, RangesAtStartMiddleAndEndVerify) {
  Fill(60);
  struct Range {
    uint64_t first, end;  // indices [first, end)
  };
  // Batches of 8 share one recorded_at, so ranges start on batch boundaries.
  for (Range r : {Range{0, 8}, Range{16, 40}, Range{48, 60}}) {
    auto req = Request();
    req.from_us = RecordedAt(r.first);
    if (r.end < 60) req.to_us = RecordedAt(r.end);
    Files f = Export(req);
    auto report = Verify(f);
    EXPECT_TRUE(report.ok()) << Failed(report);
    auto m = nlohmann::json::parse(f[bundle::kExportManifest]);
    EXPECT_EQ(m["first_index"], r.first);
    // Every previous export appended one EXPORT_CREATED entry at the end:
    // the last range grows by them only if it reaches the end.
    EXPECT_GE(m["last_index"].get<uint64_t>() + 1, r.end);
    EXPECT_TRUE(m["scope"]["gapless"].get<bool>());
  }
  // Three exports, three EXPORT_CREATED entries in the log.
  store::EntryQuery q;
  q.kind = EventKind::kExportCreated;
  EXPECT_EQ(store_->FindEntries(q).value().size(), 3u);
}

TEST_F(ExportTest, BundleHoldsEverythingTheIssueLists) {
  Fill(40);
  Files f = Export(Request());
  for (const char* p : {bundle::kBagitTxt, bundle::kBagInfoTxt, bundle::kManifestSha256,
                        bundle::kTagManifestSha256, bundle::kExportManifest,
                        bundle::kExportReceipt, bundle::kEntriesJsonl, bundle::kEvidenceJsonl,
                        bundle::kEntriesCsv, bundle::kReportHtml, bundle::kIndexJson,
                        bundle::kPayloadsJson, bundle::kInclusionJsonl,
                        bundle::kConsistencyJsonl}) {
    EXPECT_TRUE(f.contains(p)) << p;
  }
  // 40 entries, 10 with payload bodies (every fourth), 5 checkpoints.
  EXPECT_EQ(bundle::SplitLines(f[bundle::kEntriesJsonl])->size(), 40u);
  EXPECT_EQ(bundle::SplitLines(f[bundle::kInclusionJsonl])->size(), 40u);
  size_t bodies = 0, cps = 0;
  for (const auto& [p, unused] : f) {
    bodies += p.starts_with(bundle::kPayloadDir);
    cps += p.starts_with(bundle::kCheckpointDir);
  }
  EXPECT_EQ(bodies, 10u);
  EXPECT_EQ(cps, 5u);
  // The EXPORT_CREATED entry commits to the manifest and is in the log.
  auto receipt = nlohmann::json::parse(f[bundle::kExportReceipt]);
  uint64_t idx = receipt["entry"]["index"];
  EXPECT_EQ(idx, 40u);
  auto leaf = store_->GetLeaf(idx).value();
  Event e = DecodeEvent(DecodeLeaf(leaf.leaf).value().event).value();
  EXPECT_EQ(e.kind, EventKind::kExportCreated);
  EXPECT_EQ(*e.payload_digest, Sha256::Digest(f[bundle::kExportManifest]));
  EXPECT_EQ(store_->GetPayload(*e.payload_digest).value().body,
            ToBytes(f[bundle::kExportManifest]));
  // Canonical lines: re-canonicalizing the first entry line changes nothing.
  auto first = bundle::SplitLines(f[bundle::kEntriesJsonl]).value().front();
  EXPECT_EQ(*bundle::CanonicalJson(nlohmann::json::parse(first)), first);
}

TEST_F(ExportTest, SubjectScopeVerifiesWithGaps) {
  Fill(50);
  auto req = Request();
  req.subjects = {"key/k-3"};
  Files f = Export(req);
  auto report = Verify(f);
  EXPECT_TRUE(report.ok()) << Failed(report);
  auto lines = bundle::SplitLines(f[bundle::kEntriesJsonl]).value();
  for (auto line : lines) {
    EXPECT_EQ(bundle::ParseEntryLine(line)->event.subject, "key/k-3");
  }
  EXPECT_FALSE(nlohmann::json::parse(f[bundle::kExportManifest])["scope"]["gapless"]);
}

TEST_F(ExportTest, TarRoundTripIsDeterministic) {
  Fill(20);
  Files f = Export(Request());
  auto tar = bundle::WriteTar(f, 1750000000);
  ASSERT_TRUE(tar.ok()) << tar.status();
  EXPECT_EQ(*tar, *bundle::WriteTar(f, 1750000000));
  auto back = bundle::ReadTar(*tar);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, f);
  EXPECT_TRUE(Verify(*back).ok());
}

// A small bundle as a tar; with LEDGER_FUZZ_SEED_OUT set it is also written
// there, which is how tests/fuzz/corpus/bundle_fuzz/small.tar was made.
TEST_F(ExportTest, SmallBundleVerifiesAndSeedsTheFuzzer) {
  Fill(6, 3);
  Files f = Export(Request());
  auto tar = bundle::WriteTar(f, 1750000000);
  ASSERT_TRUE(tar.ok());
  EXPECT_TRUE(Verify(*bundle::ReadTar(*tar)).ok());
  if (const char* out = std::getenv("LEDGER_FUZZ_SEED_OUT")) {
    std::ofstream(out, std::ios::binary) << *tar;
  }
}

// --- tampering: each artifact kind fails the check named after it ---------

class TamperTest : public ExportTest {
 protected:
  void SetUp() override {
    ExportTest::SetUp();
    Fill(30);
    auto req = Request();
    req.from_us = RecordedAt(8);
    req.to_us = RecordedAt(24);
    honest_ = Export(req);
    ASSERT_TRUE(Verify(honest_).ok()) << Failed(Verify(honest_));
  }
  std::vector<std::string> Lines(const char* file) {
    std::vector<std::string> out;
    auto lines = bundle::SplitLines(honest_[file]).value();
    for (auto l : lines) out.emplace_back(l);
    return out;
  }
  static std::string Join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
  // Tampers with a copy, optionally rehashes the bag, and verifies it.
  bundle::VerifyReport Tampered(const std::function<void(Files&)>& edit, bool rehash = true) {
    Files f = honest_;
    edit(f);
    if (rehash) Rehash(f);
    return Verify(f);
  }
  Files honest_;
};

TEST_F(TamperTest, ByteFlipWithoutRehashFailsThePackage) {
  auto r = Tampered([](Files& f) { f[bundle::kEntriesCsv][10] ^= 1; }, false);
  EXPECT_TRUE(Fails(r, "bag.manifest")) << Failed(r);
  r = Tampered([](Files& f) { f[bundle::kExportManifest][5] ^= 1; }, false);
  EXPECT_TRUE(Fails(r, "bag.tagmanifest")) << Failed(r);
}

TEST_F(TamperTest, EditedEntryFailsLeaves) {
  auto lines = Lines(bundle::kEntriesJsonl);
  auto r = Tampered([&](Files& f) {
    auto pos = lines[3].find("key/k-");
    lines[3][pos + 6] = lines[3][pos + 6] == '1' ? '2' : '1';
    f[bundle::kEntriesJsonl] = Join(lines);
  });
  EXPECT_TRUE(Fails(r, "entries.leaves")) << Failed(r);
  // The edited data no longer matches the manifest the log signed.
  EXPECT_TRUE(Fails(r, "export.manifest")) << Failed(r);
}

TEST_F(TamperTest, ForgedLeafFailsInclusion) {
  // A consistent forgery: new leaf bytes, a line rendered from them.
  auto lines = Lines(bundle::kEntriesJsonl);
  auto e = bundle::ParseEntryLine(lines[4]).value();
  Event ev = e.event;
  ev.outcome = Outcome::kDenied;
  Leaf leaf = e.decoded;
  leaf.event = EncodeEvent(ev).value();
  lines[4] = bundle::FormatEntryLine(EncodeLeaf(leaf).value()).value();
  auto r = Tampered([&](Files& f) { f[bundle::kEntriesJsonl] = Join(lines); });
  EXPECT_TRUE(Fails(r, "entries.inclusion")) << Failed(r);
  EXPECT_TRUE(Fails(r, "entries.chain")) << Failed(r);
  EXPECT_FALSE(Fails(r, "entries.leaves")) << Failed(r);
}

TEST_F(TamperTest, DroppedEntryFailsGapless) {
  auto lines = Lines(bundle::kEntriesJsonl);
  lines.erase(lines.begin() + 7);
  auto r = Tampered([&](Files& f) { f[bundle::kEntriesJsonl] = Join(lines); });
  EXPECT_TRUE(Fails(r, "entries.gapless")) << Failed(r);
}

TEST_F(TamperTest, ReorderedPairFailsGapless) {
  auto lines = Lines(bundle::kEntriesJsonl);
  std::swap(lines[2], lines[3]);
  auto r = Tampered([&](Files& f) { f[bundle::kEntriesJsonl] = Join(lines); });
  EXPECT_TRUE(Fails(r, "entries.gapless")) << Failed(r);
}

TEST_F(TamperTest, RemovedOrFlippedProofFailsInclusion) {
  auto lines = Lines(bundle::kInclusionJsonl);
  lines.erase(lines.begin() + 1);
  auto r = Tampered([&](Files& f) { f[bundle::kInclusionJsonl] = Join(lines); });
  EXPECT_TRUE(Fails(r, "entries.inclusion")) << Failed(r);

  lines = Lines(bundle::kInclusionJsonl);
  auto p = bundle::ParseInclusionLine(lines[0]).value();
  p.hashes[0] = Sha256::Digest("not the sibling");
  lines[0] = bundle::FormatInclusionLine(p).value();
  r = Tampered([&](Files& f) { f[bundle::kInclusionJsonl] = Join(lines); });
  EXPECT_TRUE(Fails(r, "entries.inclusion")) << Failed(r);
}

TEST_F(TamperTest, EditedCsvRowFailsReportCsv) {
  auto r = Tampered([](Files& f) {
    auto& csv = f[bundle::kEntriesCsv];
    csv.replace(csv.find("SUCCESS"), 7, "DENIED!");
  });
  EXPECT_TRUE(Fails(r, "report.csv")) << Failed(r);
  EXPECT_FALSE(Fails(r, "entries.leaves"));
}

TEST_F(TamperTest, EditedHtmlFailsReportHtml) {
  auto r = Tampered([](Files& f) {
    auto& html = f[bundle::kReportHtml];
    html.replace(html.find("signer-svc"), 10, "someone-el");
  });
  EXPECT_TRUE(Fails(r, "report.html")) << Failed(r);
}

TEST_F(TamperTest, FlippedPayloadFailsPayloads) {
  auto r = Tampered([](Files& f) {
    for (auto& [p, body] : f) {
      if (p.starts_with(bundle::kPayloadDir)) {
        body[0] ^= 1;
        break;
      }
    }
  });
  EXPECT_TRUE(Fails(r, "payloads")) << Failed(r);
}

TEST_F(TamperTest, EditedManifestFailsExportSigned) {
  auto r = Tampered([](Files& f) {
    auto& m = f[bundle::kExportManifest];
    m.replace(m.find("auditor@"), 8, "someone@");
  });
  EXPECT_TRUE(Fails(r, "export.signed")) << Failed(r);
}

TEST_F(TamperTest, ForgedCheckpointSignatureFails) {
  auto r = Tampered([](Files& f) {
    for (auto& [p, note] : f) {
      if (p.starts_with(bundle::kCheckpointDir)) {
        note[note.size() - 5] = note[note.size() - 5] == 'A' ? 'B' : 'A';
        break;
      }
    }
  });
  EXPECT_TRUE(Fails(r, "checkpoints.signatures")) << Failed(r);
}

TEST_F(TamperTest, WrongKeyFailsSignatures) {
  bundle::VerifyOptions o;
  auto other = Ed25519PrivateKey::FromSeed(Bytes(32, 0x07)).value();
  o.log_key = note::NewEd25519Verifier(kOrigin, other.public_key());
  auto r = bundle::VerifyBundle(honest_, o);
  EXPECT_TRUE(Fails(r, "checkpoints.signatures")) << Failed(r);
  EXPECT_TRUE(Fails(r, "export.signed")) << Failed(r);
}

TEST_F(TamperTest, TruncatedOrGarbageFilesNeverCrash) {
  for (const auto& [path, content] : honest_) {
    // The bag manifests are what Rehash rewrites.
    if (path == bundle::kManifestSha256 || path == bundle::kTagManifestSha256) continue;
    for (size_t cut : {size_t{0}, size_t{1}, size_t{17}}) {
      if (cut >= content.size()) continue;
      Files f = honest_;
      f[path].resize(cut);
      Rehash(f);
      EXPECT_FALSE(Verify(f).ok()) << path << " cut to " << cut;
    }
  }
}

// A fork: the same key signed two different logs (a compromised host, or a
// notary that lost its state). The auditor's checkpoint from one exposes a
// bundle from the other.
class ForkTest : public ExportTest {
 protected:
  // The honest log has 16 entries; the fork shares the first 8 and has
  // different events from index 8 on, signed by the same key.
  void SetUp() override {
    ExportTest::SetUp();
    Fill(16);
    Fill(fork_seq_, *fork_store_, 0, 8, 8);
    Fill(fork_seq_, *fork_store_, 100, 8, 8);
  }
  Sequencer fork_seq_ = NewSequencer();
  std::unique_ptr<store::LogStore> fork_store_ = NewStore(fork_seq_);
};

TEST_F(ForkTest, SinceFromAForkFails) {
  const std::string fork_cp = fork_store_->CheckpointAt(16).value();
  const std::string honest_cp = store_->CheckpointAt(8).value();
  Fill(seq_, *store_, 16, 8, 8);
  Files f = Export(Request());
  EXPECT_TRUE(Verify(f, honest_cp).ok()) << Failed(Verify(f, honest_cp));
  auto r = Verify(f, fork_cp);
  EXPECT_TRUE(Fails(r, "since")) << Failed(r);
  EXPECT_THAT(r.Find("since")->detail, ::testing::HasSubstr("FORK"));
}

TEST_F(ForkTest, SwappedCheckpointFromAForkFails) {
  auto req = Request();
  req.from_us = RecordedAt(2);
  Files f = Export(req);
  ASSERT_TRUE(f.contains(bundle::CheckpointPath(16)));
  f[bundle::CheckpointPath(16)] = fork_store_->CheckpointAt(16).value();
  Rehash(f);
  auto r = Verify(f);
  EXPECT_TRUE(Fails(r, "checkpoints.roots") || Fails(r, "checkpoints.consistency")) << Failed(r);
  EXPECT_FALSE(Fails(r, "checkpoints.signatures")) << Failed(r);
}

}  // namespace
}  // namespace ledger::testing
