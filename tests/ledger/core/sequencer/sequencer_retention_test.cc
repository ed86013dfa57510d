// The retention rules enforced by the sequencer (retention.md §5, map.md
// §5b): with the state map, a disposal, a hold release and a class or
// retain-until change are judged at the recorded_at the sequencer assigns
// (its clock, not the host's), on the retention records the host proves
// from the map; a forbidden one, or one whose records the host hides or
// forges, refuses the batch.
#include <gtest/gtest.h>

#include "ledger/merkle/merkle.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"
#include "ledger/retention/retention.h"
#include "ledger/retention/retention_map.h"
#include "ledger/sequencer/sequencer.h"
#include "state_map_reference.h"

namespace ledger {
namespace {

namespace sm = state_map;
namespace rm = retention_map;
constexpr char kOrigin[] = "ledger.example/retention-log";
constexpr uint64_t kT0 = 1'700'000'000'000'000ull;
constexpr uint64_t kDay = kMicrosPerDay;

Ed25519PrivateKey Seed(uint8_t b) { return Ed25519PrivateKey::FromSeed(Bytes(32, b)).value(); }

// A host that keeps the map in the reference, the retention records beside
// it and every leaf, and plans each entry's proofs as the notary applies
// them: stamp key, subject, then the retention keys.
class Host {
 public:
  struct Planned {
    std::vector<sm::Proof> map_proofs, stamp_proofs;
    std::vector<std::optional<rm::RetentionProof>> retention_proofs;
  };

  Planned Plan(uint64_t first_index, const std::vector<SubmittedEvent>& events) {
    Planned out;
    planned_ = entries_;
    for (size_t i = 0; i < events.size(); ++i) {
      const uint64_t index = first_index + i;
      const Hash stamp_key = sm::StampKeyOf(events[i].event);
      out.stamp_proofs.push_back(sm::reference::Prove(planned_, stamp_key));
      if (!events[i].stamp.empty() && !planned_.contains(stamp_key)) {
        planned_[stamp_key] = sm::StampValue(index);
      }
      const Event e = DecodeEvent(events[i].event).value();
      const Hash key = sm::KeyOf(e.subject);
      out.map_proofs.push_back(sm::reference::Prove(planned_, key));
      planned_[key] = sm::NextValue(Find(key), index, e.new_state_hash);
      out.retention_proofs.push_back(PlanRetention(e, StamperOf(events[i].stamp), index));
    }
    return out;
  }
  void Commit(const SequencedBatch& b) {
    entries_ = planned_;
    for (size_t i = 0; i < b.leaves.size(); ++i) {
      leaves_.push_back(b.leaves[i]);
      leaf_hashes_.push_back(b.leaf_hashes[i]);
    }
  }
  rm::RetentionProof::RecordLeaf Leaf(uint64_t index) const {
    const uint64_t size = leaf_hashes_.size();
    auto proof =
        merkle::InclusionProof(index, size, [&](uint32_t level, uint64_t i) -> Result<Hash> {
          const uint64_t w = uint64_t{1} << level;
          return merkle::RootFromLeafHashes(std::span(leaf_hashes_).subspan(i * w, w));
        }).value();
    return {leaves_[index], proof};
  }
  rm::RetentionProof::Keyed Keyed(const Hash& key) const {
    rm::RetentionProof::Keyed k{sm::reference::Prove(planned_, key), {}};
    if (auto v = Find(key)) k.record = records_.at(v->state);
    return k;
  }
  const sm::reference::Entries& entries() const { return entries_; }

