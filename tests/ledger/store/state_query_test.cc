// State answers (state_query.h) verified offline (state_proof.h, map.md §9),
// from a store fed by a map-keeping sequencer; and the ways a host could lie.
#include "ledger/store/state_query.h"

#include <gtest/gtest.h>

#include "ledger/record/leaf.h"
#include "test_log.h"

namespace ledger::store {
namespace {

namespace sm = state_map;
using testing::LogVerifier;

class StateQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SequencerOptions o;
    o.state_map = true;
    seq_.emplace(Sequencer::Genesis(testing::kOrigin,
                                    note::NewEd25519Signer(testing::kOrigin, testing::LogKey()),
                                    {}, testing::FixedClock(1'700'000'000'000'000ull), o)
                     .value());
    store_ = LogStore::Create(std::make_unique<MemoryKv>(), seq_->head().checkpoint_note,
                              LogVerifier())
                 .value();
  }

  // Sequences `events` with proofs planned by the store, as a host does.
  Status Append(const std::vector<Event>& events) {
    MapUpdater planner = store_->NewMapUpdater();
    std::vector<SubmittedEvent> submitted;
    std::vector<sm::Proof> proofs;
    for (size_t i = 0; i < events.size(); ++i) {
      ASSIGN_OR_RETURN(auto step, planner.Apply(events[i], store_->size() + i));
      proofs.push_back(step.proof);
      submitted.push_back({EncodeEvent(events[i]).value(), {}});
    }
    ASSIGN_OR_RETURN(auto batch, seq_->Sequence(store_->size(), seq_->head().range.Root(),
                                                submitted, proofs));
    return store_->Append(batch);
  }

  Event Notarize(uint64_t n, const std::string& subject, std::optional<Hash> prior,
                 const Hash& next) {
    Event e = testing::MakeEvent(n, subject);
    e.kind = EventKind::kStateNotarized;
    e.prior_state_hash = prior;
    e.new_state_hash = next;
    return e;
  }

  Result<sm::VerifiedState> Verify(const sm::StateProof& p) {
    return sm::VerifyStateProof(p, *LogVerifier());
  }

  std::optional<Sequencer> seq_;
  std::unique_ptr<LogStore> store_;
  const Hash v1_ = Sha256::Digest("db v1"), v2_ = Sha256::Digest("db v2");
};

TEST_F(StateQueryTest, LatestStateAbsenceAndOlderCheckpoints) {
  ASSERT_TRUE(Append({Notarize(0, "svc/db", std::nullopt, v1_), testing::MakeEvent(1)}).ok());
  const uint64_t first_size = store_->size();
  ASSERT_TRUE(Append({testing::MakeEvent(2), Notarize(3, "svc/db", v1_, v2_)}).ok());

  auto latest = Verify(ProveState(*store_, "svc/db").value());
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->value, (sm::Value{3, 2, v2_}));
  EXPECT_EQ(latest->event->new_state_hash, v2_);
  EXPECT_EQ(latest->checkpoint.size, store_->size());

  auto older = Verify(ProveState(*store_, "svc/db", first_size).value());
  ASSERT_TRUE(older.ok()) << older.status();
  EXPECT_EQ(older->value, (sm::Value{0, 1, v1_}));
  EXPECT_EQ(older->checkpoint.size, first_size);

  auto absent = Verify(ProveState(*store_, "svc/never").value());
  ASSERT_TRUE(absent.ok()) << absent.status();
  EXPECT_FALSE(absent->value.has_value());
  EXPECT_EQ(ProveState(*store_, "svc/db", 3).status().reason(), "no_checkpoint");

  // The history has as many entries as the map's version.
  auto history = StateHistory(*store_, "svc/db").value();
  ASSERT_EQ(history.size(), latest->value->version);
  EXPECT_EQ(history[0].index, 0u);
  EXPECT_EQ(history[1].index, 3u);
  EXPECT_EQ(StateHistory(*store_, "svc/db", first_size).value().size(), 1u);
}

// A service restored its own database from an old backup: the state it loads
// hashes to v1, the ledger proves v2 is the latest notarized state.
TEST_F(StateQueryTest, RestoredBackupIsDetectedAndCompareAndSwapRefusesIt) {
  ASSERT_TRUE(Append({Notarize(0, "svc/db", std::nullopt, v1_)}).ok());
  ASSERT_TRUE(Append({Notarize(1, "svc/db", v1_, v2_)}).ok());
  const Hash loaded = v1_;  // from the backup
  auto state = Verify(ProveState(*store_, "svc/db").value()).value();
  EXPECT_NE(state.value->state, loaded);
  // Writing on from the backup is refused at write time.
  EXPECT_EQ(Append({Notarize(2, "svc/db", v1_, Sha256::Digest("db v3"))}).reason(),
            "state_conflict");
}

TEST_F(StateQueryTest, LyingHostsAreCaught) {
  ASSERT_TRUE(Append({Notarize(0, "svc/db", std::nullopt, v1_), testing::MakeEvent(1)}).ok());
  const auto old_answer = ProveState(*store_, "svc/db").value();
  ASSERT_TRUE(Append({Notarize(2, "svc/db", v1_, v2_), testing::MakeEvent(3)}).ok());
  const auto good = ProveState(*store_, "svc/db").value();
  ASSERT_TRUE(Verify(good).ok());

  // Stale version: the old entry with the new checkpoint.
  sm::StateProof stale = good;
  stale.leaf = old_answer.leaf;
  stale.inclusion_proof = store_->InclusionProof(0, store_->size()).value();
  EXPECT_FALSE(Verify(stale).ok());
  // Omitted update: the old map proof with the new checkpoint.
  sm::StateProof omitted = good;
  omitted.map_proof = old_answer.map_proof;
  EXPECT_EQ(Verify(omitted).status().reason(), "map_proof_mismatch");
  // Forged node: one sibling changed.
  sm::StateProof forged = good;
  ASSERT_FALSE(forged.map_proof.siblings.empty());
  forged.map_proof.siblings.back().bytes[31] ^= 0x80;
  EXPECT_EQ(Verify(forged).status().reason(), "map_proof_mismatch");
  // Hidden: an absence proof for a present subject.
  sm::StateProof hidden = good;
  hidden.map_proof.leaf.reset();
  hidden.leaf.clear();
  hidden.inclusion_proof.clear();
  EXPECT_FALSE(Verify(hidden).ok());
  // The entry withheld.
  sm::StateProof withheld = good;
  withheld.leaf.clear();
  EXPECT_EQ(Verify(withheld).status().reason(), "state_entry_mismatch");
  // Another subject's entry under this name.
  sm::StateProof swapped = ProveState(*store_, "key/k-3").value();
  swapped.subject = "svc/db";
  EXPECT_FALSE(Verify(swapped).ok());
  // An old checkpoint verifies, but says so: the client compares its size
  // with the newest it has seen.
  auto replayed = Verify(old_answer).value();
  EXPECT_LT(replayed.checkpoint.size, store_->size());
}

}  // namespace
}  // namespace ledger::store
