// The state map as the LogStore keeps it (map_store.h, map.md §8): stored
// roots and proofs cross-checked against the naive reference of
// tests/ledger/core at random sizes, past roots, tampered nodes.
#include "ledger/store/map_store.h"

#include <gtest/gtest.h>

#include <random>

#include "ledger/record/leaf.h"
#include "ledger/store/log_store.h"
#include "state_map_reference.h"
#include "test_log.h"

namespace ledger::store {
namespace {

namespace sm = state_map;
using testing::LogVerifier;

// Another handle on a Kv the test keeps: a second store over the same data.
class SharedKv : public Kv {
 public:
  explicit SharedKv(Kv& kv) : kv_(kv) {}
  Result<Bytes> Get(Column c, ByteView key) const override { return kv_.Get(c, key); }
  Status Write(const WriteBatch& batch) override { return kv_.Write(batch); }
  Status Scan(Column c, ByteView begin, ByteView end, bool reverse,
              const Visitor& fn) const override {
    return kv_.Scan(c, begin, end, reverse, fn);
  }
  uint64_t ApproximateSize(Column c) const override { return kv_.ApproximateSize(c); }

 private:
  Kv& kv_;
};

class MapStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kv = std::make_unique<MemoryKv>();
    kv_ = kv.get();
    store_ = LogStore::Create(std::move(kv), seq_.head().checkpoint_note, LogVerifier()).value();
  }

  // Appends events naming random subjects from a pool of `pool` (so some
  // repeat) and mirrors them in the reference.
  void Append(size_t count, size_t pool) {
    std::vector<SubmittedEvent> batch;
    for (size_t i = 0; i < count; ++i) {
      const uint64_t index = store_->size() + i;
      Event e = testing::MakeEvent(index, "s/" + std::to_string(rng_() % pool));
      if (rng_() % 3 == 0) e.new_state_hash.reset();
      batch.push_back({EncodeEvent(e).value(), {}});
      const Hash key = sm::KeyOf(e.subject);
      const auto it = ref_.find(key);
      ref_[key] = sm::NextValue(
          it == ref_.end() ? std::nullopt : std::optional<sm::Value>(it->second), index,
          e.new_state_hash);
      subjects_.insert(e.subject);
    }
    auto sequenced = seq_.Sequence(store_->size(), seq_.head().range.Root(), batch);
    ASSERT_TRUE(sequenced.ok()) << sequenced.status();
    ASSERT_TRUE(store_->Append(*sequenced).ok());
    history_[store_->size()] = ref_;
  }

  Sequencer seq_ = testing::NewSequencer();
  MemoryKv* kv_ = nullptr;
  std::unique_ptr<LogStore> store_;
  std::mt19937_64 rng_{1122};
  sm::reference::Entries ref_;
  std::set<std::string> subjects_;
  std::map<uint64_t, sm::reference::Entries> history_;
};

TEST_F(MapStoreTest, RootsAndProofsMatchTheReferenceAtEverySize) {
  EXPECT_EQ(store_->map_root(), sm::EmptyHash());
  for (int round = 0; round < 12; ++round) {
    Append(1 + rng_() % 40, 60);
    ASSERT_EQ(store_->map_root(), sm::reference::Root(ref_)) << "after " << store_->size();
  }
  // Every past checkpoint answers for its own size.
  for (const auto& [size, entries] : history_) {
    const Hash root = store_->MapRootAt(size).value();
    EXPECT_EQ(root, sm::reference::Root(entries));
    for (const std::string& s : subjects_) {
      const Hash key = sm::KeyOf(s);
      const sm::Proof proof = store_->MapProof(key, size).value();
      EXPECT_EQ(proof, sm::reference::Prove(entries, key));
      const auto value = sm::VerifyProof(root, key, proof).value();
      const auto it = entries.find(key);
      EXPECT_EQ(value.has_value(), it != entries.end());
      if (value) {
        EXPECT_EQ(*value, it->second);
      }
    }
  }
  EXPECT_EQ(store_->MapRootAt(store_->size() + 1).status().reason(), "no_map_root");
  EXPECT_EQ(store_->MapRootAt(store_->size() - 1).status().reason(), "no_map_root");
}