 private:
  std::optional<sm::Value> Find(const Hash& key) const {
    auto it = planned_.find(key);
    return it == planned_.end() ? std::nullopt : std::optional<sm::Value>(it->second);
  }
  void SetRecord(const Hash& key, uint64_t index, const Bytes& record) {
    records_[Sha256::Digest(record)] = record;
    planned_[key] = rm::RecordValue(Find(key), index, record);
  }
  // The proofs, and the update when the rules allow it (without the time:
  // that is the notary's to judge).
  std::optional<rm::RetentionProof> PlanRetention(const Event& e, const Stamper& by,
                                                  uint64_t index) {
    rm::RetentionProof p;
    switch (RuleOf(e)) {
      case RetentionRule::kNone:
        return std::nullopt;
      case RetentionRule::kConfigureClass: {
        const Hash key = rm::ClassKey(ConfiguredClass(e));
        p.cls = Keyed(key);
        std::optional<ClassRetention> cls;
        if (!p.cls->record.empty()) cls = ClassRetention::Decode(p.cls->record).value();
        if (ConfigureClass(e, cls).ok()) SetRecord(key, index, cls->Encode());
        return p;
      }
      case RetentionRule::kExtend:
      case RetentionRule::kPlaceHold:
      case RetentionRule::kReleaseHold: {
        const Hash key = rm::SubjectKey(e.subject);
        p.subject = Keyed(key);
        SubjectRetention s;
        if (!p.subject->record.empty()) s = SubjectRetention::Decode(p.subject->record).value();
        Status ok = RuleOf(e) == RetentionRule::kExtend      ? ExtendRetention(e, s)
                    : RuleOf(e) == RetentionRule::kPlaceHold ? PlaceHold(e, by, s)
                                                             : ReleaseHold(e, by, s);
        if (ok.ok()) SetRecord(key, index, s.Encode());
        return p;
      }
      case RetentionRule::kDispose: {
        const uint64_t record = DisposedIndex(e).value();
        if (record >= leaves_.size()) return p;  // nothing to prove: the notary refuses
        p.record = Leaf(record);
        const Event recorded = DecodeEvent(DecodeLeaf(p.record->leaf)->event).value();
        p.subject = Keyed(rm::SubjectKey(e.subject));
        if (!recorded.retention_class.empty())
          p.cls = Keyed(rm::ClassKey(recorded.retention_class));
        const Hash key = rm::DisposalKey(record);
        p.disposal = sm::reference::Prove(planned_, key);
        if (!Find(key)) planned_[key] = rm::DisposalValue(index, *recorded.payload_digest);
        return p;
      }
    }
    return std::nullopt;
  }

  sm::reference::Entries entries_, planned_;
  std::map<Hash, Bytes> records_;
  std::vector<Bytes> leaves_;
  std::vector<Hash> leaf_hashes_;
};

class SequencerRetentionTest : public ::testing::Test {
 protected:
  SequencerRetentionTest() {
    for (auto* k : {&legal_, &compliance_, &records_}) {
      policy_.submitters.push_back({std::shared_ptr<const note::Verifier>(
                                        note::ParseVerifierKey((*k)->VerifierKey()).value()),
                                    {}});
    }
    SequencerOptions o;
    o.state_map = true;
    auto clock = clock_;
    seq_.emplace(Sequencer::Genesis(
                     kOrigin, note::NewEd25519Signer(kOrigin, Seed(0x71)), policy_,
                     [clock] { return *clock; }, o)
                     .value());
  }
  void SetUp() override {
    // Entry 0: a record of class TEST-2d with a payload; entry 1: one of
    // the built-in SEC-17a-4-3y; entry 2: one of a class never configured.
    ASSERT_TRUE(Send(Record("record/r-1", "TEST-2d", "body-1"), *records_).ok());
    ASSERT_TRUE(Send(Record("record/r-2", "SEC-17a-4-3y", "body-2"), *records_).ok());
    ASSERT_TRUE(Send(Record("record/r-3", "UNCONFIGURED", "body-3"), *records_).ok());
  }

