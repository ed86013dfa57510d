// Retention end to end on a real store, with a notary clock the test moves:
// early and held disposals are refused (by the host and by the sequencer,
// at its own time) and the refusals are on record; a hold is released only
// by another stamper key; a disposal after expiry removes only the payload
// body (every leaf, proof and the full audit stay valid); on a log whose
// notary does not enforce, the store audit and verify-bundle flag a
// disposal the log's own history forbids; a body lost without a disposal is
// reported missing.
#include "ledger/store/retention.h"

#include "ledger/stamp.h"

#include "export_fixture.h"

namespace ledger::testing {
namespace {

class RetentionStoreTest : public ExportTest {
 protected:
  void SetUp() override { Start(/*enforcing=*/true); }

  // A log whose sequencer keeps the state map and so enforces the rules
  // (retention.md §5), or, `enforcing` false, one that does not (a notary
  // without the map: only the host and the readers judge). Three submitter
  // keys; entry 0 is a record with a payload under the custom class TEST-2d.
  void Start(bool enforcing) {
    now_ = std::make_shared<uint64_t>(1'700'000'000'000'000ull);
    auto now = now_;
    SubmitterPolicy policy;
    for (auto* k : {&legal_, &compliance_, &records_}) {
      policy.submitters.push_back(
          {std::shared_ptr<const note::Verifier>(
               note::ParseVerifierKey((*k)->VerifierKey()).value()),
           {}});
    }
    policy.require_stamps = false;  // the exporter's EXPORT_CREATED entries are not stamped
    SequencerOptions o;
    o.state_map = enforcing;
    seq_ = Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), policy,
                              [now] { return *now; }, o)
               .value();
    store_ = NewStore(seq_);
    Event e = MakeEvent(0, "record/r-1");
    e.retention_class = "TEST-2d";
    payload_ = {Sha256::Digest("the original"), ToBytes("the original"), "text/plain"};
    e.payload_digest = payload_.digest;
    std::vector<store::Payload> payloads = {payload_};
    ASSERT_TRUE(Append(e, *records_, payloads).ok());
  }

  // Stamps `e` with `by`, plans the map proofs on the store as a host does
  // and sequences it.
  Result<SequencedBatch> Append(const Event& e, const note::Signer& by,
                                std::span<const store::Payload> payloads = {}) {
    ASSIGN_OR_RETURN(Bytes bytes, EncodeEvent(e));
    ASSIGN_OR_RETURN(Bytes stamp, MakeStamp(kOrigin, bytes, by));
    std::vector<SubmittedEvent> events = {{bytes, stamp}};
    ASSIGN_OR_RETURN(store::LogStore::MapPlan plan, store_->PlanMap(events));
    ASSIGN_OR_RETURN(SequencedBatch b,
                     seq_.Sequence(seq_.head().size(), seq_.head().range.Root(), events,
                                   plan.map_proofs, plan.stamp_proofs, plan.retention_proofs));
    RETURN_IF_ERROR(store_->Append(b, payloads));
    return b;
  }
  // A host that bypasses the checks: sequenced with no retention proof
  // (only a sequencer without the map takes it).
  Result<SequencedBatch> AppendUnplanned(const Event& e, const note::Signer& by) {
    ASSIGN_OR_RETURN(Bytes bytes, EncodeEvent(e));
    ASSIGN_OR_RETURN(Bytes stamp, MakeStamp(kOrigin, bytes, by));
    std::vector<SubmittedEvent> events = {{bytes, stamp}};
    ASSIGN_OR_RETURN(SequencedBatch b,
                     seq_.Sequence(seq_.head().size(), seq_.head().range.Root(), events));
    RETURN_IF_ERROR(store_->Append(b));
    return b;
  }

  Event Req(EventKind kind, const std::string& subject,
            std::vector<std::pair<std::string, std::string>> attrs) {
    Event e;
    e.kind = kind;
    e.event_id = "ret-" + std::to_string(++n_);
    e.occurred_at_us = *now_;
    e.actor.id = "compliance-officer";
    e.subject = subject;
    e.attributes = std::move(attrs);
    return e;
  }
  Result<store::RetentionOutcome> TrySubmit(const Event& e, const note::Signer& by,
                                            std::optional<uint64_t> host_now = std::nullopt) {
    auto append = [this, &by](const Event& ev) { return Append(ev, by); };
    return store::SubmitRetentionEvent(*store_, e, host_now.value_or(*now_), append,
                                       Stamper{by.name(), by.key_id()});
  }
  store::RetentionOutcome Submit(const Event& e, const note::Signer& by) {
    auto r = TrySubmit(e, by);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : store::RetentionOutcome{};
  }
  store::RetentionOutcome Submit(const Event& e) { return Submit(e, *records_); }
  Event Dispose() {
    return Req(EventKind::kRecordDisposed, "record/r-1",
               {{kAttrDisposedDigest, payload_.digest.Hex()}, {kAttrRecordIndex, "0"}});
  }
  Event Hold(bool place, const std::string& role) {
    return Req(place ? EventKind::kLegalHoldPlaced : EventKind::kLegalHoldReleased, "record/r-1",
               {{kAttrHoldId, "case-42"}, {kAttrRole, role}});
  }
  Event Class(uint64_t days, bool lock = false) {
    std::vector<std::pair<std::string, std::string>> a = {{kAttrPeriodDays, std::to_string(days)}};
    if (lock) a.push_back({kAttrLocked, "true"});
    return Req(EventKind::kRetentionSet, "retention-class/TEST-2d", a);
  }
  Event Decode(uint64_t index) {
    return DecodeEvent(DecodeLeaf(store_->GetLeaf(index)->leaf)->event).value();
  }

  std::shared_ptr<uint64_t> now_;
  std::unique_ptr<note::Signer> legal_ = note::NewEd25519Signer(
      "legal.example", Ed25519PrivateKey::FromSeed(Bytes(32, 0x31)).value());
  std::unique_ptr<note::Signer> compliance_ = note::NewEd25519Signer(
      "compliance.example", Ed25519PrivateKey::FromSeed(Bytes(32, 0x32)).value());
  std::unique_ptr<note::Signer> records_ = note::NewEd25519Signer(
      "records.example", Ed25519PrivateKey::FromSeed(Bytes(32, 0x33)).value());
  store::Payload payload_;
  int n_ = 0;
};

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
// records the result with EXPORT_CREATED, fails entries.boundaries. (A hold
// from before a declared `from` is evidence the exporter selects: not proven.)
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
  // (the sequencer's own refusal: tests/ledger/core/sequencer_retention_test.cc).
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
