// Retention end to end on a real store, with a notary clock the test moves:
// early and held disposals are refused (by the host and by the sequencer,
// at its own time) and the refusals are on record; a hold is released only
// by another stamper key; a disposal after expiry removes only the payload
// body (every leaf, proof and the full audit stay valid); on a log whose
// notary does not enforce, the store audit and verify-bundle flag a
// disposal the log's own history forbids; a body lost without a disposal is
// reported missing.
#include "retention_fixture.h"

namespace ledger::testing {
namespace {

TEST_F(RetentionStoreTest, EarlyAndHeldDisposalsAreRefusedAndLogged) {
  auto cls = Submit(Req(EventKind::kRetentionSet, "retention-class/TEST-2d",
                        {{kAttrPeriodDays, "2"}, {kAttrLocked, "true"}}));
  ASSERT_TRUE(cls.refusal.ok()) << cls.refusal;

  // Day 1: too early. Refused, and the refusal is an entry.
  *now_ += kMicrosPerDay;
  auto early = Submit(Dispose());
  EXPECT_EQ(early.refusal.reason(), "retention_not_expired");
  Event logged = Decode(early.index);
  EXPECT_EQ(logged.kind, EventKind::kRecordDisposed);
  EXPECT_EQ(logged.outcome, Outcome::kDenied);
  EXPECT_NE(logged.outcome_reason.find("retention_not_expired"), std::string::npos);
  EXPECT_TRUE(store_->GetPayload(payload_.digest).ok());

  // Shortening the locked class is refused too.
  EXPECT_EQ(Submit(Req(EventKind::kRetentionSet, "retention-class/TEST-2d",
                       {{kAttrPeriodDays, "1"}, {kAttrLocked, "true"}}))
                .refusal.reason(),
            "class_locked");

  // Day 3, under legal hold: refused whatever the retain-until.
  ASSERT_TRUE(Submit(Hold(true, "legal"), *legal_).refusal.ok());
  *now_ += 2 * kMicrosPerDay;
  EXPECT_EQ(Submit(Dispose()).refusal.reason(), "legal_hold_active");
  // The key that placed the hold cannot release it, whatever role it claims.
  auto same = Submit(Hold(false, "compliance"), *legal_);
  EXPECT_EQ(same.refusal.reason(), "same_stamper_release");
  EXPECT_EQ(Decode(same.index).outcome, Outcome::kDenied);
  ASSERT_TRUE(Submit(Hold(false, "legal"), *compliance_).refusal.ok());

  // Expired and released: disposed. Only the body goes.
  const uint64_t size_before = store_->size();
  auto done = Submit(Dispose());
  ASSERT_TRUE(done.refusal.ok()) << done.refusal;
  EXPECT_EQ(store_->size(), size_before + 1);
  EXPECT_EQ(store_->GetPayload(payload_.digest).status().reason(), "payload_not_found");
  auto leaf0 = store_->GetLeaf(0);
  ASSERT_TRUE(leaf0.ok());  // the record's leaf is still proven in the tree
  EXPECT_EQ(Decode(0).payload_digest, payload_.digest);
  EXPECT_TRUE(store_->Audit().ok());
  EXPECT_TRUE(store::AuditRetention(*store_).ok());
  EXPECT_EQ(Submit(Dispose()).refusal.reason(), "already_disposed");

  // The export of the record's history verifies: disposal consistent with
  // the history, the body listed as absent, every proof valid.
  auto req = Request();
  req.subjects = {"record/r-1"};
  bundle::Files f = Export(req);
  auto report = Verify(f);
  EXPECT_TRUE(report.ok()) << Failed(report);
  EXPECT_NE(f[bundle::kPayloadsJson].find("\"absent\""), std::string::npos);
}

// On a log whose notary does not enforce the rules (no state map), the
// readers still catch what the host let through.
TEST_F(RetentionStoreTest, ADisposalTheHistoryForbidsIsFlagged) {
  Start(/*enforcing=*/false);
  ASSERT_TRUE(Submit(Class(2)).refusal.ok());
  // A host that bypasses the check and appends a successful disposal on day 1.
  *now_ += kMicrosPerDay;
  ASSERT_TRUE(AppendUnplanned(Dispose(), *records_).ok());

  Status audit = store::AuditRetention(*store_);
  EXPECT_EQ(audit.reason(), "retention_violation");
  EXPECT_NE(audit.message().find("retention_not_expired"), std::string::npos);

  auto req = Request();
  req.subjects = {"record/r-1"};
  auto report = Verify(Export(req));
  EXPECT_TRUE(Fails(report, "retention")) << Failed(report);
}

// The retention history inside an unfiltered export's range is all there:
// an exporter that cuts the hold off the head of a whole-log export, and
// records the result with EXPORT_CREATED, fails entries.boundaries. (On this
// log without a map, a hold from before a declared `from` is evidence the
// exporter selects; a log with the map proves it: retention_state_test.cc.)
TEST_F(RetentionStoreTest, AHoldInsideAnUnfilteredExportCannotBeLeftOut) {
  Start(/*enforcing=*/false);
  ASSERT_TRUE(Submit(Class(2)).refusal.ok());                      // entry 1
  ASSERT_TRUE(Submit(Hold(true, "legal"), *legal_).refusal.ok());  // entry 2
  // Expired but held: a host that bypasses the check disposes anyway.
  *now_ += 3 * kMicrosPerDay;
  ASSERT_TRUE(AppendUnplanned(Dispose(), *records_).ok());  // entry 3

  bundle::Files f = Export(Request());
  EXPECT_TRUE(Fails(Verify(f), "retention")) << Failed(Verify(f));
  // Keep the disposal as the only entry; the record and the class
  // configuration become evidence, as the exporter ships them; the hold goes.
  const auto lines = bundle::SplitLines(f[bundle::kEntriesJsonl]).value();
  f[bundle::kEvidenceJsonl] = std::string(lines[0]) + "\n" + std::string(lines[1]) + "\n";
  f[bundle::kEntriesJsonl] = std::string(lines[3]) + "\n";
  auto m = nlohmann::json::parse(f[bundle::kExportManifest]);
  m["scope"]["range"]["first"] = 3;
  Reseal(f, m);
  auto r = Verify(f);
  EXPECT_FALSE(Fails(r, "retention")) << Failed(r);  // the replay no longer sees the hold
  EXPECT_TRUE(Fails(r, "entries.boundaries")) << Failed(r);
}

// The notary enforces the rules itself: a host that bypasses its own check
// and sends an early or held disposal, or a release by the placing key,
// gets nothing sequenced.
TEST_F(RetentionStoreTest, TheSequencerRefusesWhatTheHostLetsThrough) {
  ASSERT_TRUE(Submit(Class(2)).refusal.ok());
  *now_ += kMicrosPerDay;
  const uint64_t size = store_->size();
  EXPECT_EQ(Append(Dispose(), *records_).status().reason(), "retention_not_expired");
  ASSERT_TRUE(Submit(Hold(true, "legal"), *legal_).refusal.ok());
  *now_ += 2 * kMicrosPerDay;
  EXPECT_EQ(Append(Dispose(), *records_).status().reason(), "legal_hold_active");
  // The host's planner refuses a same-key release as the notary would
  // (the sequencer's own refusal: tests/ledger/core/sequencer/sequencer_retention_test.cc).
  EXPECT_EQ(Append(Hold(false, "compliance"), *legal_).status().reason(), "same_stamper_release");
  EXPECT_EQ(store_->size(), size + 1);  // only the hold
  // Shortening the (unlocked) class: refused too.
  EXPECT_EQ(Append(Class(1), *records_).status().reason(), "retention_shortened");
  EXPECT_TRUE(store_->Audit().ok());
  EXPECT_TRUE(store::AuditRetention(*store_).ok());
}

// The host's clock runs ahead: its own check passes, the notary's clock
// refuses, and that refusal is what goes on record. The body stays.
TEST_F(RetentionStoreTest, AHostClockAheadCannotGetAnEarlyDisposal) {
  ASSERT_TRUE(Submit(Class(2)).refusal.ok());
  *now_ += kMicrosPerDay;  // the notary: day 1
  auto r = TrySubmit(Dispose(), *records_, *now_ + 5 * kMicrosPerDay);  // the host: day 6
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->refusal.reason(), "retention_not_expired");
  Event logged = Decode(r->index);
  EXPECT_EQ(logged.outcome, Outcome::kDenied);
  EXPECT_NE(logged.outcome_reason.find("retention_not_expired"), std::string::npos);
  EXPECT_TRUE(store_->GetPayload(payload_.digest).ok());
  EXPECT_TRUE(store::AuditRetention(*store_).ok());
}

// A notary that does not enforce (no map) sequences the early disposal at
// its own time; the host re-checks against that entry's recorded_at before
// erasing, and keeps the body.
TEST_F(RetentionStoreTest, TheBodyIsErasedOnlyIfTheSequencedDisposalAllowsIt) {
  Start(/*enforcing=*/false);
  ASSERT_TRUE(Submit(Class(2)).refusal.ok());
  *now_ += kMicrosPerDay;
  auto r = TrySubmit(Dispose(), *records_, *now_ + 5 * kMicrosPerDay);
  EXPECT_EQ(r.status().reason(), "retention_violation") << r.status();
  EXPECT_NE(r.status().message().find("retention_not_expired"), std::string::npos);
  EXPECT_TRUE(store_->GetPayload(payload_.digest).ok());  // not erased
}

// A body the store received at append and lost without a disposal is
// reported as missing, by the store audit and by verify-bundle; a digest
// logged without its body is not.
TEST_F(RetentionStoreTest, ABodyDeletedWithoutDisposalIsMissing) {
  Event bare = MakeEvent(1, "record/r-2");
  bare.payload_digest = Sha256::Digest("never uploaded");
  ASSERT_TRUE(Append(bare, *records_).ok());
  EXPECT_TRUE(store::AuditRetention(*store_).ok());
  EXPECT_EQ(store_->PayloadState(*bare.payload_digest).value(),
            store::PayloadPresence::kNeverReceived);

  store::WriteBatch wb;
  wb.Erase(store::Column::kPayloads,
           Bytes(payload_.digest.bytes.begin(), payload_.digest.bytes.end()));
  ASSERT_TRUE(store_->kv().Write(wb).ok());
  EXPECT_EQ(store_->PayloadState(payload_.digest).value(), store::PayloadPresence::kMissing);
  Status audit = store::AuditRetention(*store_);
  EXPECT_EQ(audit.reason(), "payload_missing") << audit;
  EXPECT_NE(audit.message().find("entry 0"), std::string::npos);

  auto req = Request();
  req.subjects = {"record/r-1", "record/r-2"};
  bundle::Files f = Export(req);
  EXPECT_NE(f[bundle::kPayloadsJson].find("\"missing\""), std::string::npos);
  auto report = Verify(f);
  EXPECT_TRUE(Fails(report, "payloads")) << Failed(report);
}

TEST_F(RetentionStoreTest, OnlyRetentionRequestsAreAccepted) {
  auto append = [](const Event&) -> Result<SequencedBatch> {
    return Status::Internal("unreachable", "must not append");
  };
  Event e = MakeEvent(5);
  EXPECT_EQ(store::SubmitRetentionEvent(*store_, e, *now_, append).status().reason(),
            "not_a_retention_request");
}

}  // namespace
}  // namespace ledger::testing
