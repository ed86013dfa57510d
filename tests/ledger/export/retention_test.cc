// Retention end to end on a real store, with a notary clock the test moves:
// early and held disposals are refused and the refusals are on record; a
// disposal after expiry removes only the payload body (every leaf, proof and
// the full audit stay valid); the store audit and verify-bundle flag a
// disposal the log's own history forbids.
#include "ledger/store/retention.h"

#include "export_fixture.h"

namespace ledger::testing {
namespace {

class RetentionStoreTest : public ExportTest {
 protected:
  void SetUp() override {
    now_ = std::make_shared<uint64_t>(1'700'000'000'000'000ull);
    auto now = now_;
    seq_ = Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), {},
                              [now] { return *now; })
               .value();
    store_ = NewStore(seq_);
    // Entry 0: a record with a payload under the custom class TEST-2d.
    Event e = MakeEvent(0, "record/r-1");
    e.retention_class = "TEST-2d";
    payload_ = {Sha256::Digest("the original"), ToBytes("the original"), "text/plain"};
    e.payload_digest = payload_.digest;
    std::vector<SubmittedEvent> events = {{EncodeEvent(e).value(), {}}};
    auto b = seq_.Sequence(0, seq_.head().range.Root(), events);
    ASSERT_TRUE(b.ok());
    std::vector<store::Payload> payloads = {payload_};
    ASSERT_TRUE(store_->Append(*b, payloads).ok());
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
  store::RetentionOutcome Submit(const Event& e) {
    auto append = [this](const Event& ev) -> Result<SequencedBatch> {
      ASSIGN_OR_RETURN(Bytes bytes, EncodeEvent(ev));
      std::vector<SubmittedEvent> events = {{bytes, {}}};
      ASSIGN_OR_RETURN(SequencedBatch b,
                       seq_.Sequence(seq_.head().size(), seq_.head().range.Root(), events));
      RETURN_IF_ERROR(store_->Append(b));
      return b;
    };
    auto r = store::SubmitRetentionEvent(*store_, e, *now_, append);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : store::RetentionOutcome{};
  }
  Event Dispose() {
    return Req(EventKind::kRecordDisposed, "record/r-1",
               {{kAttrDisposedDigest, payload_.digest.Hex()}, {kAttrRecordIndex, "0"}});
  }
  Event Hold(bool place, const std::string& role) {
    return Req(place ? EventKind::kLegalHoldPlaced : EventKind::kLegalHoldReleased, "record/r-1",
               {{kAttrHoldId, "case-42"}, {kAttrRole, role}});
  }
  Event Decode(uint64_t index) {
    return DecodeEvent(DecodeLeaf(store_->GetLeaf(index)->leaf)->event).value();
  }

  std::shared_ptr<uint64_t> now_;
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
  ASSERT_TRUE(Submit(Hold(true, "legal")).refusal.ok());
  *now_ += 2 * kMicrosPerDay;
  EXPECT_EQ(Submit(Dispose()).refusal.reason(), "legal_hold_active");
  EXPECT_EQ(Submit(Hold(false, "legal")).refusal.reason(), "same_role_release");
  ASSERT_TRUE(Submit(Hold(false, "compliance")).refusal.ok());

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

TEST_F(RetentionStoreTest, ADisposalTheHistoryForbidsIsFlagged) {
  ASSERT_TRUE(Submit(Req(EventKind::kRetentionSet, "retention-class/TEST-2d",
                         {{kAttrPeriodDays, "2"}}))
                  .refusal.ok());
  // A host that bypasses the check and appends a successful disposal on day 1.
  Event forged = Dispose();
  std::vector<SubmittedEvent> events = {{EncodeEvent(forged).value(), {}}};
  *now_ += kMicrosPerDay;
  auto b = seq_.Sequence(seq_.head().size(), seq_.head().range.Root(), events);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(store_->Append(*b).ok());

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
  ASSERT_TRUE(Submit(Req(EventKind::kRetentionSet, "retention-class/TEST-2d",
                         {{kAttrPeriodDays, "2"}}))
                  .refusal.ok());                          // entry 1
  ASSERT_TRUE(Submit(Hold(true, "legal")).refusal.ok());  // entry 2
  // Expired but held: a host that bypasses the check disposes anyway.
  *now_ += 3 * kMicrosPerDay;
  std::vector<SubmittedEvent> events = {{EncodeEvent(Dispose()).value(), {}}};
  auto b = seq_.Sequence(seq_.head().size(), seq_.head().range.Root(), events);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(store_->Append(*b).ok());  // entry 3

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