TEST_F(MapStoreTest, ReopenedStoreKeepsTheRootAndUpdaterPlansTheSameProofs) {
  Append(30, 20);
  MapUpdater planner = store_->NewMapUpdater();
  Event e = testing::MakeEvent(store_->size(), "s/3");
  auto step = planner.Apply(e, store_->size()).value();
  EXPECT_EQ(step.proof, sm::reference::Prove(ref_, sm::KeyOf("s/3")));
  EXPECT_EQ(sm::ApplyUpdate(store_->map_root(), step.key, step.proof, step.value).value(),
            planner.root());
  Append(1, 1);  // whatever it names, the stored map follows the reference
  EXPECT_EQ(store_->map_root(), sm::reference::Root(ref_));
}

TEST_F(MapStoreTest, CompareAndSwapCheckUsesTheCurrentState) {
  Event first = testing::MakeEvent(0, "svc/db");
  first.kind = EventKind::kStateNotarized;
  first.new_state_hash = Sha256::Digest("v1");
  MapUpdater planner = store_->NewMapUpdater();
  ASSERT_TRUE(planner.Check(first).ok());
  ASSERT_TRUE(planner.Apply(first, 0).ok());
  Event second = first;
  second.new_state_hash = Sha256::Digest("v2");
  EXPECT_EQ(planner.Check(second).reason(), "state_conflict");  // no prior named
  second.prior_state_hash = first.new_state_hash;
  EXPECT_TRUE(planner.Check(second).ok());
}

TEST_F(MapStoreTest, TamperedOrMissingNodesAreCorruption) {
  Append(40, 40);
  const Hash key = sm::KeyOf(*subjects_.begin());
  const sm::Proof proof = store_->MapProof(key).value();
  // The root node: flip one byte of it, then delete it.
  const Hash root = store_->map_root();
  const Bytes root_key(root.bytes.begin(), root.bytes.end());
  Bytes raw = kv_->Get(Column::kMapNodes, root_key).value();
  raw[5] ^= 1;
  WriteBatch wb;
  wb.Put(Column::kMapNodes, root_key, raw);
  ASSERT_TRUE(kv_->Write(wb).ok());
  // This store keeps the nodes it wrote, checked, in memory: it still
  // answers the right proof; the audit reads the Kv and finds the change.
  EXPECT_EQ(store_->MapProof(key).value(), proof);
  EXPECT_EQ(store_->Audit().reason(), "map_node_corrupt");
  // Another store over the same data (a restarted process) reads and
  // checks every node.
  auto reopened = LogStore::Open(std::make_unique<SharedKv>(*kv_), LogVerifier()).value();
  EXPECT_EQ(reopened->MapProof(key).status().reason(), "map_node_corrupt");
  LogStoreOptions uncached;
  uncached.map_node_cache = 0;
  auto plain = LogStore::Open(std::make_unique<SharedKv>(*kv_), LogVerifier(), uncached).value();
  EXPECT_EQ(plain->MapProof(key).status().reason(), "map_node_corrupt");
  WriteBatch erase;
  erase.Erase(Column::kMapNodes, root_key);
  ASSERT_TRUE(kv_->Write(erase).ok());
  EXPECT_EQ(plain->MapProof(key).status().reason(), "missing_map_node");
  // A batch cannot be appended on top of a broken map either.
  auto next = seq_.Sequence(plain->size(), seq_.head().range.Root(), testing::MakeBatch(99, 1));
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(plain->Append(*next).ok());
  EXPECT_EQ(proof.siblings.empty(), false);
}

TEST_F(MapStoreTest, CheckpointMapLineMustNameTheStoredMap) {
  Append(5, 5);
  // A sequencer that signs a wrong map line: the store refuses the batch.
  auto head = store_->ReadHead().value();
  SequencerOptions opts;
  opts.checkpoint_extension = sm::ExtensionLine(Sha256::Digest("not the map"));
  Sequencer wrong =
      Sequencer::Restore(testing::kOrigin, note::NewEd25519Signer(testing::kOrigin,
                                                                  testing::LogKey()),
                         {}, testing::FixedClock(1'800'000'000'000'000ull), head.checkpoint_note,
                         head.frontier, head.last_leaf, head.last_leaf_proof)
          .value();
  wrong.SetPolicy({}, opts.checkpoint_extension);
  auto batch = wrong.Sequence(store_->size(), wrong.head().range.Root(), testing::MakeBatch(7, 1));
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(store_->Append(*batch).reason(), "map_root_mismatch");
}

}  // namespace
}  // namespace ledger::store
