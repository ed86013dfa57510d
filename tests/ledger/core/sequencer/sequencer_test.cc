#include "ledger/sequencer/sequencer.h"

#include <gtest/gtest.h>

#include "ledger/note/ecdsa_note.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"

namespace ledger {
namespace {

constexpr char kOrigin[] = "ledger.example/seq";

Ed25519PrivateKey LogKey() { return Ed25519PrivateKey::FromSeed(Bytes(32, 3)).value(); }
Ed25519PrivateKey SubmitterKey() { return Ed25519PrivateKey::FromSeed(Bytes(32, 4)).value(); }

Bytes EventBytes(uint64_t n) {
  Event e;
  e.kind = EventKind::kKeyRotated;
  e.event_id = "e-" + std::to_string(n);
  e.occurred_at_us = 1000 + n;
  e.actor.id = "svc/rotator";
  e.subject = "key/k-" + std::to_string(n % 3);
  return EncodeEvent(e).value();
}

std::vector<SubmittedEvent> Batch(uint64_t first, size_t n) {
  std::vector<SubmittedEvent> out;
  for (size_t i = 0; i < n; ++i) out.push_back({EventBytes(first + i), {}});
  return out;
}

// A clock the test moves, including backwards.
struct TestClock {
  std::shared_ptr<uint64_t> now = std::make_shared<uint64_t>(5'000'000);
  Sequencer::Clock fn() const {
    auto n = now;
    return [n] { return *n; };
  }
};

Sequencer Genesis(TestClock clock, SubmitterPolicy policy = {}) {
  return Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), std::move(policy),
                            clock.fn())
      .value();
}

TEST(SequencerTest, GenesisSignsTheEmptyCheckpoint) {
  Sequencer s = Genesis({});
  auto v = note::NewEd25519Verifier(kOrigin, LogKey().public_key());
  auto cp = VerifyCheckpoint(s.head().checkpoint_note, *v).value();
  EXPECT_EQ(cp.checkpoint.size, 0u);
  EXPECT_EQ(cp.checkpoint.root, merkle::EmptyRoot());
  EXPECT_EQ(s.head().last_leaf_hash, ChainGenesis(kOrigin));
  auto wrong = Sequencer::Genesis("other.example/log", note::NewEd25519Signer(kOrigin, LogKey()),
                                  {}, TestClock().fn());
  EXPECT_EQ(wrong.status().reason(), "signer_origin_mismatch");
}

TEST(SequencerTest, IndicesChainAndNeverDecreasingTime) {
  TestClock clock;
  Sequencer s = Genesis(clock);
  auto v = note::NewEd25519Verifier(kOrigin, LogKey().public_key());
  std::vector<Hash> all;
  std::vector<std::pair<uint64_t, Hash>> checkpoints = {{0, merkle::EmptyRoot()}};
  Hash prev = ChainGenesis(kOrigin);
  uint64_t last_time = 0;
  for (int round = 0; round < 6; ++round) {
    // The clock jumps backwards every other round: recorded_at must not.
    *clock.now += round % 2 == 0 ? 1000 : static_cast<uint64_t>(-500);
    auto b = s.Sequence(s.head().size(), s.head().range.Root(), Batch(all.size(), 3 + round));
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(b->first_index, all.size());
    for (size_t i = 0; i < b->leaves.size(); ++i) {
      Leaf leaf = DecodeLeaf(b->leaves[i]).value();
      EXPECT_EQ(leaf.index, all.size());
      EXPECT_TRUE(VerifyChainLink(leaf, prev, all.size()).ok());
      EXPECT_GE(leaf.recorded_at_us, last_time);
      EXPECT_EQ(merkle::LeafHash(b->leaves[i]), b->leaf_hashes[i]);
      last_time = leaf.recorded_at_us;
      prev = b->leaf_hashes[i];
      all.push_back(prev);
    }
    auto cp = VerifyCheckpoint(b->checkpoint_note, *v).value();
    EXPECT_EQ(cp.checkpoint, b->checkpoint);
    EXPECT_EQ(cp.checkpoint.root, merkle::RootFromLeafHashes(all));
    checkpoints.emplace_back(cp.checkpoint.size, cp.checkpoint.root);
  }
  // Every pair of signed checkpoints is consistent.
  merkle::NodeSource source = [&](uint32_t level, uint64_t index) -> Result<Hash> {
    return merkle::RootFromLeafHashes(
        std::span<const Hash>(all).subspan(index << level, size_t{1} << level));
  };
  for (auto [s1, r1] : checkpoints) {
    for (auto [s2, r2] : checkpoints) {
      if (s1 > s2) continue;
      auto p = merkle::ConsistencyProof(s1, s2, source).value();
      EXPECT_TRUE(merkle::VerifyConsistency(s1, s2, p, r1, r2).ok()) << s1 << "->" << s2;
    }
  }
}

