// One conformance suite for LogStore, run against every Kv backend.
#include "ledger/store/log_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "ledger/crypto/p256.h"
#include "ledger/record/leaf.h"
#include "ledger/v1/store.pb.h"
#include "notary/app_proof.h"
#include "faulty_kv.h"
#include "ledger/store_pg/pg_kv.h"
#include "pg_cluster.h"
#include "test_log.h"

namespace ledger::store {
namespace {

using testing::LogVerifier;
using testing::MakeBatch;

// Lets several LogStore instances (reopen after a "restart") share one backend.
class SharedKv : public Kv {
 public:
  explicit SharedKv(std::shared_ptr<Kv> kv) : kv_(std::move(kv)) {}
  Result<Bytes> Get(Column c, ByteView key) const override { return kv_->Get(c, key); }
  Status Write(const WriteBatch& b) override { return kv_->Write(b); }
  Status Scan(Column c, ByteView b, ByteView e, bool r, const Visitor& fn) const override {
    return kv_->Scan(c, b, e, r, fn);
  }
  uint64_t ApproximateSize(Column c) const override { return kv_->ApproximateSize(c); }

 private:
  std::shared_ptr<Kv> kv_;
};

enum class Backend { kMemory, kRocksDb, kPostgres };

// One PostgreSQL primary with a synchronous standby for the whole suite;
// every test gets its own database.
testing::PgCluster* Postgres() {
  static std::unique_ptr<testing::PgCluster> cluster = [] {
    auto c = testing::PgCluster::Start(1);
    if (c && !c->WaitSync(0)) c.reset();
    return c;
  }();
  return cluster.get();
}

class LogStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      ASSERT_NE(Postgres(), nullptr) << "PostgreSQL 15 did not start (ops/setup installs it)";
      db_ = "store_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++);
      ASSERT_TRUE(Postgres()->CreateDatabase(db_));
    } else if (GetParam() == Backend::kRocksDb) {
      dir_ = std::filesystem::temp_directory_path() /
             ("ledger-store-test-" + std::to_string(::getpid()) + "-" +
              std::to_string(counter_++));
      std::filesystem::remove_all(dir_);
    } else {
      memory_ = std::make_shared<MemoryKv>();
    }
    auto store = LogStore::Create(NewKv(true), seq_.head().checkpoint_note, LogVerifier());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Kv> NewKv(bool create = false) {
    if (GetParam() == Backend::kMemory) return std::make_unique<SharedKv>(memory_);
    if (GetParam() == Backend::kPostgres) {
      PgKvOptions o;
      o.create_if_missing = create;
      auto kv = OpenPgKv(Postgres()->Conninfo(0, db_), o);
      EXPECT_TRUE(kv.ok()) << kv.status();
      return std::move(kv).value();
    }
    RocksDbOptions o;
    o.create_if_missing = create;
    return OpenRocksDb(dir_.string(), o).value();
  }

  void Reopen() {
    store_.reset();
    auto s = LogStore::Open(NewKv(), LogVerifier());
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(s).value();
  }

  // Appends `count` events and remembers their leaf hashes.
  void Append(size_t count) {
    auto batch = seq_.Sequence(store_->size(), seq_.head().range.Root(),
                               MakeBatch(leaf_hashes_.size(), count));
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE(store_->Append(*batch).ok());
    leaf_hashes_.insert(leaf_hashes_.end(), batch->leaf_hashes.begin(), batch->leaf_hashes.end());
  }

  Hash RefRoot(uint64_t size) const {
    return merkle::RootFromLeafHashes(std::span<const Hash>(leaf_hashes_).first(size));
  }

