// LogStore::Append: one sequenced batch -> one synced WriteBatch.
#include <map>
#include <mutex>
#include <set>

#include "keys.h"
#include "ledger/base/clock.h"
#include "ledger/record/leaf.h"
#include "ledger/store/log_store.h"
#include "ledger/v1/store.pb.h"

namespace ledger::store {
namespace {

struct Completed {
  uint32_t level;
  uint64_t index;
  Hash hash;
};

void IndexEvent(WriteBatch& wb, const Event& e, uint64_t index, uint64_t recorded_at_us) {
  wb.Put(Column::kBySubject, keys::WithIndex(keys::StringPrefix(e.subject), index), {});
  wb.Put(Column::kByActor, keys::WithIndex(keys::StringPrefix(e.actor.id), index), {});
  Bytes kind;
  AppendU16BE(kind, static_cast<uint16_t>(e.kind));
  wb.Put(Column::kByKind, keys::WithIndex(std::move(kind), index), {});
  wb.Put(Column::kByTime, keys::WithIndex(keys::U64(recorded_at_us), index), {});
}

}  // namespace

Status LogStore::Append(const SequencedBatch& batch, std::span<const Payload> payloads,
                        const BatchAppProof* app_proof) {
  std::lock_guard<std::mutex> one_writer(append_mu_);
  merkle::CompactRange range;
  {
    std::shared_lock l(mu_);
    range = range_;
  }
  const uint64_t first = range.size();
  if (batch.first_index != first) {
    return Status::FailedPrecondition("head_mismatch",
                                      "batch starts at " + std::to_string(batch.first_index) +
                                          ", the log has " + std::to_string(first) + " entries");
  }
  if (batch.leaves.empty() || batch.leaves.size() != batch.leaf_hashes.size()) {
    return Status::InvalidArgument("malformed_batch", "a batch needs leaves and their hashes");
  }
  ASSIGN_OR_RETURN(VerifiedCheckpoint vc, VerifyCheckpoint(batch.checkpoint_note, *verifier_));
  if (vc.checkpoint != batch.checkpoint || vc.checkpoint.origin != origin_ ||
      vc.checkpoint.size != first + batch.leaves.size()) {
    return Status::FailedPrecondition("checkpoint_mismatch",
                                      "the signed checkpoint does not describe this batch");
  }

  // The chain head is the hash of the last stored leaf (verified below
  // against the tiles: a tampered last leaf breaks the first link).
  Hash prev = ChainGenesis(origin_);
  if (first > 0) {
    ASSIGN_OR_RETURN(prev, Node(0, first - 1, /*use_cache=*/false));
  }

  MapUpdater map = NewMapUpdater();
  WriteBatch wb;
  std::vector<Completed> completed;
  std::set<std::string> new_requests;
  std::set<Hash> referenced_payloads;
  for (size_t i = 0; i < batch.leaves.size(); ++i) {
    const Bytes& bytes = batch.leaves[i];
    const uint64_t index = first + i;
    Hash h = merkle::LeafHash(bytes);
    if (h != batch.leaf_hashes[i]) {
      return Status::InvalidArgument("leaf_hash_mismatch", "leaf " + std::to_string(index));
    }
    ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(bytes));
    RETURN_IF_ERROR(VerifyChainLink(leaf, prev, index));
    ASSIGN_OR_RETURN(Event event, DecodeEvent(leaf.event));
    prev = h;
    range.Append(h, [&](uint32_t level, uint64_t node_index, const Hash& node) {
      if (level % tiles::kHeight == 0) completed.push_back({level / tiles::kHeight, node_index, node});
    });
    wb.Put(Column::kLeaves, keys::U64(index), bytes);
    IndexEvent(wb, event, index, leaf.recorded_at_us);
    if (options_.state_map) {
      // The stamp key first, as the notary sets it (map.md §5a). A log whose
      // notary keeps no map can hold a replayed stamped event: its key keeps
      // the first entry (Audit reports the second; a notary with the map
      // never signs one, and the map line check below would refuse it).
      // Then the subject and the retention keys (map.md §5b); an entry a
      // notary without the retention rules sequenced, which breaks them,
      // leaves its retention keys as they were.
      RETURN_IF_ERROR(map.ApplyEntry(leaf.event, leaf.stamp, event, index));
    }
    if (event.payload_digest) referenced_payloads.insert(*event.payload_digest);
    if (!event.request_id.empty() && !new_requests.contains(event.request_id)) {
      auto existing = kv_->Get(Column::kRequests, AsBytes(event.request_id));
      if (!existing.ok() && existing.status().code() != Code::kNotFound) return existing.status();
      if (!existing.ok()) {
        new_requests.insert(event.request_id);
        wb.Put(Column::kRequests, ToBytes(event.request_id), keys::U64(index));
      }
    }
  }
  if (range.Root() != vc.checkpoint.root) {
    return Status::FailedPrecondition("checkpoint_root_mismatch",
                                      "the signed root is not the root of the extended tree");
  }