TEST(SequencerTest, RefusesAStaleHostHeadAndBadBatchesWithoutChangingState) {
  Sequencer s = Genesis({});
  ASSERT_TRUE(s.Sequence(0, merkle::EmptyRoot(), Batch(0, 4)).ok());
  const Hash root = s.head().range.Root();
  EXPECT_EQ(s.Sequence(3, root, Batch(4, 1)).status().reason(), "head_mismatch");
  EXPECT_EQ(s.Sequence(4, merkle::EmptyRoot(), Batch(4, 1)).status().reason(), "head_mismatch");
  EXPECT_EQ(s.Sequence(4, root, {}).status().reason(), "empty_batch");
  auto bad = Batch(4, 3);
  bad[2].event.push_back(0);  // trailing byte: not a canonical event
  auto r = s.Sequence(4, root, bad);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("event 2"), std::string::npos);
  auto huge = Batch(4, 1);
  huge[0].stamp = Bytes(70000, 1);
  EXPECT_FALSE(s.Sequence(4, root, huge).ok());
  EXPECT_EQ(s.head().size(), 4u);
  EXPECT_EQ(s.head().range.Root(), root);
  SequencerOptions small;
  small.max_batch = 2;
  Sequencer t = Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), {},
                                   TestClock().fn(), small)
                    .value();
  EXPECT_EQ(t.Sequence(0, merkle::EmptyRoot(), Batch(0, 3)).status().reason(), "batch_too_large");
}

TEST(SequencerTest, StampsAreCheckedAgainstThePolicy) {
  auto sub = note::NewEd25519Signer("svc-kms", SubmitterKey());
  SubmitterPolicy policy;
  policy.submitters.push_back(
      {std::shared_ptr<const note::Verifier>(
           note::NewEd25519Verifier("svc-kms", SubmitterKey().public_key())),
       {}});
  Sequencer s = Genesis({}, policy);
  Bytes ev = EventBytes(0);
  Bytes stamp = MakeStamp(kOrigin, ev, *sub).value();
  EXPECT_EQ(s.Sequence(0, merkle::EmptyRoot(), {{{ev, {}}}}).status().reason(), "missing_stamp");
  // A stamp made for another log, or over another event, does not verify.
  Bytes other_log = MakeStamp("other.example/log", ev, *sub).value();
  EXPECT_EQ(s.Sequence(0, merkle::EmptyRoot(), {{{ev, other_log}}}).status().code(),
            Code::kVerificationFailed);
  Bytes other_event = MakeStamp(kOrigin, EventBytes(1), *sub).value();
  EXPECT_EQ(s.Sequence(0, merkle::EmptyRoot(), {{{ev, other_event}}}).status().code(),
            Code::kVerificationFailed);
  auto stranger = note::NewEd25519Signer("svc-kms", Ed25519PrivateKey::Generate().value());
  EXPECT_EQ(s.Sequence(0, merkle::EmptyRoot(), {{{ev, MakeStamp(kOrigin, ev, *stranger).value()}}})
                .status()
                .code(),
            Code::kVerificationFailed);
  auto b = s.Sequence(0, merkle::EmptyRoot(), {{{ev, stamp}}});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(DecodeLeaf(b->leaves[0])->stamp, stamp);
  // The host cannot append the same stamped event again, alone or twice in a batch.
  EXPECT_EQ(s.Sequence(1, s.head().range.Root(), {{{ev, stamp}}}).status().reason(),
            "replayed_stamp");
  Bytes ev2 = EventBytes(2);
  Bytes stamp2 = MakeStamp(kOrigin, ev2, *sub).value();
  EXPECT_EQ(s.Sequence(1, s.head().range.Root(), {{{ev2, stamp2}, {ev2, stamp2}}}).status().reason(),
            "replayed_stamp");
  EXPECT_TRUE(s.Sequence(1, s.head().range.Root(), {{{ev2, stamp2}}}).ok());
}

