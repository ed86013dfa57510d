// A stamped event is sequenced at most once for the life of the log
// (map.md §5a): with the state map, every stamped entry sets its stamp key and
// the sequencer refuses one whose key is set, whatever its replay window and
// across a restore from the signed head.
#include <gtest/gtest.h>

#include "ledger/merkle/merkle.h"
#include "ledger/note/ecdsa_note.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"
#include "ledger/sequencer/sequencer.h"
#include "state_map_reference.h"

namespace ledger {
namespace {

namespace sm = state_map;
constexpr char kOrigin[] = "ledger.example/replay-log";

Ed25519PrivateKey LogKey() { return Ed25519PrivateKey::FromSeed(Bytes(32, 0x61)).value(); }
Ed25519PrivateKey SubmitterKey() { return Ed25519PrivateKey::FromSeed(Bytes(32, 0x62)).value(); }
uint32_t LogKeyId() { return note::NewEd25519Signer(kOrigin, LogKey())->key_id(); }
uint64_t Now() { return 1'700'000'000'000'000ull; }

SequencerOptions Options() {
  SequencerOptions o;
  o.state_map = true;
  o.replay_window = 2;  // no longer what refuses a replay
  return o;
}

Bytes EventBytes(uint64_t n) {
  Event e;
  e.kind = EventKind::kSignatureProduced;
  e.event_id = "sig-" + std::to_string(n);
  e.occurred_at_us = 1'700'000'000'000'000ull + n;
  e.actor.id = "svc/signer";
  e.subject = "key/k-" + std::to_string(n % 2);
  return EncodeEvent(e).value();
}

struct Planned {
  std::vector<SubmittedEvent> events;
  std::vector<sm::Proof> map_proofs, stamp_proofs;
};

// A host that keeps the map in the reference and plans, for each entry, the
// stamp key's proof and then the subject's, as the notary applies them.
class Host {
 public:
  Planned Plan(uint64_t first_index, const std::vector<SubmittedEvent>& events) {
    Planned out{events, {}, {}};
    planned_ = entries_;
    for (size_t i = 0; i < events.size(); ++i) {
      const uint64_t index = first_index + i;
      const Hash stamp_key = sm::StampKeyOf(events[i].event);
      out.stamp_proofs.push_back(sm::reference::Prove(planned_, stamp_key));
      if (sm::RecordsStamp(events[i].stamp, kOrigin, LogKeyId()) &&
          !planned_.contains(stamp_key)) {
        planned_[stamp_key] = sm::StampValue(index);
      }
      const Event e = DecodeEvent(events[i].event).value();
      const Hash key = sm::KeyOf(e.subject);
      out.map_proofs.push_back(sm::reference::Prove(planned_, key));
      auto it = planned_.find(key);
      planned_[key] = sm::NextValue(
          it == planned_.end() ? std::nullopt : std::optional<sm::Value>(it->second), index,
          e.new_state_hash);
    }
    return out;
  }
  void Commit() { entries_ = planned_; }
  const sm::reference::Entries& entries() const { return entries_; }

 private:
  sm::reference::Entries entries_, planned_;
};

class SequencerReplayTest : public ::testing::Test {
 protected:
  SequencerReplayTest() {
    policy_.submitters.push_back(
        {std::shared_ptr<const note::Verifier>(
             note::NewEd25519Verifier("svc-signer", SubmitterKey().public_key())),
         {}});
    seq_.emplace(Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), policy_,
                                    Now, Options())
                     .value());
  }
  SubmittedEvent Stamped(uint64_t n) const {
    Bytes ev = EventBytes(n);
    return {ev, MakeStamp(kOrigin, ev, *submitter_).value()};
  }
  Result<SequencedBatch> Send(const std::vector<SubmittedEvent>& events, bool commit = true) {
    Planned p = host_.Plan(seq_->head().size(), events);
    auto b = seq_->Sequence(seq_->head().size(), seq_->head().range.Root(), p.events,
                            p.map_proofs, p.stamp_proofs);
    if (b.ok() && commit) {
      host_.Commit();
      leaf_hashes_.insert(leaf_hashes_.end(), b->leaf_hashes.begin(), b->leaf_hashes.end());
      last_leaf_ = b->leaves.back();
    }
    return b;
  }
  // A restarted sequencer, restored from the head the host holds.
  Sequencer Restored() const {
    const LogHead& head = seq_->head();
    const uint64_t size = head.size();
    auto proof = merkle::InclusionProof(size - 1, size,
                                        [&](uint32_t level, uint64_t index) -> Result<Hash> {
                                          const uint64_t w = uint64_t{1} << level;
                                          return merkle::RootFromLeafHashes(
                                              std::span(leaf_hashes_).subspan(index * w, w));
                                        })
                     .value();
    return Sequencer::Restore(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), policy_, Now,
                              head.checkpoint_note, head.range.nodes(), last_leaf_, proof,
                              Options())
        .value();
  }

  SubmitterPolicy policy_;
  std::unique_ptr<note::Signer> submitter_ = note::NewEd25519Signer("svc-signer", SubmitterKey());
  std::optional<Sequencer> seq_;
  Host host_;
  std::vector<Hash> leaf_hashes_;
  Bytes last_leaf_;
};