  // A checkpoint that commits to the map must commit to this map.
  auto signed_map_root = state_map::FindRoot(vc.checkpoint.extensions);
  if (!signed_map_root.ok()) return signed_map_root.status();
  if (*signed_map_root && (!options_.state_map || **signed_map_root != map.root())) {
    return Status::FailedPrecondition("map_root_mismatch",
                                      "the signed map root is not the root of the updated map");
  }
  if (options_.state_map) {
    map.AddTo(wb);
    wb.Put(Column::kMapRoots, keys::U64(vc.checkpoint.size),
           Bytes(map.root().bytes.begin(), map.root().bytes.end()));
  }

  // Tiles grow at their right edge only: extend each touched tile by the
  // hashes completed in this batch, starting from what is stored.
  std::map<std::pair<uint32_t, uint64_t>, std::vector<Hash>> touched;
  for (const Completed& c : completed) {
    auto key = std::make_pair(c.level, c.index / tiles::kWidth);
    auto it = touched.find(key);
    if (it == touched.end()) {
      std::vector<Hash> existing;
      if (c.index % tiles::kWidth != 0) {
        ASSIGN_OR_RETURN(existing, TileHashes(key.first, key.second, 0));
      }
      it = touched.emplace(key, std::move(existing)).first;
    }
    if (it->second.size() != c.index % tiles::kWidth) {
      return Status::Corruption("short_tile", "stored edge tile " +
                                                  tiles::TilePath({key.first, key.second, 256}) +
                                                  " has the wrong width");
    }
    it->second.push_back(c.hash);
  }
  for (const auto& [key, hashes] : touched) {
    wb.Put(Column::kTiles, keys::Tile(key.first, key.second), tiles::FormatHashTile(hashes));
  }

  for (const Payload& p : payloads) {
    if (Sha256::Digest(p.body) != p.digest || !referenced_payloads.contains(p.digest)) {
      return Status::InvalidArgument("payload_mismatch",
                                     "a payload body does not match an event's payload digest");
    }
    ledger::v1::PayloadRecord rec;
    rec.set_digest(std::string(p.digest.bytes.begin(), p.digest.bytes.end()));
    rec.set_body(std::string(p.body.begin(), p.body.end()));
    rec.set_content_type(p.content_type);
    std::string s = rec.SerializeAsString();
    wb.Put(Column::kPayloads, Bytes(p.digest.bytes.begin(), p.digest.bytes.end()),
           Bytes(s.begin(), s.end()));
    wb.Put(Column::kMeta, keys::PayloadReceivedKey(p.digest), {});
  }

  ledger::v1::StoredCheckpoint rec;
  rec.set_size(vc.checkpoint.size);
  rec.set_note(batch.checkpoint_note);
  rec.set_stored_at_us(SystemClockMicros());
  if (app_proof) {
    ledger::v1::BatchAppProof* ap = rec.mutable_app_proof();
    ap->set_notary_note(batch.checkpoint_note);
    ap->set_first_index(first);
    ap->set_count(batch.leaves.size());
    ap->set_payload(app_proof->payload);
    ap->set_signature(std::string(AsString(app_proof->signature)));
    ap->set_public_key(std::string(AsString(app_proof->public_key)));
  }
  std::string s = rec.SerializeAsString();
  wb.Put(Column::kCheckpoints, keys::U64(vc.checkpoint.size), Bytes(s.begin(), s.end()));
  // The journaled request, if any, is answered and stored with this write.
  wb.Erase(Column::kMeta, keys::PendingAppendKey());

  RETURN_IF_ERROR(kv_->Write(wb));
  if (options_.state_map) map.Cache();
  std::unique_lock l(mu_);
  range_ = std::move(range);
  latest_ = std::move(vc);
  map_root_ = map.root();
  return Status::Ok();
}

Status LogStore::AddCosignatures(std::string_view cosigned_note) {
  ASSIGN_OR_RETURN(VerifiedCheckpoint vc, VerifyCheckpoint(cosigned_note, *verifier_));
  ASSIGN_OR_RETURN(note::Note shown, note::Parse(cosigned_note));
  std::lock_guard<std::mutex> append_lock(append_mu_);
  auto raw = kv_->Get(Column::kCheckpoints, keys::U64(vc.checkpoint.size));
  if (!raw.ok()) {
    if (raw.status().code() == Code::kNotFound) {
      return Status::NotFound("checkpoint_not_found",
                              "no checkpoint of size " + std::to_string(vc.checkpoint.size));
    }
    return raw.status();
  }
  ledger::v1::StoredCheckpoint rec;
  if (!rec.ParseFromArray(raw->data(), static_cast<int>(raw->size()))) {
    return Status::Corruption("malformed_record", "stored checkpoint does not parse");
  }
  ASSIGN_OR_RETURN(note::Note stored, note::Parse(rec.note()));
  if (stored.text != shown.text) {
    return Status::FailedPrecondition("checkpoint_text_mismatch",
                                      "the cosigned checkpoint is not the stored one");
  }
  rec.set_note(std::string(cosigned_note));
  std::string s = rec.SerializeAsString();
  WriteBatch wb;
  wb.Put(Column::kCheckpoints, keys::U64(vc.checkpoint.size), Bytes(s.begin(), s.end()));
  RETURN_IF_ERROR(kv_->Write(wb));
  std::unique_lock l(mu_);
  if (latest_.checkpoint.size == vc.checkpoint.size) latest_.note = std::string(cosigned_note);
  return Status::Ok();
}

}  // namespace ledger::store