// The policy's submitter keys are vkeys of any stamp type (stamp.md §1).
TEST(SequencerTest, AcceptsEd25519P256AndSecp256k1Submitters) {
  std::unique_ptr<note::Signer> subs[] = {
      note::NewEd25519Signer("svc-ed", SubmitterKey()),
      note::NewP256Signer("svc-p256", P256PrivateKey::FromScalar(Bytes(32, 5)).value()),
      note::NewSecp256k1Signer("svc-k1", Bytes(32, 6)).value()};
  SubmitterPolicy policy;
  for (const auto& sub : subs) {
    policy.submitters.push_back(
        {std::shared_ptr<const note::Verifier>(note::ParseVerifierKey(sub->VerifierKey()).value()),
         {}});
  }
  Sequencer s = Genesis({}, policy);
  for (uint64_t i = 0; i < 3; ++i) {
    Bytes ev = EventBytes(10 + i);
    auto b = s.Sequence(i, s.head().range.Root(), {{{ev, MakeStamp(kOrigin, ev, *subs[i]).value()}}});
    ASSERT_TRUE(b.ok()) << i << ": " << b.status();
    // A stamp of this event by a key outside the policy is refused.
    auto stranger =
        i == 1 ? note::NewP256Signer(subs[i]->name(), P256PrivateKey::Generate().value())
               : note::NewSecp256k1Signer(subs[i]->name(), Bytes(32, 7)).value();
    Bytes ev2 = EventBytes(20 + i);
    EXPECT_EQ(s.Sequence(i + 1, s.head().range.Root(),
                         {{{ev2, MakeStamp(kOrigin, ev2, *stranger).value()}}})
                  .status()
                  .reason(),
              "unknown_submitter")
        << i;
  }
  EXPECT_EQ(s.head().size(), 3u);
}

TEST(SequencerTest, SubmittersMayAppendOnlyTheirKinds) {
  auto sub = note::NewEd25519Signer("svc-signer", SubmitterKey());
  SubmitterPolicy policy;
  policy.submitters.push_back(
      {std::shared_ptr<const note::Verifier>(
           note::NewEd25519Verifier("svc-signer", SubmitterKey().public_key())),
       {EventKind::kSignatureProduced, EventKind::kSignatureRejected}});
  Sequencer s = Genesis({}, policy);
  Bytes rotate = EventBytes(0);  // KEY_ROTATED
  auto r = s.Sequence(0, merkle::EmptyRoot(), {{{rotate, MakeStamp(kOrigin, rotate, *sub).value()}}});
  EXPECT_EQ(r.status().reason(), "unauthorized_kind");
  Event e;
  e.kind = EventKind::kSignatureProduced;
  e.event_id = "sig-1";
  e.occurred_at_us = 1;
  e.actor.id = "svc/signer";
  e.subject = "key/k-1";
  Bytes sig = EncodeEvent(e).value();
  EXPECT_TRUE(s.Sequence(0, merkle::EmptyRoot(), {{{sig, MakeStamp(kOrigin, sig, *sub).value()}}}).ok());
}

TEST(SequencerTest, RestoreAcceptsOnlyItsOwnConsistentHead) {
  TestClock clock;
  Sequencer s = Genesis(clock);
  auto b = s.Sequence(0, merkle::EmptyRoot(), Batch(0, 5)).value();
  std::vector<Hash> leaves = b.leaf_hashes;
  merkle::NodeSource source = [&](uint32_t level, uint64_t index) -> Result<Hash> {
    return merkle::RootFromLeafHashes(
        std::span<const Hash>(leaves).subspan(index << level, size_t{1} << level));
  };
  auto proof = merkle::InclusionProof(4, 5, source).value();
  auto restore = [&](const std::string& note, std::vector<Hash> frontier, const Bytes& last,
                     std::vector<Hash> last_proof, Ed25519PrivateKey key) {
    return Sequencer::Restore(kOrigin, note::NewEd25519Signer(kOrigin, std::move(key)), {},
                              clock.fn(), note, std::move(frontier), last, last_proof);
  };
  auto good = restore(b.checkpoint_note, s.head().range.nodes(), b.leaves[4], proof, LogKey());
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->head().last_leaf_hash, s.head().last_leaf_hash);
  EXPECT_EQ(good->head().last_recorded_at_us, s.head().last_recorded_at_us);
  auto next = good->Sequence(5, b.checkpoint.root, Batch(5, 2));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(DecodeLeaf(next->leaves[0])->prev_leaf_hash, b.leaf_hashes[4]);

  // A head signed by another key (e.g. an attacker's) is refused.
  EXPECT_FALSE(restore(b.checkpoint_note, s.head().range.nodes(), b.leaves[4], proof,
                       Ed25519PrivateKey::Generate().value())
                   .ok());
  // A frontier that does not fold to the signed root.
  auto frontier = s.head().range.nodes();
  frontier[0].bytes[0] ^= 1;
  EXPECT_EQ(restore(b.checkpoint_note, frontier, b.leaves[4], proof, LogKey()).status().reason(),
            "frontier_mismatch");
  // A last leaf that is not the last leaf.
  EXPECT_FALSE(restore(b.checkpoint_note, s.head().range.nodes(), b.leaves[3], proof, LogKey()).ok());
  // A truncated frontier.
  EXPECT_FALSE(restore(b.checkpoint_note, {}, b.leaves[4], proof, LogKey()).ok());
}

}  // namespace
}  // namespace ledger
