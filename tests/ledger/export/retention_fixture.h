// A log whose notary clock a test moves, with three submitter keys, for the
// retention tests (retention_test.cc, retention_state_test.cc).
#pragma once

#include "ledger/record/stamp.h"
#include "ledger/retention/retention.h"
#include "ledger/store/retention.h"

#include "export_fixture.h"

namespace ledger::testing {

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

}  // namespace ledger::testing