  Event Ev(EventKind kind, const std::string& subject,
           std::vector<std::pair<std::string, std::string>> attributes) {
    Event e;
    e.kind = kind;
    e.event_id = "e-" + std::to_string(++n_);
    e.occurred_at_us = *clock_;
    e.actor.id = "officer";
    e.subject = subject;
    e.attributes = std::move(attributes);
    return e;
  }
  Event Record(const std::string& subject, const std::string& cls, const std::string& body) {
    Event e = Ev(EventKind::kSignatureProduced, subject, {});
    e.retention_class = cls;
    e.payload_digest = Sha256::Digest(body);
    return e;
  }
  Event Class(uint64_t days, bool lock = false, const std::string& name = "TEST-2d") {
    std::vector<std::pair<std::string, std::string>> a = {{kAttrPeriodDays, std::to_string(days)}};
    if (lock) a.push_back({kAttrLocked, "true"});
    return Ev(EventKind::kRetentionSet, "retention-class/" + name, a);
  }
  Event Hold(bool place, const std::string& id = "case-1", const std::string& role = "legal") {
    return Ev(place ? EventKind::kLegalHoldPlaced : EventKind::kLegalHoldReleased, "record/r-1",
              {{kAttrHoldId, id}, {kAttrRole, role}});
  }
  Event Dispose(uint64_t index = 0, const std::string& subject = "record/r-1",
                const std::string& body = "body-1") {
    return Ev(EventKind::kRecordDisposed, subject,
              {{kAttrDisposedDigest, Sha256::Digest(body).Hex()},
               {kAttrRecordIndex, std::to_string(index)}});
  }
  SubmittedEvent Stamp(const Event& e, const note::Signer& by) {
    Bytes bytes = EncodeEvent(e).value();
    return {bytes, MakeStamp(kOrigin, bytes, by).value()};
  }
  Result<SequencedBatch> Send(const Event& e, const note::Signer& by) {
    return SendPlanned({Stamp(e, by)}, nullptr);
  }
  // Sends with the host's plan, after `tamper` (if any) changed it.
  Result<SequencedBatch> SendPlanned(const std::vector<SubmittedEvent>& events,
                                     const std::function<void(Host::Planned&)>& tamper) {
    Host::Planned p = host_.Plan(seq_->head().size(), events);
    if (tamper) tamper(p);
    auto b = seq_->Sequence(seq_->head().size(), seq_->head().range.Root(), events, p.map_proofs,
                            p.stamp_proofs, p.retention_proofs);
    if (b.ok()) host_.Commit(*b);
    return b;
  }
  std::string Reason(const Event& e, const note::Signer& by) {
    auto b = Send(e, by);
    return b.ok() ? "ok" : b.status().reason();
  }

