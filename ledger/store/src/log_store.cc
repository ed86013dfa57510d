#include "ledger/store/log_store.h"

#include <map>
#include <mutex>

#include "keys.h"
#include "ledger/base/clock.h"
#include "ledger/record/leaf.h"
#include "ledger/v1/store.pb.h"
#include "stored_app_proof.h"
#include "tile_cache.h"

namespace ledger::store {
namespace {

constexpr uint32_t kFormatVersion = 1;

Status Corrupt(std::string reason, std::string message) {
  return Status::Corruption(std::move(reason), std::move(message));
}

template <typename Proto>
Result<Proto> ParseRecord(const Bytes& raw, std::string_view what) {
  Proto p;
  if (!p.ParseFromArray(raw.data(), static_cast<int>(raw.size()))) {
    return Corrupt("malformed_record", "stored " + std::string(what) + " does not parse");
  }
  return p;
}

template <typename Proto>
Bytes Serialize(const Proto& p) {
  std::string s = p.SerializeAsString();
  return Bytes(s.begin(), s.end());
}

Status RolledBack(uint64_t stored, uint64_t seen) {
  return Corrupt("store_rolled_back", "the store's head is at size " + std::to_string(stored) +
                                          " after size " + std::to_string(seen) + " was read");
}

}  // namespace

LogStore::LogStore(std::unique_ptr<Kv> kv, std::shared_ptr<const note::Verifier> verifier)
    : kv_(std::move(kv)),
      verifier_(std::move(verifier)),
      tile_cache_(std::make_unique<TileCache>(1024)) {}

LogStore::~LogStore() = default;

Result<std::unique_ptr<LogStore>> LogStore::Create(
    std::unique_ptr<Kv> kv, std::string_view genesis_checkpoint_note,
    std::shared_ptr<const note::Verifier> log_verifier, LogStoreOptions options) {
  if (kv->Get(Column::kMeta, keys::MetaKey()).ok()) {
    return Status::FailedPrecondition("store_not_empty", "the store already holds a log");
  }
  ledger::v1::LogMeta meta;
  meta.set_format_version(kFormatVersion);
  meta.set_origin(log_verifier->name());
  meta.set_log_vkey(log_verifier->VerifierKey());
  meta.set_created_at_us(SystemClockMicros());
  WriteBatch wb;
  if (!genesis_checkpoint_note.empty()) {
    ASSIGN_OR_RETURN(VerifiedCheckpoint vc,
                     VerifyCheckpoint(genesis_checkpoint_note, *log_verifier));
    if (vc.checkpoint.size != 0 || vc.checkpoint.root != merkle::EmptyRoot()) {
      return Status::InvalidArgument("not_genesis", "a new store starts at the size-0 checkpoint");
    }
    ledger::v1::StoredCheckpoint rec;
    rec.set_size(0);
    rec.set_note(std::string(genesis_checkpoint_note));
    rec.set_stored_at_us(meta.created_at_us());
    wb.Put(Column::kCheckpoints, keys::U64(0), Serialize(rec));
  }
  wb.Put(Column::kMeta, keys::MetaKey(), Serialize(meta));
  const Hash empty_map = state_map::EmptyHash();
  wb.Put(Column::kMapRoots, keys::U64(0), Bytes(empty_map.bytes.begin(), empty_map.bytes.end()));
  RETURN_IF_ERROR(kv->Write(wb));
  return Open(std::move(kv), std::move(log_verifier), options);
}

Result<std::unique_ptr<LogStore>> LogStore::Open(std::unique_ptr<Kv> kv,
                                                 std::shared_ptr<const note::Verifier> verifier,
                                                 LogStoreOptions options) {
  std::unique_ptr<LogStore> s(new LogStore(std::move(kv), std::move(verifier)));
  s->options_ = options;
  if (options.map_node_cache > 0) {
    s->map_cache_ = std::make_unique<MapNodeCache>(options.map_node_cache);
  }
  RETURN_IF_ERROR(s->LoadHead());
  return s;
}

Status LogStore::LoadHead(uint64_t min_size) {
  auto raw_meta = kv_->Get(Column::kMeta, keys::MetaKey());
  if (!raw_meta.ok()) {
    if (raw_meta.status().code() == Code::kNotFound) {
      return Status::NotFound("no_log", "the store holds no log");
    }
    return raw_meta.status();
  }
  ASSIGN_OR_RETURN(auto meta, ParseRecord<ledger::v1::LogMeta>(*raw_meta, "log metadata"));
  if (meta.format_version() != kFormatVersion) {
    return Status::FailedPrecondition("unsupported_format",
                                      "store format " + std::to_string(meta.format_version()));
  }
  if (verifier_->name() != meta.origin()) {
    return Status::VerificationFailed("wrong_log_key",
                                      "the pinned key is for " + verifier_->name() +
                                          ", the store holds " + meta.origin());
  }
  // The key the store was created for must be the pinned one: otherwise the
  // metadata was changed, or the store is another log's of the same origin.
  if (meta.log_vkey() != verifier_->VerifierKey()) {
    return Corrupt("metadata_mismatch", "the store's log key is not the pinned key");
  }
  origin_ = meta.origin();
  // The latest checkpoint is the one with the largest size (with a witness
  // policy: the largest that meets it).
  std::optional<Bytes> raw_cp;
  bool any_checkpoint = false;
  RETURN_IF_ERROR(kv_->Scan(Column::kCheckpoints, {}, {}, true, [&](ByteView, ByteView v) {
    any_checkpoint = true;
    if (options_.witnesses.quorum > 0) {
      auto rec = ParseRecord<ledger::v1::StoredCheckpoint>(Bytes(v.begin(), v.end()), "checkpoint");
      if (!rec.ok() || !VerifyCheckpoint(rec->note(), *verifier_, options_.witnesses).ok()) {
        return true;  // not witnessed (or bad): an older one may be
      }
    }
    raw_cp = Bytes(v.begin(), v.end());
    return false;
  }));
  if (!raw_cp && any_checkpoint) {
    return Status::Unavailable("witness_quorum_unavailable",
                               "no stored checkpoint carries the witness quorum's cosignatures yet");
  }
  if (!raw_cp) {
    // A log created without a size-0 checkpoint (its first checkpoint comes
    // with the notary's first batch) is empty until then. A store emptied by
    // tampering looks the same: only the notary and the witnesses, which hold
    // the head, can tell (docs/store.md).
    bool any_leaf = false;
    RETURN_IF_ERROR(kv_->Scan(Column::kLeaves, {}, {}, false, [&](ByteView, ByteView) {
      any_leaf = true;
      return false;
    }));
    if (any_leaf) return Corrupt("missing_checkpoint", "the store holds leaves but no checkpoint");
    if (min_size > 0) return RolledBack(0, min_size);
    std::unique_lock l(mu_);
    latest_ = VerifiedCheckpoint{Checkpoint{origin_, 0, merkle::EmptyRoot(), {}}, "", {}};
    range_ = merkle::CompactRange();
    map_root_ = state_map::EmptyHash();
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto rec, ParseRecord<ledger::v1::StoredCheckpoint>(*raw_cp, "checkpoint"));
  if (min_size > 0 && rec.note() == latest().note) return Status::Ok();  // unchanged
  auto vc = VerifyCheckpoint(rec.note(), *verifier_);
  if (!vc.ok()) {
    return Corrupt("bad_checkpoint", "latest stored checkpoint: " + vc.status().message());
  }
  if (vc->checkpoint.size != rec.size() || vc->checkpoint.origin != origin_) {
    return Corrupt("bad_checkpoint", "checkpoint record does not match its note");
  }
  RETURN_IF_ERROR(CheckStoredAppProof(rec, *verifier_));
  if (vc->checkpoint.size < min_size) return RolledBack(vc->checkpoint.size, min_size);
  auto range = merkle::CompactRange::Load(vc->checkpoint.size, Source());
  if (!range.ok()) return Corrupt("missing_tiles", "tiles: " + range.status().message());
  if (range->Root() != vc->checkpoint.root) {
    return Corrupt("store_head_mismatch",
                   "stored tiles do not fold to the latest checkpoint's root");
  }
  if (min_size > 0) {
    // A follower adopts a new head only if it extends the one it served.
    auto old = latest();
    auto proof = merkle::ConsistencyProof(old.checkpoint.size, vc->checkpoint.size, Source());
    if (!proof.ok() || !merkle::VerifyConsistency(old.checkpoint.size, vc->checkpoint.size, *proof,
                                                  old.checkpoint.root, vc->checkpoint.root)
                            .ok()) {
      return Corrupt("store_forked", "the stored head does not extend the one read before");
    }
  }
  Hash map_root = state_map::EmptyHash();
  if (options_.state_map) {
    ASSIGN_OR_RETURN(map_root, StoredMapRoot(vc->checkpoint));
  }
  std::unique_lock l(mu_);
  latest_ = std::move(vc).value();
  range_ = std::move(range).value();
  map_root_ = map_root;
  return Status::Ok();
}

Result<Hash> LogStore::StoredMapRoot(const Checkpoint& cp) const {
  auto raw = kv_->Get(Column::kMapRoots, keys::U64(cp.size));
  if (!raw.ok()) {
    if (raw.status().code() != Code::kNotFound) return raw.status();
    if (cp.size == 0) return state_map::EmptyHash();
    return Corrupt("missing_map_root", "no map root for size " + std::to_string(cp.size));
  }
  auto root = Hash::FromBytes(*raw);
  if (!root.ok()) return Corrupt("malformed_record", "stored map root is not 32 bytes");
  // The stored root is only as good as the signature over the map line: a
  // checkpoint that carries one decides.
  auto signed_root = state_map::FindRoot(cp.extensions);
  if (!signed_root.ok()) return Corrupt("bad_checkpoint", signed_root.status().message());
  if (*signed_root && **signed_root != *root) {
    return Corrupt("map_root_mismatch", "stored map root for size " + std::to_string(cp.size) +
                                            " is not the checkpoint's");
  }
  return *root;
}

Hash LogStore::map_root() const {
  std::shared_lock l(mu_);
  return map_root_;
}

MapUpdater LogStore::NewMapUpdater() const {
  return MapUpdater(*kv_, map_root(), map_cache_.get(), verifier_->name(), verifier_->key_id());
}

Status LogStore::ErasePayload(const Hash& digest, uint64_t disposal_index) {
  WriteBatch wb;
  wb.Erase(Column::kPayloads, Bytes(digest.bytes.begin(), digest.bytes.end()));
  wb.Put(Column::kMeta, keys::PayloadDisposedKey(digest), keys::U64(disposal_index));
  return kv_->Write(wb);
}

Result<LogStore::MapPlan> LogStore::PlanMap(std::span<const SubmittedEvent> events) const {
  const VerifiedCheckpoint head = latest();
  const uint64_t size = head.checkpoint.size;
  MapUpdater planner = NewMapUpdater();
  MapPlan plan;
  auto record_leaf = [&](uint64_t index) -> Result<retention_map::RetentionProof::RecordLeaf> {
    if (index >= size) {
      return Status::FailedPrecondition(
          "unknown_record", "disposal of record " + std::to_string(index) + ", beyond the log's " +
                                std::to_string(size) + " entries");
    }
    ASSIGN_OR_RETURN(LeafWithProof l, GetLeaf(index, size));
    return retention_map::RetentionProof::RecordLeaf{std::move(l.leaf), std::move(l.proof)};
  };
  for (size_t i = 0; i < events.size(); ++i) {
    const uint64_t index = size + i;
    ASSIGN_OR_RETURN(Event event, DecodeEvent(events[i].event));
    ASSIGN_OR_RETURN(auto stamp, planner.ApplyStamp(events[i].event, events[i].stamp, index));
    plan.stamp_proofs.push_back(stamp ? std::move(stamp->proof) : state_map::Proof());
    ASSIGN_OR_RETURN(auto step, planner.Apply(event, index));
    plan.map_proofs.push_back(std::move(step.proof));
    auto retention = planner.ApplyRetention(event, events[i].stamp, index, record_leaf);
    if (!retention.ok()) return retention.status().Annotate("event " + std::to_string(i));
    plan.retention_proofs.push_back(std::move(retention).value());
  }
  return plan;
}

Result<Hash> LogStore::MapRootAt(uint64_t size) const {
  if (!options_.state_map) {
    return Status::FailedPrecondition("no_state_map", "the store was opened without the map");
  }
  VerifiedCheckpoint latest = this->latest();
  if (size == latest.checkpoint.size) return map_root();
  if (size > latest.checkpoint.size) {
    return Status::NotFound("no_map_root", "the log has only " +
                                               std::to_string(latest.checkpoint.size) + " entries");
  }
  auto note = CheckpointAt(size);
  if (!note.ok()) {
    if (note.status().code() == Code::kNotFound) {
      return Status::NotFound("no_map_root", "no checkpoint of size " + std::to_string(size));
    }
    return note.status();
  }
  ASSIGN_OR_RETURN(VerifiedCheckpoint vc, VerifyCheckpoint(*note, *verifier_));
  return StoredMapRoot(vc.checkpoint);
}

Result<state_map::Proof> LogStore::MapProof(const Hash& key, uint64_t size) const {
  ASSIGN_OR_RETURN(Hash root, size == 0 ? Result<Hash>(map_root()) : MapRootAt(size));
  ASSIGN_OR_RETURN(state_map::Proof proof, MapReader(*kv_, map_cache_.get()).Prove(root, key));
  // Served only if it verifies: a tampered node is refused here, not passed on.
  if (!state_map::VerifyProof(root, key, proof).ok()) {
    return Corrupt("map_store_mismatch", "stored map nodes do not fold to the map root");
  }
  return proof;
}

Result<Bytes> LogStore::MapRecord(const Hash& digest) const {
  return MapReader(*kv_, map_cache_.get()).GetRecord(digest);
}

Status LogStore::Refresh() {
  RETURN_IF_ERROR(kv_->Refresh());
  // Serialised with Append so that a writer's own store never re-reads a
  // head it is about to replace.
  std::lock_guard<std::mutex> append_lock(append_mu_);
  return LoadHead(size());
}

uint64_t LogStore::size() const {
  std::shared_lock l(mu_);
  return range_.size();
}

VerifiedCheckpoint LogStore::latest() const {
  std::shared_lock l(mu_);
  return latest_;
}

Result<std::vector<Hash>> LogStore::TileHashes(uint32_t level, uint64_t index,
                                               uint32_t min_width) const {
  auto raw = kv_->Get(Column::kTiles, keys::Tile(level, index));
  if (!raw.ok()) {
    if (raw.status().code() == Code::kNotFound) {
      return Corrupt("missing_tile", "tile " + tiles::TilePath({level, index, tiles::kWidth}) +
                                         " is missing");
    }
    return raw.status();
  }
  if (raw->empty() || raw->size() % Hash::kSize != 0 ||
      raw->size() > size_t{tiles::kWidth} * Hash::kSize) {
    return Corrupt("malformed_tile", "stored tile has " + std::to_string(raw->size()) + " bytes");
  }
  auto width = static_cast<uint32_t>(raw->size() / Hash::kSize);
  if (width < min_width) {
    return Corrupt("short_tile", "stored tile is narrower than the tree requires");
  }
  return tiles::ParseHashTile(*raw, width);
}

Result<Hash> LogStore::Node(uint32_t level, uint64_t index, bool use_cache) const {
  // Tiles hold tree levels 0, 8, 16, ...; a node in between is the perfect
  // fold of 2^(level mod 8) hashes of the tile below it.
  uint32_t tile_level = level / tiles::kHeight;
  uint32_t r = level % tiles::kHeight;
  if (tile_level > tiles::kMaxLevel || (r > 0 && index > (UINT64_MAX >> r))) {
    return Status::InvalidArgument("bad_node", "node out of range");
  }
  uint64_t first = index << r;
  uint64_t count = uint64_t{1} << r;
  uint64_t offset = first % tiles::kWidth;
  uint64_t tile_index = first / tiles::kWidth;
  // The width this tile has at the current size; its first `width` hashes
  // are immutable, so they can be cached with their internal nodes. Nodes
  // beyond the current size (while opening) are read directly.
  uint64_t at_level = tiles::HashesAtLevel(tile_level, size());
  uint64_t width = tile_index < at_level / tiles::kWidth ? tiles::kWidth
                   : tile_index == at_level / tiles::kWidth ? at_level % tiles::kWidth
                                                             : 0;
  if (use_cache && width >= offset + count) {
    auto w = static_cast<uint32_t>(width);
    if (auto cached = tile_cache_->Get(tile_level, tile_index, w)) {
      return cached->At(r, offset >> r);
    }
    ASSIGN_OR_RETURN(auto hashes, TileHashes(tile_level, tile_index, w));
    auto nodes = std::make_shared<const TileNodes>(std::span<const Hash>(hashes).first(w));
    tile_cache_->Put(tile_level, tile_index, nodes);
    return nodes->At(r, offset >> r);
  }
  ASSIGN_OR_RETURN(auto hashes,
                   TileHashes(tile_level, tile_index, static_cast<uint32_t>(offset + count)));
  if (r == 0) return hashes[offset];
  return merkle::RootFromLeafHashes(
      std::span<const Hash>(hashes).subspan(offset, static_cast<size_t>(count)));
}

merkle::NodeSource LogStore::Source() const {
  return [this](uint32_t level, uint64_t index) { return Node(level, index); };
}

Status LogStore::VerifyRootAt(uint64_t size, const Hash& root, uint64_t latest_size,
                              const Hash& latest_root) const {
  if (size == latest_size) {
    if (root != latest_root) return Corrupt("root_mismatch", "stored tiles disagree with the checkpoint");
    return Status::Ok();
  }
  // An older root is authentic iff it is consistent with the signed one.
  ASSIGN_OR_RETURN(auto proof, merkle::ConsistencyProof(size, latest_size, Source()));
  auto s = merkle::VerifyConsistency(size, latest_size, proof, root, latest_root);
  if (!s.ok()) return Corrupt("root_mismatch", "stored tiles disagree with the checkpoint");
  return Status::Ok();
}

Result<Hash> LogStore::RootAt(uint64_t tree_size) const {
  auto head = latest();
  if (tree_size > head.checkpoint.size) {
    return Status::InvalidArgument("tree_size_beyond_head",
                                   "tree size " + std::to_string(tree_size) + " > log size " +
                                       std::to_string(head.checkpoint.size));
  }
  if (tree_size == head.checkpoint.size) return head.checkpoint.root;
  auto range = merkle::CompactRange::Load(tree_size, Source());
  if (!range.ok()) return Corrupt("missing_tiles", range.status().message());
  Hash root = range->Root();
  RETURN_IF_ERROR(VerifyRootAt(tree_size, root, head.checkpoint.size, head.checkpoint.root));
  return root;
}

Result<Bytes> LogStore::RawLeaf(uint64_t index) const {
  auto raw = kv_->Get(Column::kLeaves, keys::U64(index));
  if (!raw.ok() && raw.status().code() == Code::kNotFound) {
    return Corrupt("missing_leaf", "leaf " + std::to_string(index) + " is missing");
  }
  return raw;
}

Result<LeafWithProof> LogStore::GetLeaf(uint64_t index, uint64_t tree_size) const {
  if (tree_size == 0) tree_size = size();
  if (index >= tree_size) {
    return Status::InvalidArgument("index_out_of_range", "index " + std::to_string(index) +
                                                             " >= tree size " +
                                                             std::to_string(tree_size));
  }
  ASSIGN_OR_RETURN(Hash root, RootAt(tree_size));
  LeafWithProof out;
  out.index = index;
  out.tree_size = tree_size;
  ASSIGN_OR_RETURN(out.leaf, RawLeaf(index));
  out.leaf_hash = merkle::LeafHash(out.leaf);
  ASSIGN_OR_RETURN(out.proof, merkle::InclusionProof(index, tree_size, Source()));
  if (!merkle::VerifyInclusion(index, tree_size, out.leaf_hash, out.proof, root).ok()) {
    return Corrupt("leaf_mismatch", "stored leaf " + std::to_string(index) +
                                        " is not the one the checkpoint commits to");
  }
  return out;
}

Result<std::vector<Hash>> LogStore::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (index >= tree_size) {
    return Status::InvalidArgument("index_out_of_range", "index " + std::to_string(index) +
                                                             " >= tree size " +
                                                             std::to_string(tree_size));
  }
  ASSIGN_OR_RETURN(Hash root, RootAt(tree_size));
  ASSIGN_OR_RETURN(Hash leaf_hash, Node(0, index));
  ASSIGN_OR_RETURN(auto proof, merkle::InclusionProof(index, tree_size, Source()));
  if (!merkle::VerifyInclusion(index, tree_size, leaf_hash, proof, root).ok()) {
    return Corrupt("proof_mismatch", "stored tiles do not prove the leaf");
  }
  return proof;
}

Result<std::vector<Hash>> LogStore::ConsistencyProof(uint64_t size1, uint64_t size2) const {
  if (size1 > size2) {
    return Status::InvalidArgument("bad_tree_sizes", "size1 > size2");
  }
  ASSIGN_OR_RETURN(Hash root2, RootAt(size2));
  ASSIGN_OR_RETURN(Hash root1, RootAt(size1));
  ASSIGN_OR_RETURN(auto proof, merkle::ConsistencyProof(size1, size2, Source()));
  if (!merkle::VerifyConsistency(size1, size2, proof, root1, root2).ok()) {
    return Corrupt("proof_mismatch", "stored tiles do not prove consistency");
  }
  return proof;
}

}  // namespace ledger::store