  // Overwrites one stored value with a byte flipped, as a tamperer would.
  void Flip(Column c, const Bytes& key, size_t at) {
    Bytes v = store_->kv().Get(c, key).value();
    v[at % v.size()] ^= 0x01;
    WriteBatch wb;
    wb.Put(c, key, v);
    ASSERT_TRUE(store_->kv().Write(wb).ok());
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::string db_;
  std::shared_ptr<MemoryKv> memory_;
  Sequencer seq_ = testing::NewSequencer();
  std::unique_ptr<LogStore> store_;
  std::vector<Hash> leaf_hashes_;
};

Bytes U64Key(uint64_t v) {
  Bytes k;
  AppendU64BE(k, v);
  return k;
}
Bytes TileKey(uint32_t level, uint64_t index) {
  Bytes k = {static_cast<uint8_t>(level)};
  AppendU64BE(k, index);
  return k;
}

TEST_P(LogStoreTest, EmptyLog) {
  EXPECT_EQ(store_->size(), 0u);
  EXPECT_EQ(store_->latest().checkpoint.root, merkle::EmptyRoot());
  EXPECT_EQ(store_->RootAt(0).value(), merkle::EmptyRoot());
  EXPECT_EQ(store_->GetLeaf(0).status().reason(), "index_out_of_range");
  EXPECT_TRUE(store_->Audit().ok());
  store_.reset();
  auto again = LogStore::Create(NewKv(), seq_.head().checkpoint_note, LogVerifier());
  EXPECT_EQ(again.status().reason(), "store_not_empty");
}

TEST_P(LogStoreTest, CreatedWithoutGenesisCheckpointStartsEmpty) {
  store_.reset();
  if (GetParam() == Backend::kMemory) {
    memory_ = std::make_shared<MemoryKv>();
  } else if (GetParam() == Backend::kPostgres) {
    db_ += "_b";
    ASSERT_TRUE(Postgres()->CreateDatabase(db_));
  } else {
    std::filesystem::remove_all(dir_);
  }
  auto s = LogStore::Create(NewKv(true), "", LogVerifier());
  ASSERT_TRUE(s.ok()) << s.status();
  store_ = std::move(s).value();
  EXPECT_EQ(store_->size(), 0u);
  EXPECT_EQ(store_->origin(), testing::kOrigin);
  Append(3);
  Reopen();
  EXPECT_EQ(store_->size(), 3u);
  EXPECT_TRUE(store_->Audit().ok());
}

TEST_P(LogStoreTest, TilesProofsAndBundlesAcrossTileBoundaries) {
  for (size_t n : {1, 2, 253, 1, 1, 300, 467, 1}) {  // sizes 1..1026 cross 256 and 512
    Append(n);
    const uint64_t size = store_->size();
    ASSERT_EQ(store_->latest().checkpoint.root, RefRoot(size));
    for (const auto& t : tiles::PartialTiles(size)) {
      auto tile = store_->ReadTile(t);
      ASSERT_TRUE(tile.ok()) << tiles::TilePath(t) << " " << tile.status();
      if (t.level == 0) {
        auto hashes = tiles::ParseHashTile(*tile, t.width).value();
        EXPECT_EQ(hashes[t.width - 1], leaf_hashes_[size - 1]);
      }
    }
  }
  const uint64_t size = store_->size();
  std::mt19937_64 rng(7);
  for (int i = 0; i < 50; ++i) {
    uint64_t s2 = 1 + rng() % size, s1 = rng() % (s2 + 1), idx = rng() % s2;
    EXPECT_EQ(store_->RootAt(s2).value(), RefRoot(s2));
    auto inc = store_->InclusionProof(idx, s2);
    ASSERT_TRUE(inc.ok()) << inc.status();
    EXPECT_TRUE(merkle::VerifyInclusion(idx, s2, leaf_hashes_[idx], *inc, RefRoot(s2)).ok());
    auto con = store_->ConsistencyProof(s1, s2);
    ASSERT_TRUE(con.ok()) << con.status();
    EXPECT_TRUE(merkle::VerifyConsistency(s1, s2, *con, RefRoot(s1), RefRoot(s2)).ok());
    auto leaf = store_->GetLeaf(idx, s2);
    ASSERT_TRUE(leaf.ok());
    EXPECT_EQ(leaf->leaf_hash, leaf_hashes_[idx]);
  }
  // Full tiles and bundles, including a partial-width prefix of a full tile.
  EXPECT_TRUE(store_->ReadTile({0, 0, 256}).ok());
  EXPECT_TRUE(store_->ReadTile({0, 1, 100}).ok());
  EXPECT_TRUE(store_->ReadTile({1, 0, 4}).ok());
  auto bundle = store_->ReadEntryBundle(1, 256);
  ASSERT_TRUE(bundle.ok());
  auto entries = tiles::ParseEntryBundle(*bundle, 256).value();
  EXPECT_EQ(merkle::LeafHash(entries[5]), leaf_hashes_[256 + 5]);
  EXPECT_EQ(store_->ReadTile({0, 5, 256}).status().reason(), "tile_not_found");
  EXPECT_TRUE(store_->Audit().ok());
}

TEST_P(LogStoreTest, ReopenRestoreAndContinue) {
  Append(300);
  Reopen();
  EXPECT_EQ(store_->size(), 300u);
  auto head = store_->ReadHead().value();
  auto restored = Sequencer::Restore(testing::kOrigin,
                                     note::NewEd25519Signer(testing::kOrigin, testing::LogKey()),
                                     {}, testing::FixedClock(1'800'000'000'000'000ull),
                                     head.checkpoint_note, head.frontier, head.last_leaf,
                                     head.last_leaf_proof);
  ASSERT_TRUE(restored.ok()) << restored.status();
  seq_ = std::move(restored).value();
  Append(10);
  EXPECT_EQ(store_->latest().checkpoint.root, RefRoot(310));
  EXPECT_TRUE(store_->ConsistencyProof(300, 310).ok());
  EXPECT_TRUE(store_->Audit().ok());
}

TEST_P(LogStoreTest, RejectsBatchesThatDoNotExtendTheLog) {
  Append(5);
  auto batch = seq_.Sequence(5, RefRoot(5), MakeBatch(5, 3)).value();
  auto wrong_start = batch;
  wrong_start.first_index = 4;
  EXPECT_EQ(store_->Append(wrong_start).reason(), "head_mismatch");
  auto wrong_hash = batch;
  wrong_hash.leaf_hashes[1].bytes[0] ^= 1;
  EXPECT_EQ(store_->Append(wrong_hash).reason(), "leaf_hash_mismatch");
  // A validly signed checkpoint whose root is not the extended tree's root.
  auto forged = batch;
  Checkpoint cp = batch.checkpoint;
  cp.root.bytes[0] ^= 1;
  auto signer = note::NewEd25519Signer(testing::kOrigin, testing::LogKey());
  forged.checkpoint = cp;
  forged.checkpoint_note = SignCheckpoint(cp, *signer).value();
  EXPECT_EQ(store_->Append(forged).reason(), "checkpoint_root_mismatch");
  EXPECT_EQ(store_->size(), 5u);
  EXPECT_TRUE(store_->Append(batch).ok());
  EXPECT_TRUE(store_->Audit().ok());
}

TEST_P(LogStoreTest, BadReadArgumentsGetStableErrors) {
  Append(3);
  EXPECT_EQ(store_->GetLeaf(UINT64_MAX).status().reason(), "index_out_of_range");
  EXPECT_EQ(store_->InclusionProof(3, 3).status().reason(), "index_out_of_range");
  EXPECT_EQ(store_->InclusionProof(0, 4).status().reason(), "tree_size_beyond_head");
  EXPECT_EQ(store_->ConsistencyProof(3, 2).status().reason(), "bad_tree_sizes");
  EXPECT_EQ(store_->ConsistencyProof(1, UINT64_MAX).status().reason(), "tree_size_beyond_head");
  EXPECT_EQ(store_->ReadTile({0, UINT64_MAX, 1}).status().reason(), "tile_not_found");
  EXPECT_EQ(store_->ReadTile({64, 0, 1}).status().reason(), "bad_tile");
  EXPECT_EQ(store_->CheckpointAt(2).status().reason(), "checkpoint_not_found");
  EXPECT_EQ(store_->GetPayload(Hash{}).status().reason(), "payload_not_found");
}

TEST_P(LogStoreTest, FlippedLeafIsRefused) {
  Append(40);
  Flip(Column::kLeaves, U64Key(17), 50);
  EXPECT_EQ(store_->GetLeaf(17).status().code(), Code::kCorruption);
  EXPECT_TRUE(store_->GetLeaf(16).ok());
  EXPECT_EQ(store_->ReadEntryBundle(0, 40).status().code(), Code::kCorruption);
  EXPECT_EQ(store_->Audit().code(), Code::kCorruption);
}

TEST_P(LogStoreTest, FlippedTileIsRefused) {
  Append(300);
  Flip(Column::kTiles, TileKey(0, 0), 32 * 9 + 3);  // leaf hash 9 in the first full tile
  EXPECT_EQ(store_->InclusionProof(9, 300).status().code(), Code::kCorruption);
  EXPECT_EQ(store_->ReadTile({0, 0, 256}).status().code(), Code::kCorruption);
  // Leaf 9 itself is genuine and its proof does not use its own hash, so it
  // is still served; its sibling's proof does use the flipped hash.
  EXPECT_TRUE(store_->GetLeaf(9).ok());
  EXPECT_EQ(store_->GetLeaf(8).status().code(), Code::kCorruption);
  EXPECT_EQ(store_->Audit().code(), Code::kCorruption);
  // The tiles are consulted on reopen too: the head no longer folds (tile
  // level 1 holds the fold of the flipped tile, so flip that instead).
  Flip(Column::kTiles, TileKey(1, 0), 5);
  store_.reset();
  EXPECT_EQ(LogStore::Open(NewKv(), LogVerifier()).status().code(), Code::kCorruption);
}

TEST_P(LogStoreTest, TamperingAfterTilesWereCachedIsCaughtByTheAudit) {
  Append(600);
  ASSERT_TRUE(store_->InclusionProof(9, 600).ok());  // caches full tile (0,0)
  Flip(Column::kTiles, TileKey(0, 0), 32 * 3);
  EXPECT_TRUE(store_->InclusionProof(2, 600).ok());  // answered from the genuine cached tile
  // Reads may still be answered from the genuine cached tile (they are
  // correct), but the audit reads storage itself.
  EXPECT_EQ(store_->Audit().code(), Code::kCorruption);
}

TEST_P(LogStoreTest, FlippedCheckpointIsRefused) {
  Append(2);
  Append(2);
  Flip(Column::kCheckpoints, U64Key(2), 40);
  EXPECT_EQ(store_->CheckpointAt(2).status().code(), Code::kCorruption);
  EXPECT_TRUE(store_->CheckpointAt(4).ok());
  EXPECT_EQ(store_->Audit().code(), Code::kCorruption);
  Flip(Column::kCheckpoints, U64Key(4), 60);
  store_.reset();
  EXPECT_EQ(LogStore::Open(NewKv(), LogVerifier()).status().code(), Code::kCorruption);
}

TEST_P(LogStoreTest, RefusesAnotherLogsKey) {
  store_.reset();
  auto other = std::shared_ptr<const note::Verifier>(
      note::NewEd25519Verifier(testing::kOrigin, Ed25519PrivateKey::Generate()->public_key()));
  EXPECT_EQ(LogStore::Open(NewKv(), other).status().code(), Code::kCorruption);
}

TEST_P(LogStoreTest, SearchIndexes) {
  Append(30);
  EntryQuery q;
  q.subject = "key/k-3";
  auto hits = store_->FindEntries(q).value();
  ASSERT_FALSE(hits.empty());
  for (uint64_t i : hits) EXPECT_EQ(i % 7, 3u);
  EntryQuery by_kind;
  by_kind.kind = EventKind::kKeyCreated;
  by_kind.start_index = 10;
  by_kind.limit = 3;
  EXPECT_EQ(store_->FindEntries(by_kind).value(), (std::vector<uint64_t>{12, 15, 18}));
  EntryQuery by_actor;
  by_actor.actor = "policy-svc";
  by_actor.limit = 1000;
  EXPECT_EQ(store_->FindEntries(by_actor).value().size(), 15u);
  auto leaf5 = DecodeLeaf(store_->GetLeaf(5)->leaf).value();
  EntryQuery by_time;
  by_time.from_us = leaf5.recorded_at_us;
  EXPECT_EQ(store_->FindEntries(by_time).value().size(), 30u - (leaf5.index - leaf5.index % 30));
  EXPECT_EQ(store_->FindRequest("req-7").value(), std::optional<uint64_t>(7));
  EXPECT_EQ(store_->FindRequest("nope").value(), std::nullopt);
}

// Newest first, and pages bounded by an older head (end_index), by every
// index the search may use and by none.
TEST_P(LogStoreTest, SearchNewestFirstWithinAHead) {
  Append(10);
  Append(20);
  EntryQuery all;
  all.descending = true;
  all.limit = 3;
  EXPECT_EQ(store_->FindEntries(all).value(), (std::vector<uint64_t>{29, 28, 27}));
  all.end_index = 10;
  EXPECT_EQ(store_->FindEntries(all).value(), (std::vector<uint64_t>{9, 8, 7}));
  all.start_index = 8;
  EXPECT_EQ(store_->FindEntries(all).value(), (std::vector<uint64_t>{9, 8}));
  EntryQuery by_kind;
  by_kind.kind = EventKind::kKeyCreated;
  by_kind.descending = true;
  by_kind.end_index = 19;
  by_kind.limit = 3;
  EXPECT_EQ(store_->FindEntries(by_kind).value(), (std::vector<uint64_t>{18, 15, 12}));
  by_kind.descending = false;
  by_kind.start_index = 10;
  by_kind.limit = 100;
  EXPECT_EQ(store_->FindEntries(by_kind).value(), (std::vector<uint64_t>{12, 15, 18}));
  EntryQuery by_subject;
  by_subject.subject = "key/k-3";
  by_subject.descending = true;
  by_subject.limit = 2;
  EXPECT_EQ(store_->FindEntries(by_subject).value(), (std::vector<uint64_t>{24, 17}));
  EntryQuery by_time;
  by_time.from_us = 0;
  by_time.descending = true;
  by_time.end_index = 5;
  by_time.limit = 2;
  EXPECT_EQ(store_->FindEntries(by_time).value(), (std::vector<uint64_t>{4, 3}));
  EntryQuery empty;
  empty.start_index = 5;
  empty.end_index = 5;
  EXPECT_TRUE(store_->FindEntries(empty).value().empty());
  // Stored checkpoints, newest first.
  auto sizes = store_->CheckpointSizes(0, UINT64_MAX, 1000).value();
  ASSERT_GE(sizes.size(), 2u);
  EXPECT_EQ(store_->LatestCheckpointSizes(UINT64_MAX, 2).value(),
            (std::vector<uint64_t>{sizes[sizes.size() - 1], sizes[sizes.size() - 2]}));
  EXPECT_EQ(store_->LatestCheckpointSizes(sizes[1], 5).value(),
            (std::vector<uint64_t>{sizes[1], sizes[0]}));
}

TEST_P(LogStoreTest, PayloadsAreStoredByDigest) {
  Event e = testing::MakeEvent(0);
  Bytes body = ToBytes(R"({"policy":"2-of-3"})");
  e.payload_digest = Sha256::Digest(body);
  std::vector<SubmittedEvent> batch = {{EncodeEvent(e).value(), {}}};
  auto seq = seq_.Sequence(0, merkle::EmptyRoot(), batch).value();
  Payload wrong{Sha256::Digest("other"), ToBytes("other"), "text/plain"};
  EXPECT_EQ(store_->Append(seq, std::span(&wrong, 1)).reason(), "payload_mismatch");
  Payload p{*e.payload_digest, body, "application/json"};
  ASSERT_TRUE(store_->Append(seq, std::span(&p, 1)).ok());
  EXPECT_EQ(store_->GetPayload(p.digest)->body, body);
}

// The pending-append journal: one slot, survives a reopen, is erased by the
// write that stores a batch, and a damaged record is reported, never guessed.
TEST_P(LogStoreTest, ThePendingAppendJournalHoldsOneRequestUntilTheNextBatch) {
  EXPECT_EQ(store_->ReadPendingAppend().status().reason(), "no_pending_append");
  Append(2);
  const Bytes body = ToBytes("body");
  LogStore::PendingAppend first{ToBytes("request-1"),
                                {Payload{Sha256::Digest(body), body, "text/plain"}}};
  ASSERT_TRUE(store_->WritePendingAppend(first).ok());
  ASSERT_TRUE(store_->WritePendingAppend({ToBytes("request-2"), {}}).ok());
  Reopen();
  auto read = store_->ReadPendingAppend();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->request, ToBytes("request-2"));
  EXPECT_TRUE(read->payloads.empty());
  ASSERT_TRUE(store_->WritePendingAppend(first).ok());
  read = store_->ReadPendingAppend();
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->payloads.size(), 1u);
  EXPECT_EQ(read->payloads[0].digest, Sha256::Digest(body));
  EXPECT_EQ(read->payloads[0].body, body);
  EXPECT_EQ(read->payloads[0].content_type, "text/plain");
  // Not a record the audit knows: it carries nothing that is served.
  EXPECT_TRUE(store_->Audit().ok());
  Append(1);
  EXPECT_EQ(store_->ReadPendingAppend().status().reason(), "no_pending_append");
  // A tamperer's bytes are refused as such.
  WriteBatch wb;
  wb.Put(Column::kMeta, ToBytes("pending_append"), ToBytes("\xff\xff"));
  ASSERT_TRUE(store_->kv().Write(wb).ok());
  EXPECT_EQ(store_->ReadPendingAppend().status().code(), Code::kCorruption);
}

