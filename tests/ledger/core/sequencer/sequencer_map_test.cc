// The sequencer with the state map (SequencerOptions::state_map, map.md §4-§6):
// the map root moves only by host-supplied proofs that verify, every
// checkpoint carries the map line, STATE_NOTARIZED is compare-and-swap, and a
// restored sequencer takes the map root from its own signed head.
#include <gtest/gtest.h>

#include "ledger/merkle/merkle.h"
#include "ledger/note/checkpoint.h"
#include "ledger/record/event.h"
#include "ledger/sequencer/sequencer.h"
#include "state_map_reference.h"

namespace ledger {
namespace {

namespace sm = state_map;
constexpr char kOrigin[] = "ledger.example/map-log";

Ed25519PrivateKey LogKey() { return Ed25519PrivateKey::FromSeed(Bytes(32, 0x5a)).value(); }

uint64_t Now() { return 1'700'000'000'000'000ull; }

SequencerOptions MapOptions() {
  SequencerOptions o;
  o.state_map = true;
  return o;
}

Event MakeEvent(uint64_t n, const std::string& subject) {
  Event e;
  e.kind = EventKind::kKeyCreated;
  e.event_id = "evt-" + std::to_string(n);
  e.occurred_at_us = 1'700'000'000'000'000ull + n;
  e.actor.id = "svc";
  e.subject = subject;
  return e;
}

struct Planned {
  std::vector<SubmittedEvent> events;
  std::vector<sm::Proof> proofs;
};

// A host that keeps the map in the reference and hands out proofs.
class Host {
 public:
  // Proofs planned in batch order.
  Planned Plan(uint64_t first_index, const std::vector<Event>& events) {
    Planned out;
    planned_ = entries_;
    for (size_t i = 0; i < events.size(); ++i) {
      const Hash key = sm::KeyOf(events[i].subject);
      out.events.push_back({EncodeEvent(events[i]).value(), {}});
      out.proofs.push_back(sm::reference::Prove(planned_, key));
      const auto it = planned_.find(key);
      planned_[key] = sm::NextValue(
          it == planned_.end() ? std::nullopt : std::optional<sm::Value>(it->second),
          first_index + i, events[i].new_state_hash);
    }
    return out;
  }
  void Commit() { entries_ = planned_; }
  Hash Root() const { return sm::reference::Root(entries_); }
  const sm::reference::Entries& entries() const { return entries_; }

 private:
  sm::reference::Entries entries_, planned_;
};

Result<Hash> SignedMapRoot(const SequencedBatch& b) {
  ASSIGN_OR_RETURN(auto root, sm::FindRoot(b.checkpoint.extensions));
  if (!root) return Status::NotFound("no_map_line", "");
  return *root;
}

class SequencerMapTest : public ::testing::Test {
 protected:
  Result<SequencedBatch> Send(const Planned& p) {
    return seq_.Sequence(seq_.head().size(), seq_.head().range.Root(), p.events, p.proofs);
  }
  Sequencer seq_ = Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), {},
                                      Now, MapOptions())
                       .value();
  Host host_;
};

TEST_F(SequencerMapTest, EveryCheckpointCarriesTheMapRootTheHostComputes) {
  auto genesis = Checkpoint::FromText(
      note::Parse(seq_.head().checkpoint_note).value().text).value();
  EXPECT_EQ(genesis.extensions, std::vector<std::string>{sm::ExtensionLine(sm::EmptyHash())});
  for (int round = 0; round < 5; ++round) {
    std::vector<Event> events;
    for (int i = 0; i < 7; ++i) {
      events.push_back(MakeEvent(seq_.head().size() + i, "key/k-" + std::to_string((round * 7 + i) % 11)));
    }
    auto batch = Send(host_.Plan(seq_.head().size(), events));
    ASSERT_TRUE(batch.ok()) << batch.status();
    host_.Commit();
    EXPECT_EQ(SignedMapRoot(*batch).value(), host_.Root());
    EXPECT_EQ(seq_.head().map_root, host_.Root());
  }
}

TEST_F(SequencerMapTest, HostCannotSkipReorderOrInventUpdates) {
  ASSERT_TRUE(Send(host_.Plan(0, {MakeEvent(0, "a"), MakeEvent(1, "b")})).ok());
  host_.Commit();
  const LogHead before = seq_.head();
  // A proof against the map before the last update (an omitted update).
  Host stale;
  auto omitted = stale.Plan(2, {MakeEvent(2, "a")});
  EXPECT_EQ(Send(omitted).status().reason(), "map_proof_mismatch");
  // Proofs planned in the other order than the events are sent.
  auto planned = host_.Plan(2, {MakeEvent(2, "c"), MakeEvent(3, "a")});
  std::swap(planned.proofs[0], planned.proofs[1]);
  EXPECT_FALSE(Send(planned).ok());
  // A forged sibling, and "absent" for a present subject.
  auto forged = host_.Plan(2, {MakeEvent(2, "a")});
  ASSERT_FALSE(forged.proofs[0].siblings.empty());
  forged.proofs[0].siblings[0].bytes[0] ^= 1;
  EXPECT_EQ(Send(forged).status().reason(), "map_proof_mismatch");
  auto hidden = host_.Plan(2, {MakeEvent(2, "a")});
  hidden.proofs[0].leaf.reset();
  EXPECT_EQ(Send(hidden).status().reason(), "map_proof_mismatch");
  // Nothing moved.
  EXPECT_EQ(seq_.head().checkpoint_note, before.checkpoint_note);
  EXPECT_EQ(seq_.head().map_root, before.map_root);
}

TEST_F(SequencerMapTest, StateNotarizedIsCompareAndSwap) {
  auto notarize = [&](uint64_t n, std::optional<Hash> prior, Hash next) {
    Event e = MakeEvent(n, "billing/db");
    e.kind = EventKind::kStateNotarized;
    e.prior_state_hash = prior;
    e.new_state_hash = next;
    return e;
  };
  const Hash v1 = Sha256::Digest("v1"), v2 = Sha256::Digest("v2"), v3 = Sha256::Digest("v3");
  ASSERT_TRUE(Send(host_.Plan(0, {notarize(0, std::nullopt, v1)})).ok());
  host_.Commit();
  ASSERT_TRUE(Send(host_.Plan(1, {notarize(1, v1, v2)})).ok());
  host_.Commit();
  // A writer that still believes v1 is current (stale, or rolled back).
  auto stale = Send(host_.Plan(2, {MakeEvent(2, "other"), notarize(3, v1, v3)}));
  EXPECT_EQ(stale.status().reason(), "state_conflict");
  EXPECT_NE(stale.status().message().find("event 1"), std::string::npos);
  EXPECT_EQ(Send(host_.Plan(2, {notarize(2, std::nullopt, v3)})).status().reason(),
            "state_conflict");
  EXPECT_EQ(seq_.head().size(), 2u);
  auto ok = Send(host_.Plan(2, {notarize(2, v2, v3)}));
  ASSERT_TRUE(ok.ok()) << ok.status();
  host_.Commit();
  EXPECT_EQ(host_.entries().at(sm::KeyOf("billing/db")), (sm::Value{2, 3, v3}));
}

// Review F1: a key admitted for another kind reset a subject's state to a
// stale hash without compare-and-swap. Every entry that moves a state is one.
TEST_F(SequencerMapTest, EveryKindThatMovesAStateIsCompareAndSwap) {
  auto with_state = [&](uint64_t n, EventKind kind, std::optional<Hash> prior, Hash next) {
    Event e = MakeEvent(n, "svc/db");
    e.kind = kind;
    e.prior_state_hash = prior;
    e.new_state_hash = next;
    return e;
  };
  const Hash a = Sha256::Digest("A"), b = Sha256::Digest("B"), c = Sha256::Digest("C");
  ASSERT_TRUE(
      Send(host_.Plan(0, {with_state(0, EventKind::kStateNotarized, std::nullopt, a)})).ok());
  host_.Commit();
  ASSERT_TRUE(Send(host_.Plan(1, {with_state(1, EventKind::kStateNotarized, a, b)})).ok());
  host_.Commit();
  // The attack: another kind carrying the stale state, with or without a prior.
  for (EventKind kind : {EventKind::kKeyCreated, EventKind::kVerificationRun}) {
    EXPECT_EQ(Send(host_.Plan(2, {with_state(2, kind, std::nullopt, a)})).status().reason(),
              "state_conflict");
    EXPECT_EQ(Send(host_.Plan(2, {with_state(2, kind, a, a)})).status().reason(), "state_conflict");
  }
  EXPECT_EQ(seq_.head().size(), 2u);
  // Against the current state, any kind may move it; without a state hash,
  // an entry moves only the index and version.
  ASSERT_TRUE(Send(host_.Plan(2, {with_state(2, EventKind::kKeyRotated, b, c)})).ok());
  host_.Commit();
  ASSERT_TRUE(Send(host_.Plan(3, {MakeEvent(3, "svc/db")})).ok());
  host_.Commit();
  EXPECT_EQ(host_.entries().at(sm::KeyOf("svc/db")), (sm::Value{3, 4, c}));
}

TEST_F(SequencerMapTest, RestoreTakesTheMapRootFromTheSignedHead) {
  std::vector<Hash> leaf_hashes;
  Bytes last_leaf;
  for (uint64_t i = 0; i < 3; ++i) {
    auto b = Send(host_.Plan(i, {MakeEvent(i, "s/" + std::to_string(i % 2))})).value();
    host_.Commit();
    leaf_hashes.push_back(b.leaf_hashes[0]);
    last_leaf = b.leaves[0];
  }
  const LogHead& head = seq_.head();
  std::vector<Hash> frontier = head.range.nodes();
  auto proof = merkle::InclusionProof(2, 3, [&](uint32_t level, uint64_t index) -> Result<Hash> {
    const uint64_t w = uint64_t{1} << level;
    return merkle::RootFromLeafHashes(std::span(leaf_hashes).subspan(index * w, w));
  });
  ASSERT_TRUE(proof.ok());
  auto restored = Sequencer::Restore(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), {}, Now,
                                     head.checkpoint_note, frontier, last_leaf, *proof,
                                     MapOptions());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->head().map_root, host_.Root());
  const Planned p = host_.Plan(3, {MakeEvent(3, "s/0")});
  auto next = restored->Sequence(3, head.range.Root(), p.events, p.proofs);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(restored->Sequence(4, next->checkpoint.root, p.events).status().reason(),
            "map_proofs_missing");
  // A head without a map line cannot be restored into a map-keeping sequencer.
  Sequencer plain = Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), {},
                                       Now).value();
  EXPECT_EQ(Sequencer::Restore(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), {}, Now,
                               plain.head().checkpoint_note, {}, {}, {}, MapOptions())
                .status()
                .reason(),
            "map_root_missing");
}

}  // namespace
}  // namespace ledger