  std::shared_ptr<uint64_t> clock_ = std::make_shared<uint64_t>(kT0);
  std::unique_ptr<note::Signer> legal_ = note::NewEd25519Signer("legal.example", Seed(0x72));
  std::unique_ptr<note::Signer> compliance_ =
      note::NewEd25519Signer("compliance.example", Seed(0x73));
  std::unique_ptr<note::Signer> records_ = note::NewEd25519Signer("records.example", Seed(0x74));
  SubmitterPolicy policy_;
  std::optional<Sequencer> seq_;
  Host host_;
  int n_ = 0;
};

TEST_F(SequencerRetentionTest, AnEarlyDisposalIsRefusedAtTheSequencersTime) {
  ASSERT_EQ(Reason(Class(2), *records_), "ok");
  *clock_ = kT0 + kDay;
  const uint64_t size = seq_->head().size();
  auto early = Send(Dispose(), *records_);
  EXPECT_EQ(early.status().reason(), "retention_not_expired") << early.status();
  EXPECT_NE(early.status().message().find("event 0"), std::string::npos);
  EXPECT_EQ(seq_->head().size(), size);  // nothing sequenced
  // Built-in class with no configuration: its regulatory minimum applies.
  EXPECT_EQ(Reason(Dispose(1, "record/r-2", "body-2"), *records_), "retention_not_expired");
  // A custom class never configured: kept until it is.
  *clock_ = kT0 + 1000 * kDay;
  EXPECT_EQ(Reason(Dispose(2, "record/r-3", "body-3"), *records_), "unknown_retention_class");
  // Expired: sequenced, once.
  ASSERT_EQ(Reason(Dispose(), *records_), "ok");
  EXPECT_EQ(host_.entries().at(rm::DisposalKey(0)).index, seq_->head().size() - 1);
  EXPECT_EQ(Reason(Dispose(), *records_), "already_disposed");
  // A disposal naming another body than the record's is refused.
  EXPECT_EQ(Reason(Dispose(1, "record/r-2", "not-body-2"), *records_), "disposal_mismatch");
  // And one of a record the log does not hold yet.
  EXPECT_EQ(Reason(Dispose(999), *records_), "unknown_record");
}

// The host's clock runs three days ahead and it stamps its request then: the
// sequencer's clock, one day after the record, decides.
TEST_F(SequencerRetentionTest, AHostClockSkewedForwardCannotDisposeEarly) {
  ASSERT_EQ(Reason(Class(2), *records_), "ok");
  *clock_ = kT0 + kDay;
  Event e = Dispose();
  e.occurred_at_us = kT0 + 3 * kDay;
  EXPECT_EQ(Reason(e, *records_), "retention_not_expired");
  *clock_ = kT0 + 2 * kDay;
  EXPECT_EQ(Reason(e, *records_), "ok");
}

TEST_F(SequencerRetentionTest, AHoldBlocksDisposalAndOnlyAnotherKeyReleasesIt) {
  ASSERT_EQ(Reason(Class(2), *records_), "ok");
  ASSERT_EQ(Reason(Hold(true), *legal_), "ok");
  EXPECT_EQ(Reason(Hold(true), *compliance_), "hold_exists");
  *clock_ = kT0 + 10 * kDay;
  EXPECT_EQ(Reason(Dispose(), *records_), "legal_hold_active");
  // The placing key cannot release it, whatever role it writes.
  EXPECT_EQ(Reason(Hold(false, "case-1", "compliance"), *legal_), "same_stamper_release");
  EXPECT_EQ(Reason(Hold(false, "case-2"), *compliance_), "no_such_hold");
  ASSERT_EQ(Reason(Hold(false, "case-1", "legal"), *compliance_), "ok");
  SubjectRetention s =
      SubjectRetention::Decode(host_.Keyed(rm::SubjectKey("record/r-1")).record).value();
  EXPECT_TRUE(s.holds.empty());
  EXPECT_EQ(Reason(Dispose(), *records_), "ok");
}

TEST_F(SequencerRetentionTest, TheHoldRecordNamesThePlacingKey) {
  ASSERT_EQ(Reason(Hold(true), *legal_), "ok");
  SubjectRetention s =
      SubjectRetention::Decode(host_.Keyed(rm::SubjectKey("record/r-1")).record).value();
  ASSERT_EQ(s.holds.size(), 1u);
  EXPECT_EQ(s.holds.at("case-1"), (Stamper{legal_->name(), legal_->key_id()}));
}

TEST_F(SequencerRetentionTest, PeriodsAndRetainUntilOnlyExtend) {
  ASSERT_EQ(Reason(Class(5), *records_), "ok");
  EXPECT_EQ(Reason(Class(1), *records_), "retention_shortened");  // unlocked, still refused
  ASSERT_EQ(Reason(Class(5, true), *records_), "ok");
  EXPECT_EQ(Reason(Class(6, false), *records_), "class_locked");
  EXPECT_EQ(Reason(Class(365, false, "SEC-17a-4-6y"), *records_), "below_regulatory_minimum");
  ASSERT_EQ(Reason(Class(6, true), *records_), "ok");

  auto extend = [&](uint64_t until) {
    return Ev(EventKind::kRetentionSet, "record/r-1",
              {{kAttrRetainUntilUs, std::to_string(until)}});
  };
  ASSERT_EQ(Reason(extend(kT0 + 30 * kDay), *records_), "ok");
  EXPECT_EQ(Reason(extend(kT0 + 20 * kDay), *records_), "retention_shortened");
  *clock_ = kT0 + 10 * kDay;  // past the class period, before the extension
  EXPECT_EQ(Reason(Dispose(), *records_), "retention_not_expired");
  *clock_ = kT0 + 30 * kDay;
  EXPECT_EQ(Reason(Dispose(), *records_), "ok");
}

// A host that hides or forges what the map says is caught by the proofs.
TEST_F(SequencerRetentionTest, AHiddenOrForgedRetentionRecordIsRefused) {
  ASSERT_EQ(Reason(Class(2), *records_), "ok");
  // The proof of the subject key from before the hold existed.
  const rm::RetentionProof::Keyed before = host_.Keyed(rm::SubjectKey("record/r-1"));
  ASSERT_EQ(Reason(Hold(true), *legal_), "ok");
  *clock_ = kT0 + 10 * kDay;
  const std::vector<SubmittedEvent> dispose = {Stamp(Dispose(), *records_)};

  // The absence proof from before the hold: does not fold to the root.
  auto hidden =
      SendPlanned(dispose, [&](Host::Planned& p) { p.retention_proofs[0]->subject = before; });
  EXPECT_EQ(hidden.status().reason(), "map_proof_mismatch") << hidden.status();
  // The right proof with a record without the hold.
  auto forged = SendPlanned(dispose, [&](Host::Planned& p) {
    p.retention_proofs[0]->subject->record = SubjectRetention{}.Encode();
  });
  EXPECT_EQ(forged.status().reason(), "retention_record_mismatch") << forged.status();
  // The record's leaf with another recorded_at: not the leaf in the tree.
  auto leaf = SendPlanned(dispose, [&](Host::Planned& p) {
    ::ledger::Leaf l = DecodeLeaf(p.retention_proofs[0]->record->leaf).value();
    l.recorded_at_us -= 100 * kDay;
    p.retention_proofs[0]->record->leaf = EncodeLeaf(l).value();
  });
  EXPECT_EQ(leaf.status().reason(), "record_proof_mismatch") << leaf.status();
  // No retention proof at all.
  auto none = SendPlanned(dispose, [&](Host::Planned& p) { p.retention_proofs[0].reset(); });
  EXPECT_EQ(none.status().reason(), "retention_proof_missing") << none.status();
  // A hold release proven against a forged empty record: refused too.
  auto release = SendPlanned({Stamp(Hold(false), *compliance_)},
                             [&](Host::Planned& p) { p.retention_proofs[0]->subject = before; });
  EXPECT_EQ(release.status().reason(), "map_proof_mismatch") << release.status();
  // The honest plan: held.
  EXPECT_EQ(SendPlanned(dispose, nullptr).status().reason(), "legal_hold_active");
}

TEST_F(SequencerRetentionTest, RefusalsAndInformationalEntriesNeedNoProof) {
  Event denied = Dispose();
  denied.outcome = Outcome::kDenied;
  denied.outcome_reason = "retention_not_expired: on record";
  EXPECT_EQ(Reason(denied, *records_), "ok");
  Event info = Ev(EventKind::kRecordDisposed, "record/r-1", {});  // no record_index
  EXPECT_EQ(Reason(info, *records_), "ok");
}

TEST(RetentionProofTest, EncodingRoundTripsAndIsStrict) {
  rm::RetentionProof p;
  p.subject = rm::RetentionProof::Keyed{sm::Proof{}, ToBytes("rec")};
  p.disposal = sm::Proof{};
  p.record = rm::RetentionProof::RecordLeaf{ToBytes("leaf"), {Sha256::Digest("a")}};
  const Bytes enc = p.Encode();
  EXPECT_EQ(rm::RetentionProof::Decode(enc).value(), p);
  EXPECT_EQ(enc[0], 0x01);
  EXPECT_EQ(enc[1], 0x01 | 0x04 | 0x08);
  Bytes bad = enc;
  bad[1] |= 0x10;
  EXPECT_EQ(rm::RetentionProof::Decode(bad).status().reason(), "malformed_retention_proof");
  bad = enc;
  bad.push_back(0);
  EXPECT_EQ(rm::RetentionProof::Decode(bad).status().reason(), "malformed_retention_proof");
  // Keys of the three kinds differ from each other and from subject keys.
  EXPECT_NE(rm::SubjectKey("x"), rm::ClassKey("x"));
  EXPECT_NE(rm::SubjectKey("x"), sm::KeyOf("x"));
  EXPECT_NE(rm::DisposalKey(0), rm::DisposalKey(1));
}

}  // namespace
}  // namespace ledger