// A batch's app proof is kept with its checkpoint, in the same write, and
// found for every entry of the batch; a record altered afterwards (another
// range, another signature) is reported, never served.
TEST_P(LogStoreTest, TheAppProofOfABatchIsFoundForEachOfItsEntries) {
  Append(2);  // without an app proof
  auto batch = seq_.Sequence(store_->size(), seq_.head().range.Root(),
                             MakeBatch(leaf_hashes_.size(), 3));
  ASSERT_TRUE(batch.ok()) << batch.status();
  // Signed as the notary signs it (enclave.cc Finish).
  auto key = P256PrivateKey::Generate().value();
  notary::AppProofFields fields{batch->checkpoint.origin, batch->checkpoint.size,
                                batch->checkpoint.root,   batch->first_index,
                                batch->leaves.size(),     Sha256::Digest(batch->checkpoint_note)};
  const std::string payload = notary::AppProofPayload(fields).value();
  const BatchAppProof proof{payload, key.Sign(AsBytes(payload)).value(),
                            Bytes(key.public_key().view().begin(), key.public_key().view().end())};
  ASSERT_TRUE(store_->Append(*batch, {}, &proof).ok());
  Append(1);
  EXPECT_EQ(store_->AppProofFor(1).status().reason(), "no_app_proof");
  EXPECT_EQ(store_->AppProofFor(5).status().reason(), "no_app_proof");
  EXPECT_EQ(store_->AppProofFor(6).status().reason(), "no_app_proof");
  Reopen();
  for (uint64_t i = 2; i < 5; ++i) {
    auto found = store_->AppProofFor(i);
    ASSERT_TRUE(found.ok()) << i << ": " << found.status();
    EXPECT_EQ(found->first_index, 2u);
    EXPECT_EQ(found->count, 3u);
    EXPECT_EQ(found->notary_note, batch->checkpoint_note);
    EXPECT_EQ(found->proof.payload, payload);
    EXPECT_EQ(found->proof.signature, proof.signature);
    EXPECT_EQ(found->proof.public_key, proof.public_key);
  }
  EXPECT_TRUE(store_->Audit().ok());
  // A tamperer moves the record's range, or flips a signature byte: the
  // record is refused wherever it is read, and by the audit.
  const Bytes raw = store_->kv().Get(Column::kCheckpoints, U64Key(5)).value();
  for (int variant = 0; variant < 2; ++variant) {
    ledger::v1::StoredCheckpoint rec;
    ASSERT_TRUE(rec.ParseFromArray(raw.data(), static_cast<int>(raw.size())));
    if (variant == 0) {
      rec.mutable_app_proof()->set_first_index(1);
      rec.mutable_app_proof()->set_count(4);
    } else {
      std::string sig = rec.app_proof().signature();
      sig[5] ^= 0x01;
      rec.mutable_app_proof()->set_signature(sig);
    }
    WriteBatch wb;
    wb.Put(Column::kCheckpoints, U64Key(5), ToBytes(rec.SerializeAsString()));
    ASSERT_TRUE(store_->kv().Write(wb).ok());
    EXPECT_EQ(store_->AppProofFor(3).status().reason(), "bad_checkpoint") << variant;
    EXPECT_EQ(store_->CheckpointAt(5).status().reason(), "bad_checkpoint") << variant;
    EXPECT_EQ(store_->Audit().reason(), "bad_checkpoint") << variant;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LogStoreTest,
                         ::testing::Values(Backend::kMemory, Backend::kRocksDb,
                                           Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return p.param == Backend::kMemory    ? "Memory"
                                  : p.param == Backend::kRocksDb ? "RocksDb"
                                                                 : "Postgres";
                         });

TEST(KvFaults, FailedWriteLeavesTheLogUnchanged) {
  auto kv = std::make_unique<testing::FaultyKv>(std::make_unique<MemoryKv>());
  testing::FaultyKv* raw = kv.get();
  Sequencer seq = testing::NewSequencer();
  auto store = LogStore::Create(std::move(kv), seq.head().checkpoint_note, LogVerifier()).value();
  raw->FailWritesAfter(0);
  auto batch = seq.Sequence(0, merkle::EmptyRoot(), MakeBatch(0, 4)).value();
  EXPECT_EQ(store->Append(batch).code(), Code::kUnavailable);
  EXPECT_EQ(store->size(), 0u);
  raw->FailWritesAfter(-1);
  EXPECT_TRUE(store->Append(batch).ok());
  EXPECT_EQ(store->size(), 4u);
  EXPECT_TRUE(store->Audit().ok());
}

}  // namespace
}  // namespace ledger::store
