// LogStore's verified reads beyond single proofs: tiles, bundles,
// checkpoints, payloads, search, and the full audit.
#include <algorithm>
#include <functional>
#include <map>
#include <mutex>

#include "keys.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/store/log_store.h"
#include "ledger/v1/store.pb.h"
#include "stored_app_proof.h"

namespace ledger::store {
namespace {

Status Corrupt(std::string reason, std::string message) {
  return Status::Corruption(std::move(reason), std::move(message));
}

}  // namespace

Result<LogStore::Head> LogStore::ReadHead() const {
  auto cp = latest();
  Head head;
  head.checkpoint_note = cp.note;
  auto range = merkle::CompactRange::Load(cp.checkpoint.size, Source());
  if (!range.ok()) return Corrupt("missing_tiles", range.status().message());
  if (range->Root() != cp.checkpoint.root) {
    return Corrupt("store_head_mismatch", "stored tiles do not fold to the checkpoint root");
  }
  head.frontier = range->nodes();
  if (cp.checkpoint.size > 0) {
    ASSIGN_OR_RETURN(auto leaf, GetLeaf(cp.checkpoint.size - 1, cp.checkpoint.size));
    head.last_leaf = std::move(leaf.leaf);
    head.last_leaf_proof = std::move(leaf.proof);
  }
  return head;
}

Result<Bytes> LogStore::ReadTile(const tiles::TileId& id) const {
  if (id.level > tiles::kMaxLevel || id.width == 0 || id.width > tiles::kWidth) {
    return Status::InvalidArgument("bad_tile", "no such tile shape");
  }
  auto head = latest();
  const uint64_t size = head.checkpoint.size;
  const uint64_t available = tiles::HashesAtLevel(id.level, size);
  if (id.index > (UINT64_MAX - id.width) / tiles::kWidth ||
      id.index * tiles::kWidth + id.width > available) {
    return Status::NotFound("tile_not_found", tiles::TilePath(id) + " is beyond the log");
  }
  ASSIGN_OR_RETURN(auto stored, TileHashes(id.level, id.index, id.width));
  std::span<const Hash> hashes(stored.data(), id.width);

  // The tile's hashes cover leaves [a, b); the tree of size b is the tree of
  // size a extended by exactly these subtrees, so its root is the fold of the
  // stored frontier of [0, a) and the tile. That root must be consistent with
  // the signed one, which binds every hash in the tile.
  const uint32_t shift = tiles::kHeight * id.level;
  const uint64_t a = (id.index * tiles::kWidth) << shift;
  const uint64_t b = (id.index * tiles::kWidth + id.width) << shift;
  merkle::NodeSource source = [&](uint32_t level, uint64_t index) -> Result<Hash> {
    if (level >= shift && level < 64 && (index << level) >= a) {
      uint32_t r = level - shift;
      uint64_t off = (index << r) - id.index * tiles::kWidth;
      uint64_t count = uint64_t{1} << r;
      if (off + count > id.width) return Status::Internal("bad_node", "node outside the tile");
      return merkle::RootFromLeafHashes(hashes.subspan(off, count));
    }
    return Node(level, index);
  };
  auto range = merkle::CompactRange::Load(b, source);
  if (!range.ok()) return Corrupt("missing_tiles", range.status().message());
  auto s = VerifyRootAt(b, range->Root(), size, head.checkpoint.root);
  if (!s.ok()) {
    return Corrupt("tile_mismatch",
                   tiles::TilePath(id) + " does not match the signed checkpoint");
  }
  return tiles::FormatHashTile(hashes);
}

Result<Bytes> LogStore::ReadEntryBundle(uint64_t index, uint32_t width) const {
  ASSIGN_OR_RETURN(Bytes tile, ReadTile({0, index, width}));
  ASSIGN_OR_RETURN(auto hashes, tiles::ParseHashTile(tile, width));
  std::vector<Bytes> entries;
  entries.reserve(width);
  for (uint32_t i = 0; i < width; ++i) {
    ASSIGN_OR_RETURN(Bytes leaf, RawLeaf(index * tiles::kWidth + i));
    if (merkle::LeafHash(leaf) != hashes[i]) {
      return Corrupt("leaf_mismatch", "stored leaf " + std::to_string(index * 256 + i) +
                                          " does not match its tile");
    }
    entries.push_back(std::move(leaf));
  }
  return tiles::FormatEntryBundle(entries);
}

Result<std::string> LogStore::CheckpointAt(uint64_t size) const {
  auto raw = kv_->Get(Column::kCheckpoints, keys::U64(size));
  if (!raw.ok()) {
    if (raw.status().code() == Code::kNotFound) {
      return Status::NotFound("checkpoint_not_found",
                              "no checkpoint of size " + std::to_string(size));
    }
    return raw.status();
  }
  ledger::v1::StoredCheckpoint rec;
  if (!rec.ParseFromArray(raw->data(), static_cast<int>(raw->size()))) {
    return Corrupt("malformed_record", "stored checkpoint does not parse");
  }
  auto vc = VerifyCheckpoint(rec.note(), *verifier_);
  if (!vc.ok() || vc->checkpoint.size != size || rec.size() != size) {
    return Corrupt("bad_checkpoint", "stored checkpoint of size " + std::to_string(size) +
                                         " does not verify");
  }
  RETURN_IF_ERROR(CheckStoredAppProof(rec, *verifier_));
  ASSIGN_OR_RETURN(Hash root, RootAt(size));
  if (root != vc->checkpoint.root) {
    return Corrupt("bad_checkpoint", "stored checkpoint disagrees with the log");
  }
  return rec.note();
}

Result<StoredAppProof> LogStore::AppProofFor(uint64_t index) const {
  if (index >= size()) {
    return Status::NotFound("no_app_proof", "no entry " + std::to_string(index));
  }
  // Batches end at stored checkpoints: the first one after the entry closes
  // its batch.
  std::optional<uint64_t> size_found;
  Bytes record;
  RETURN_IF_ERROR(kv_->Scan(Column::kCheckpoints, keys::U64(index + 1), {}, false,
                            [&](ByteView k, ByteView v) {
                              if (k.size() != 8) return true;
                              size_found = keys::TrailingIndex(k);
                              record.assign(v.begin(), v.end());
                              return false;
                            }));
  if (!size_found) {
    return Status::NotFound("no_app_proof", "no checkpoint after entry " + std::to_string(index));
  }
  ledger::v1::StoredCheckpoint rec;
  if (!rec.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
    return Corrupt("malformed_record", "stored checkpoint does not parse");
  }
  if (!rec.has_app_proof()) {
    return Status::NotFound("no_app_proof",
                            "entry " + std::to_string(index) + "'s batch has no stored app proof");
  }
  const ledger::v1::BatchAppProof& ap = rec.app_proof();
  if (rec.size() != *size_found || ap.first_index() > index) {
    return Corrupt("bad_checkpoint", "the app proof stored at size " +
                                         std::to_string(*size_found) + " names another batch");
  }
  RETURN_IF_ERROR(CheckStoredAppProof(rec, *verifier_));
  StoredAppProof out;
  out.notary_note = ap.notary_note();
  out.first_index = ap.first_index();
  out.count = ap.count();
  out.proof.payload = ap.payload();
  out.proof.signature = ToBytes(ap.signature());
  out.proof.public_key = ToBytes(ap.public_key());
  return out;
}

namespace {

// Sizes of stored checkpoints in [from, to], ascending or descending, at
// most `limit` (checkpoint keys are the 8-byte size; longer keys are the
// app proofs kept beside them).
Result<std::vector<uint64_t>> ScanCheckpointSizes(const Kv& kv, uint64_t from, uint64_t to,
                                                  bool descending, size_t limit) {
  std::vector<uint64_t> out;
  if (limit == 0) return out;
  Bytes end = to == UINT64_MAX ? Bytes{} : keys::U64(to + 1);
  RETURN_IF_ERROR(kv.Scan(Column::kCheckpoints, keys::U64(from), end, descending,
                          [&](ByteView k, ByteView) {
                            if (auto i = keys::TrailingIndex(k); i && k.size() == 8) {
                              out.push_back(*i);
                            }
                            return out.size() < limit;
                          }));
  return out;
}

}  // namespace

Result<std::vector<uint64_t>> LogStore::CheckpointSizes(uint64_t from, uint64_t to,
                                                        size_t limit) const {
  return ScanCheckpointSizes(*kv_, from, to, false, limit);
}

Result<std::vector<uint64_t>> LogStore::LatestCheckpointSizes(uint64_t to, size_t limit) const {
  return ScanCheckpointSizes(*kv_, 0, to, true, limit);
}

Result<Payload> LogStore::GetPayload(const Hash& digest) const {
  auto raw = kv_->Get(Column::kPayloads, digest.view());
  if (!raw.ok()) {
    if (raw.status().code() == Code::kNotFound) {
      return Status::NotFound("payload_not_found", "no payload body with digest " + digest.Hex());
    }
    return raw.status();
  }
  ledger::v1::PayloadRecord rec;
  if (!rec.ParseFromArray(raw->data(), static_cast<int>(raw->size()))) {
    return Corrupt("malformed_record", "stored payload does not parse");
  }
  Payload p{digest, Bytes(rec.body().begin(), rec.body().end()), rec.content_type()};
  if (Sha256::Digest(p.body) != digest || AsBytes(rec.digest()).size() != digest.bytes.size() ||
      !std::equal(digest.bytes.begin(), digest.bytes.end(), AsBytes(rec.digest()).begin())) {
    return Corrupt("payload_mismatch", "stored payload body does not match its digest");
  }
  return p;
}

Result<PayloadPresence> LogStore::PayloadState(const Hash& digest) const {
  auto body = kv_->Get(Column::kPayloads, digest.view());
  if (body.ok()) return PayloadPresence::kStored;
  if (body.status().code() != Code::kNotFound) return body.status();
  auto disposed = kv_->Get(Column::kMeta, keys::PayloadDisposedKey(digest));
  if (disposed.ok()) return PayloadPresence::kDisposed;
  if (disposed.status().code() != Code::kNotFound) return disposed.status();
  auto received = kv_->Get(Column::kMeta, keys::PayloadReceivedKey(digest));
  if (received.ok()) return PayloadPresence::kMissing;
  if (received.status().code() != Code::kNotFound) return received.status();
  return PayloadPresence::kNeverReceived;
}

Result<std::optional<uint64_t>> LogStore::FindRequest(std::string_view request_id) const {
  auto raw = kv_->Get(Column::kRequests, AsBytes(request_id));
  if (!raw.ok()) {
    if (raw.status().code() == Code::kNotFound) return std::optional<uint64_t>();
    return raw.status();
  }
  if (raw->size() != 8) return Corrupt("malformed_record", "request index entry");
  const uint64_t index = LoadU64BE(raw->data());
  // The request column is an unsigned index: an entry it names must be a
  // verified leaf carrying that request id, or a tampered record would
  // answer a retry with another entry's receipt (a deleted record can only
  // make a retry look new; docs/crash-safety.md).
  if (index >= size()) {
    return Corrupt("request_index_mismatch",
                   "request id names entry " + std::to_string(index) + " beyond the log");
  }
  ASSIGN_OR_RETURN(LeafWithProof leaf, GetLeaf(index));
  auto decoded = DecodeLeaf(leaf.leaf);
  auto event = decoded.ok() ? DecodeEvent(decoded->event) : Result<Event>(decoded.status());
  if (!event.ok() || event->request_id != request_id) {
    return Corrupt("request_index_mismatch",
                   "entry " + std::to_string(index) + " does not carry the request id");
  }
  return std::optional<uint64_t>(index);
}

Result<std::vector<uint64_t>> LogStore::FindEntries(const EntryQuery& q) const {
  // Candidates are the indices in [lo, hi), visited in the query's order.
  const uint64_t lo = q.start_index;
  const uint64_t hi = std::min(q.end_index, this->size());
  const bool down = q.descending;
  std::vector<uint64_t> out;
  if (q.limit == 0 || lo >= hi) return out;

  // Every candidate is decoded and re-matched, so a tampered index can only
  // hide entries, never return wrong ones (GetLeaf then verifies them).
  Status inner;
  auto consider = [&](uint64_t index) -> bool {
    // Before the range in scan order: go on; past it: stop.
    if (index < lo) return !down;
    if (index >= hi) return down;
    auto raw = RawLeaf(index);
    if (!raw.ok()) {
      inner = raw.status();
      return false;
    }
    auto leaf = DecodeLeaf(*raw);
    auto event = leaf.ok() ? DecodeEvent(leaf->event) : Result<Event>(leaf.status());
    if (!event.ok()) {
      inner = Corrupt("malformed_leaf", "stored leaf " + std::to_string(index));
      return false;
    }
    bool match = (!q.subject || event->subject == *q.subject) &&
                 (!q.actor || event->actor.id == *q.actor) &&
                 (!q.kind || event->kind == *q.kind) &&
                 (!q.outcome || event->outcome == *q.outcome) &&
                 (!q.from_us || leaf->recorded_at_us >= *q.from_us) &&
                 (!q.to_us || leaf->recorded_at_us < *q.to_us);
    if (match) out.push_back(index);
    return out.size() < q.limit;
  };
  auto scan_prefix = [&](Column c, const Bytes& prefix) {
    return kv_->Scan(c, keys::WithIndex(prefix, lo), keys::WithIndex(prefix, hi), down,
                     [&](ByteView k, ByteView) {
                       auto i = keys::TrailingIndex(k);
                       return i ? consider(*i) : true;
                     });
  };
  Status s;
  if (q.subject) {
    s = scan_prefix(Column::kBySubject, keys::StringPrefix(*q.subject));
  } else if (q.actor) {
    s = scan_prefix(Column::kByActor, keys::StringPrefix(*q.actor));
  } else if (q.kind) {
    Bytes prefix;
    AppendU16BE(prefix, static_cast<uint16_t>(*q.kind));
    s = scan_prefix(Column::kByKind, prefix);
  } else if (q.from_us || q.to_us) {
    // Time order equals index order (timestamps never decrease), so the
    // index range is applied by consider().
    Bytes begin = keys::U64(q.from_us.value_or(0));
    Bytes end = q.to_us ? keys::U64(*q.to_us) : Bytes{};
    s = kv_->Scan(Column::kByTime, begin, end, down, [&](ByteView k, ByteView) {
      auto i = keys::TrailingIndex(k);
      return i ? consider(*i) : true;
    });
  } else if (down) {
    for (uint64_t i = hi; i > lo && consider(i - 1);) --i;
  } else {
    for (uint64_t i = lo; i < hi && consider(i);) ++i;
  }
  RETURN_IF_ERROR(s);
  RETURN_IF_ERROR(inner);
  return out;
}

Result<std::optional<uint64_t>> LogStore::FindStamp(ByteView event_bytes) const {
  if (!options_.state_map) return std::optional<uint64_t>();
  ASSIGN_OR_RETURN(auto index, NewMapUpdater().FindStamp(event_bytes));
  if (!index) return index;
  // The map root is the signed one (LoadHead, Append), so the index is
  // proven; the leaf is read back to answer with nothing but that entry.
  ASSIGN_OR_RETURN(LeafWithProof leaf, GetLeaf(*index));
  auto decoded = DecodeLeaf(leaf.leaf);
  if (!decoded.ok() || decoded->event != Bytes(event_bytes.begin(), event_bytes.end())) {
    return Corrupt("stamp_index_mismatch",
                   "entry " + std::to_string(*index) + " does not carry the stamped event");
  }
  return index;
}

Status LogStore::Audit() const {
  auto head = latest();
  const uint64_t size = head.checkpoint.size;
  // Leaves against level-0 tiles, and the hash chain.
  Hash prev = ChainGenesis(origin_);
  uint64_t last_time = 0;
  std::vector<Hash> tile;
  for (uint64_t i = 0; i < size; ++i) {
    if (i % tiles::kWidth == 0) {
      uint64_t n = std::min<uint64_t>(tiles::kWidth, size - i);
      ASSIGN_OR_RETURN(tile, TileHashes(0, i / tiles::kWidth, static_cast<uint32_t>(n)));
    }
    ASSIGN_OR_RETURN(Bytes raw, RawLeaf(i));
    Hash h = merkle::LeafHash(raw);
    if (h != tile[i % tiles::kWidth]) {
      return Corrupt("leaf_mismatch", "leaf " + std::to_string(i) + " does not match its tile");
    }
    auto leaf = DecodeLeaf(raw);
    if (!leaf.ok()) return Corrupt("malformed_leaf", "leaf " + std::to_string(i));
    if (!VerifyChainLink(*leaf, prev, i).ok() || leaf->recorded_at_us < last_time) {
      return Corrupt("chain_broken", "hash chain broken at leaf " + std::to_string(i));
    }
    prev = h;
    last_time = leaf->recorded_at_us;
  }
  // Each full tile's fold must be the matching hash one tile level up.
  for (uint32_t level = 0; tiles::HashesAtLevel(level + 1, size) > 0; ++level) {
    uint64_t parents = tiles::HashesAtLevel(level + 1, size);
    for (uint64_t p = 0; p < parents; ++p) {
      // Straight from storage, not through the tile cache: the audit must
      // see what is on disk now.
      ASSIGN_OR_RETURN(auto child, TileHashes(level, p, tiles::kWidth));
      ASSIGN_OR_RETURN(auto above, TileHashes(level + 1, p / tiles::kWidth,
                                              static_cast<uint32_t>(p % tiles::kWidth + 1)));
      if (merkle::RootFromLeafHashes(child) != above[p % tiles::kWidth]) {
        return Corrupt("tile_mismatch", "tile " + tiles::TilePath({level, p, 256}) +
                                            " disagrees with the level above");
      }
    }
  }
  auto range = merkle::CompactRange::Load(size, Source());
  if (!range.ok() || range->Root() != head.checkpoint.root) {
    return Corrupt("root_mismatch", "tiles do not fold to the latest checkpoint's root");
  }
  Status bad;
  RETURN_IF_ERROR(kv_->Scan(Column::kCheckpoints, {}, {}, false, [&](ByteView k, ByteView) {
    auto at = keys::TrailingIndex(k);
    if (!at || k.size() != 8) {
      bad = Corrupt("malformed_record", "checkpoint key");
      return false;
    }
    bad = CheckpointAt(*at).status();
    return bad.ok();
  }));
  RETURN_IF_ERROR(bad);
  RETURN_IF_ERROR(AuditStamps());
  return AuditIndexes();
}

// Each stamped entry's stamp key in the latest map must name that entry: two
// entries with the same event cannot both be named, whatever the (unsigned,
// for a log whose notary keeps no map) map says, so a duplicate is found
// with one map path per entry and no memory of the others. The log key's own
// entries set no key (map.md §5a) and are few: a set finds theirs, and
// everything when the store keeps no map.
Status LogStore::AuditStamps() const {
  const uint64_t size = latest().checkpoint.size;
  MapUpdater map = NewMapUpdater();
  std::map<Hash, uint64_t> unmapped;
  auto duplicate = [](uint64_t first, uint64_t again) {
    return Corrupt("duplicate_stamp", "entry " + std::to_string(again) +
                                          " repeats the stamped event of entry " +
                                          std::to_string(first));
  };
  for (uint64_t i = 0; i < size; ++i) {
    ASSIGN_OR_RETURN(Bytes raw, RawLeaf(i));
    auto leaf = DecodeLeaf(raw);
    if (!leaf.ok()) return Corrupt("malformed_leaf", "leaf " + std::to_string(i));
    if (leaf->stamp.empty()) continue;
    if (!options_.state_map ||
        !state_map::RecordsStamp(leaf->stamp, verifier_->name(), verifier_->key_id())) {
      auto [it, fresh] = unmapped.emplace(Sha256::Digest(leaf->event), i);
      if (!fresh) return duplicate(it->second, i);
      continue;
    }
    ASSIGN_OR_RETURN(auto first, map.FindStamp(leaf->event));
    if (first && *first == i) continue;
    if (first && *first < i) {
      ASSIGN_OR_RETURN(Bytes other, RawLeaf(*first));
      auto other_leaf = DecodeLeaf(other);
      if (other_leaf.ok() && other_leaf->event == leaf->event && !other_leaf->stamp.empty()) {
        return duplicate(*first, i);
      }
    }
    return Corrupt("map_stamp_mismatch", "the map's stamp key for entry " + std::to_string(i) +
                                             " does not name it");
  }
  return Status::Ok();
}

// The unsigned columns: payload bodies against their digests, request ids
// and search keys against the (already audited) leaves they point at.
Status LogStore::AuditIndexes() const {
  const uint64_t size = latest().checkpoint.size;
  Status bad;
  auto event_at = [&](uint64_t index, const char* column) -> std::optional<std::pair<Leaf, Event>> {
    if (index >= size) {
      bad = Corrupt("index_mismatch", std::string(column) + " names entry " +
                                          std::to_string(index) + " beyond the log");
      return std::nullopt;
    }
    auto raw = RawLeaf(index);
    auto leaf = raw.ok() ? DecodeLeaf(*raw) : Result<Leaf>(raw.status());
    auto event = leaf.ok() ? DecodeEvent(leaf->event) : Result<Event>(leaf.status());
    if (!event.ok()) {
      bad = Corrupt("malformed_leaf", "leaf " + std::to_string(index));
      return std::nullopt;
    }
    return std::make_pair(std::move(leaf).value(), std::move(event).value());
  };
  auto mismatch = [&](const char* column, ByteView key) {
    bad = Corrupt("index_mismatch", std::string(column) + " key " + HexEncode(key) +
                                        " does not match its entry");
    return false;
  };
  RETURN_IF_ERROR(kv_->Scan(Column::kPayloads, {}, {}, false, [&](ByteView k, ByteView) {
    if (k.size() != 32) return mismatch("payloads", k);
    Hash digest;
    std::copy(k.begin(), k.end(), digest.bytes.begin());
    bad = GetPayload(digest).status();
    return bad.ok();
  }));
  RETURN_IF_ERROR(bad);
  // State-map nodes are their own hash preimages (map.md §8).
  RETURN_IF_ERROR(kv_->Scan(Column::kMapNodes, {}, {}, false, [&](ByteView k, ByteView v) {
    Hash h = Sha256::Digest(v);
    if (!std::equal(k.begin(), k.end(), h.bytes.begin(), h.bytes.end())) {
      bad = Corrupt("map_node_corrupt", "stored map node does not hash to its key");
      return false;
    }
    return true;
  }));
  RETURN_IF_ERROR(bad);
  RETURN_IF_ERROR(kv_->Scan(Column::kRequests, {}, {}, false, [&](ByteView k, ByteView) {
    bad = FindRequest(AsString(k)).status();
    return bad.ok();
  }));
  RETURN_IF_ERROR(bad);
  // Search keys: prefix || u64 BE index; the prefix must be the entry's.
  auto check = [&](Column c, const char* column,
                   const std::function<Bytes(const Leaf&, const Event&)>& prefix) {
    return kv_->Scan(c, {}, {}, false, [&](ByteView k, ByteView) {
      auto index = keys::TrailingIndex(k);
      if (!index) return mismatch(column, k);
      auto entry = event_at(*index, column);
      if (!entry) return false;
      Bytes expected = keys::WithIndex(prefix(entry->first, entry->second), *index);
      if (!std::equal(expected.begin(), expected.end(), k.begin(), k.end())) {
        return mismatch(column, k);
      }
      return true;
    });
  };
  RETURN_IF_ERROR(check(Column::kBySubject, "by_subject", [](const Leaf&, const Event& e) {
    return keys::StringPrefix(e.subject);
  }));
  RETURN_IF_ERROR(bad);
  RETURN_IF_ERROR(check(Column::kByActor, "by_actor", [](const Leaf&, const Event& e) {
    return keys::StringPrefix(e.actor.id);
  }));
  RETURN_IF_ERROR(bad);
  RETURN_IF_ERROR(check(Column::kByKind, "by_kind", [](const Leaf&, const Event& e) {
    Bytes kind;
    AppendU16BE(kind, static_cast<uint16_t>(e.kind));
    return kind;
  }));
  RETURN_IF_ERROR(bad);
  RETURN_IF_ERROR(check(Column::kByTime, "by_time", [](const Leaf& l, const Event&) {
    return keys::U64(l.recorded_at_us);
  }));
  RETURN_IF_ERROR(bad);
  // And complete: every entry is under each of its keys, and its request id
  // is known (a deleted or moved key would hide it, or let a retry of it
  // become a second entry).
  for (uint64_t i = 0; i < size; ++i) {
    auto entry = event_at(i, "leaves");
    if (!entry) return bad;
    const auto& [leaf, e] = *entry;
    Bytes kind;
    AppendU16BE(kind, static_cast<uint16_t>(e.kind));
    const std::pair<Column, Bytes> expected[] = {
        {Column::kBySubject, keys::WithIndex(keys::StringPrefix(e.subject), i)},
        {Column::kByActor, keys::WithIndex(keys::StringPrefix(e.actor.id), i)},
        {Column::kByKind, keys::WithIndex(std::move(kind), i)},
        {Column::kByTime, keys::WithIndex(keys::U64(leaf.recorded_at_us), i)}};
    for (const auto& [column, key] : expected) {
      auto found = kv_->Get(column, key);
      if (!found.ok()) {
        if (found.status().code() != Code::kNotFound) return found.status();
        return Corrupt("index_mismatch", "entry " + std::to_string(i) + " is missing from " +
                                             std::string(ColumnName(column)));
      }
    }
    if (!e.request_id.empty()) {
      auto first = kv_->Get(Column::kRequests, AsBytes(e.request_id));
      if (!first.ok() && first.status().code() != Code::kNotFound) return first.status();
      if (!first.ok() || first->size() != 8 || LoadU64BE(first->data()) > i) {
        return Corrupt("request_index_mismatch",
                       "entry " + std::to_string(i) + "'s request id is not indexed");
      }
    }
  }
  return Status::Ok();
}

}  // namespace ledger::store
