// A bundle proves the retention state of every subject it exports
// (export-bundle.md §3.3): map proofs at its checkpoint for each subject's
// holds and extensions, each class's configuration and each unshipped
// body's disposal key. A hostile exporter (the host) that leaves a hold, a
// class change or a disposal out of the evidence, drops the proofs, or ships
// proofs of an older map is caught by `retention.state`, even after it
// re-renders the bundle and records it with EXPORT_CREATED.
#include <cstdlib>
#include <fstream>

#include "ledger/bundle/archive.h"
#include "ledger/bundle/retention_keys.h"
#include "ledger/retention/retention_map.h"

#include "retention_fixture.h"

namespace ledger::testing {
namespace {

class RetentionStateTest : public RetentionStoreTest {
 protected:
  // Entry 0 (the fixture's record) and then, a day apart: 1 the class
  // configuration, 2 a hold by the legal key, 3 a later entry about the
  // record. Returns the size before the hold.
  uint64_t HoldTheRecord() {
    *now_ += kMicrosPerDay;
    EXPECT_TRUE(Submit(Class(2)).refusal.ok());
    const uint64_t before_hold = store_->size();
    *now_ += kMicrosPerDay;
    EXPECT_TRUE(Submit(Hold(true, "legal"), *legal_).refusal.ok());
    *now_ += kMicrosPerDay;
    Later();
    return before_hold;
  }
  // An entry about the record (no rule, no payload), recorded a day later.
  void Later() {
    *now_ += kMicrosPerDay;
    Event e = MakeEvent(100 + n_++, "record/r-1");
    e.occurred_at_us = *now_;
    ASSERT_TRUE(Append(e, *records_).ok());
  }
  // From the last entry on: the record, the class and the hold are evidence.
  exporter::ExportRequest FromLast() {
    auto r = Request();
    r.from_us = RecordedAt(store_->size() - 1);
    return r;
  }
  // Keeps only the evidence lines for which `keep` holds, then reseals.
  void DropEvidence(bundle::Files& f, const std::function<bool(const bundle::EntryLine&)>& drop) {
    std::string kept;
    const auto lines = bundle::SplitLines(f[bundle::kEvidenceJsonl]).value();
    for (auto line : lines) {
      if (!drop(bundle::ParseEntryLine(line).value())) kept += std::string(line) + "\n";
    }
    f[bundle::kEvidenceJsonl] = kept;
    Reseal(f, nlohmann::json::parse(f[bundle::kExportManifest]));
  }
  static std::vector<bundle::RetentionKeyLine> KeyLines(const bundle::Files& f) {
    std::vector<bundle::RetentionKeyLine> out;
    const auto lines = bundle::SplitLines(f.at(bundle::kRetentionJsonl)).value();
    for (auto line : lines) {
      out.push_back(bundle::ParseRetentionKeyLine(line).value());
    }
    return out;
  }
  static std::string Render(const std::vector<bundle::RetentionKeyLine>& lines) {
    std::string out;
    for (const auto& l : lines) out += bundle::FormatRetentionKeyLine(l).value() + "\n";
    return out;
  }
  static std::string Detail(const bundle::VerifyReport& r, std::string_view check) {
    const auto* c = r.Find(check);
    return c ? c->detail : "(no such check)";
  }
};

TEST_F(RetentionStateTest, AnHonestBundleProvesTheActiveHold) {
  HoldTheRecord();
  bundle::Files f = Export(FromLast());
  ASSERT_TRUE(f.contains(bundle::kRetentionJsonl));
  auto r = Verify(f);
  EXPECT_TRUE(r.ok()) << Failed(r);
  const auto* c = r.Find("retention.state");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->skipped);
  EXPECT_NE(c->detail.find("1 active legal holds"), std::string::npos) << c->detail;
  EXPECT_NE(c->detail.find("case-42 by legal.example"), std::string::npos) << c->detail;
  // One line per exported subject, used class and unshipped body: the
  // record (class TEST-2d) and its body, which is evidence-free here.
  std::set<std::string> subjects, classes;
  for (const auto& l : KeyLines(f)) {
    if (l.kind == bundle::RetentionKeyLine::Kind::kSubject) subjects.insert(l.name);
    if (l.kind == bundle::RetentionKeyLine::Kind::kClass) classes.insert(l.name);
  }
  EXPECT_EQ(subjects, std::set<std::string>{"record/r-1"});
  EXPECT_TRUE(classes.empty());  // no exported line names a class
  auto tar = bundle::WriteTar(f, 1750000000);
  ASSERT_TRUE(tar.ok());
  EXPECT_TRUE(Verify(*bundle::ReadTar(*tar)).ok());
  if (const char* out = std::getenv("LEDGER_FUZZ_SEED_OUT")) {
    std::ofstream(std::string(out) + "-retention-state.tar", std::ios::binary) << *tar;
  }
}

// The omitted-hold bundle: the hold was placed before the export's `from`,
// so it is evidence; the exporter leaves it out and records the result. The
// replayed history looks clean (`retention` passes) but the map's value for
// the subject counts an entry the bundle does not carry.
TEST_F(RetentionStateTest, AHoldLeftOutOfTheEvidenceIsDetected) {
  HoldTheRecord();
  bundle::Files f = Export(FromLast());
  ASSERT_TRUE(Verify(f).ok()) << Failed(Verify(f));
  DropEvidence(f, [](const bundle::EntryLine& e) {
    return e.event.kind == EventKind::kLegalHoldPlaced;
  });
  auto r = Verify(f);
  EXPECT_FALSE(Fails(r, "retention")) << Failed(r);
  EXPECT_FALSE(Fails(r, "export.signed")) << Failed(r);
  EXPECT_TRUE(Fails(r, "retention.state")) << Failed(r);
  EXPECT_NE(Detail(r, "retention.state").find("retention_evidence_incomplete"), std::string::npos)
      << Detail(r, "retention.state");
}

// ... and with the subject's proof dropped as well, the key is unproven.
TEST_F(RetentionStateTest, AHoldWithItsProofLeftOutIsDetected) {
  HoldTheRecord();
  bundle::Files f = Export(FromLast());
  auto lines = KeyLines(f);
  std::erase_if(lines, [](const auto& l) { return l.kind == bundle::RetentionKeyLine::Kind::kSubject; });
  f[bundle::kRetentionJsonl] = Render(lines);
  DropEvidence(f, [](const bundle::EntryLine& e) {
    return e.event.kind == EventKind::kLegalHoldPlaced;
  });
  auto r = Verify(f);
  EXPECT_TRUE(Fails(r, "retention.state")) << Failed(r);
  EXPECT_NE(Detail(r, "retention.state").find("retention_state_incomplete"), std::string::npos)
      << Detail(r, "retention.state");
}

// Proofs of the map before the hold (a stored, signed state of the same
// log) do not fold to the root of the bundle's checkpoint.
TEST_F(RetentionStateTest, ProofsOfAnOlderMapAreRefused) {
  const uint64_t before_hold = HoldTheRecord();
  bundle::Files f = Export(FromLast());
  auto lines = KeyLines(f);
  for (auto& l : lines) {
    if (l.kind != bundle::RetentionKeyLine::Kind::kSubject) continue;
    l.proof = store_->MapProof(l.Key(), before_hold).value();
    l.record.clear();  // absent then
  }
  f[bundle::kRetentionJsonl] = Render(lines);
  DropEvidence(f, [](const bundle::EntryLine& e) {
    return e.event.kind == EventKind::kLegalHoldPlaced;
  });
  auto r = Verify(f);
  EXPECT_TRUE(Fails(r, "retention.state")) << Failed(r);
  EXPECT_NE(Detail(r, "retention.state").find("map_proof_mismatch"), std::string::npos)
      << Detail(r, "retention.state");
}

// The right proof with another record (the subject without its hold): the
// record is not the preimage the map's value names.
TEST_F(RetentionStateTest, ARecordWithoutTheHoldIsRefused) {
  HoldTheRecord();
  bundle::Files f = Export(FromLast());
  auto lines = KeyLines(f);
  for (auto& l : lines) {
    if (l.kind == bundle::RetentionKeyLine::Kind::kSubject) l.record = SubjectRetention{}.Encode();
  }
  f[bundle::kRetentionJsonl] = Render(lines);
  Reseal(f, nlohmann::json::parse(f[bundle::kExportManifest]));
  auto r = Verify(f);
  EXPECT_TRUE(Fails(r, "retention.state")) << Failed(r);
  EXPECT_NE(Detail(r, "retention.state").find("retention_record_mismatch"), std::string::npos)
      << Detail(r, "retention.state");
}

TEST_F(RetentionStateTest, ABundleWithoutTheProofsFails) {
  HoldTheRecord();
  bundle::Files f = Export(FromLast());
  f.erase(bundle::kRetentionJsonl);
  Reseal(f, nlohmann::json::parse(f[bundle::kExportManifest]));
  auto r = Verify(f);
  EXPECT_TRUE(Fails(r, "retention.state")) << Failed(r);
  EXPECT_NE(Detail(r, "retention.state").find("retention_state_missing"), std::string::npos);
}

// A proof for a key the bundle does not call for is refused too, so that
// every exporter ships the same set.
TEST_F(RetentionStateTest, AProofOfAnUnexportedSubjectIsRefused) {
  HoldTheRecord();
  bundle::Files f = Export(FromLast());
  auto lines = KeyLines(f);
  bundle::RetentionKeyLine extra{bundle::RetentionKeyLine::Kind::kSubject, "record/other", 0, {},
                                 {}};
  const uint64_t tree_size =
      nlohmann::json::parse(f[bundle::kExportManifest])["tree_size"].get<uint64_t>();
  extra.proof = store_->MapProof(extra.Key(), tree_size).value();
  lines.push_back(extra);
  f[bundle::kRetentionJsonl] = Render(lines);
  Reseal(f, nlohmann::json::parse(f[bundle::kExportManifest]));
  auto r = Verify(f);
  EXPECT_TRUE(Fails(r, "retention.state")) << Failed(r);
  EXPECT_NE(Detail(r, "retention.state").find("is not exported"), std::string::npos)
      << Detail(r, "retention.state");
}

// A class extension left out of the evidence (the record would look
// disposable sooner) is seen through the class key of the record's class.
TEST_F(RetentionStateTest, AClassConfigurationLeftOutIsDetected) {
  *now_ += kMicrosPerDay;
  ASSERT_TRUE(Submit(Class(2)).refusal.ok());
  *now_ += kMicrosPerDay;
  ASSERT_TRUE(Submit(Class(30, /*lock=*/true)).refusal.ok());  // extended and locked
  // Exported: the record (entry 0) only, with its class TEST-2d.
  auto req = Request();
  req.to_us = RecordedAt(1);
  bundle::Files f = Export(req);
  ASSERT_TRUE(Verify(f).ok()) << Failed(Verify(f));
  // Keep the first configuration, drop the extension and lock.
  DropEvidence(f, [](const bundle::EntryLine& e) {
    const std::string* days = FindAttribute(e.event, kAttrPeriodDays);
    return days != nullptr && *days == "30";
  });
  auto r = Verify(f);
  EXPECT_FALSE(Fails(r, "retention")) << Failed(r);
  EXPECT_TRUE(Fails(r, "retention.state")) << Failed(r);
  EXPECT_NE(Detail(r, "retention.state").find("class TEST-2d"), std::string::npos)
      << Detail(r, "retention.state");
}

// The record is in scope and its body is gone: its disposal key shows the
// disposal, which the bundle must then carry.
TEST_F(RetentionStateTest, ADisposalLeftOutIsDetected) {
  *now_ += kMicrosPerDay;
  ASSERT_TRUE(Submit(Class(2)).refusal.ok());
  *now_ += 3 * kMicrosPerDay;
  auto disposed = Submit(Dispose());
  ASSERT_TRUE(disposed.refusal.ok()) << disposed.refusal;
  ASSERT_FALSE(store_->GetPayload(payload_.digest).ok());
  auto req = Request();
  req.to_us = RecordedAt(1);  // entry 0 only
  bundle::Files f = Export(req);
  auto honest = Verify(f);
  ASSERT_TRUE(honest.ok()) << Failed(honest);
  EXPECT_NE(Detail(honest, "retention.state").find("1 records disposed"), std::string::npos)
      << Detail(honest, "retention.state");
  DropEvidence(f, [](const bundle::EntryLine& e) {
    return e.event.kind == EventKind::kRecordDisposed;
  });
  auto r = Verify(f);
  EXPECT_TRUE(Fails(r, "retention.state")) << Failed(r);
  EXPECT_NE(Detail(r, "retention.state").find("record 0"), std::string::npos)
      << Detail(r, "retention.state");
}

// A log whose notary keeps no map has nothing to prove: SKIP, and a bundle
// that ships such proofs anyway is refused.
TEST_F(RetentionStateTest, WithoutAMapTheCheckIsSkipped) {
  Start(/*enforcing=*/false);
  *now_ += kMicrosPerDay;
  ASSERT_TRUE(Submit(Class(2)).refusal.ok());
  bundle::Files f = Export(Request());
  EXPECT_FALSE(f.contains(bundle::kRetentionJsonl));
  auto r = Verify(f);
  EXPECT_TRUE(r.ok()) << Failed(r);
  ASSERT_NE(r.Find("retention.state"), nullptr);
  EXPECT_TRUE(r.Find("retention.state")->skipped);
  f[bundle::kRetentionJsonl] = "";
  Reseal(f, nlohmann::json::parse(f[bundle::kExportManifest]));
  EXPECT_TRUE(Fails(Verify(f), "retention.state"));
}

}  // namespace
}  // namespace ledger::testing