TEST_F(SequencerReplayTest, AWindowOfTwoNoLongerMatters) {
  for (uint64_t n : {1, 2, 3}) ASSERT_TRUE(Send({Stamped(n)}).ok());
  // E1 left the window of 2 long ago; its stamp key is still in the map.
  auto again = Send({Stamped(1)}, false);
  EXPECT_EQ(again.status().reason(), "replayed_stamp") << again.status();
  EXPECT_NE(again.status().message().find("at index 0"), std::string::npos);
  // Twice in one batch: the second proof shows the key the first one set.
  EXPECT_EQ(Send({Stamped(4), Stamped(4)}, false).status().reason(), "replayed_stamp");
  // A host that hides the key (an absence proof from before E1) is caught.
  Planned stale = Host().Plan(seq_->head().size(), {Stamped(1)});
  EXPECT_EQ(seq_->Sequence(seq_->head().size(), seq_->head().range.Root(), stale.events,
                           host_.Plan(seq_->head().size(), {Stamped(1)}).map_proofs,
                           stale.stamp_proofs)
                .status()
                .reason(),
            "map_proof_mismatch");
  // Without the stamp key's proof nothing is sequenced.
  Planned p = host_.Plan(seq_->head().size(), {Stamped(5)});
  EXPECT_EQ(seq_->Sequence(seq_->head().size(), seq_->head().range.Root(), p.events, p.map_proofs)
                .status()
                .reason(),
            "map_proofs_missing");
  EXPECT_EQ(seq_->head().size(), 3u);
  EXPECT_EQ(host_.entries().at(sm::StampKeyOf(EventBytes(2))), sm::StampValue(1));
}

TEST_F(SequencerReplayTest, ARestoredSequencerRefusesWhatItsPredecessorSequenced) {
  ASSERT_TRUE(Send({Stamped(1)}).ok());
  Sequencer restarted = Restored();
  seq_.emplace(std::move(restarted));
  EXPECT_EQ(Send({Stamped(1)}, false).status().reason(), "replayed_stamp");
  EXPECT_TRUE(Send({Stamped(2)}).ok());
}

// The stamp key names the event, not the stamp bytes: a second, different
// stamp by the same key over the same event (ECDSA P-256 signing is
// randomized) is the same authorization and is refused too.
TEST_F(SequencerReplayTest, AnotherStampOverTheSameEventIsAReplay) {
  auto p256 = note::NewP256Signer("svc-p256", P256PrivateKey::FromScalar(Bytes(32, 7)).value());
  policy_.submitters.push_back(
      {std::shared_ptr<const note::Verifier>(note::ParseVerifierKey(p256->VerifierKey()).value()),
       {}});
  seq_->SetPolicy(policy_, "");
  const Bytes ev = EventBytes(9);
  const Bytes first = MakeStamp(kOrigin, ev, *p256).value();
  Bytes second = MakeStamp(kOrigin, ev, *p256).value();
  ASSERT_NE(first, second);
  ASSERT_TRUE(Send({{ev, first}}).ok());
  EXPECT_EQ(Send({{ev, second}}, false).status().reason(), "replayed_stamp");
  // By another submitter too: the event was sequenced.
  EXPECT_EQ(Send({{ev, MakeStamp(kOrigin, ev, *submitter_).value()}}, false).status().reason(),
            "replayed_stamp");
}

// The log key's own stamps (the notary's ENCLAVE_BOOTED and POLICY_CHANGED,
// made fresh by the notary) set no stamp key and need no proof; a stamp that
// only claims the log key's name and key ID must verify with the log key.
TEST_F(SequencerReplayTest, TheLogKeysOwnEntriesSetNoStampKey) {
  auto log_signer = note::NewEd25519Signer(kOrigin, LogKey());
  policy_.submitters.push_back(
      {std::shared_ptr<const note::Verifier>(
           note::ParseVerifierKey(log_signer->VerifierKey()).value()),
       {}});
  seq_->SetPolicy(policy_, "");
  Event boot;
  boot.kind = EventKind::kEnclaveBooted;  // the log key stamps only the notary's records
  boot.event_id = "boot-20";
  boot.occurred_at_us = 1'700'000'000'000'020ull;
  boot.actor.id = "notary";
  boot.subject = "notary/" + std::string(kOrigin);
  const Bytes ev = EncodeEvent(boot).value();
  const Bytes own = MakeStamp(kOrigin, ev, *log_signer).value();
  EXPECT_FALSE(sm::RecordsStamp(own, log_signer->name(), log_signer->key_id()));
  EXPECT_TRUE(sm::RecordsStamp(Stamped(20).stamp, log_signer->name(), log_signer->key_id()));
  Planned p = host_.Plan(0, {{ev, own}});
  auto b = seq_->Sequence(0, merkle::EmptyRoot(), p.events, p.map_proofs);  // no stamp proof
  ASSERT_TRUE(b.ok()) << b.status();
  sm::reference::Entries subject_only;
  subject_only[sm::KeyOf(boot.subject)] = sm::NextValue(std::nullopt, 0, std::nullopt);
  EXPECT_EQ(seq_->head().map_root, sm::reference::Root(subject_only));
}

}  // namespace
}  // namespace ledger
