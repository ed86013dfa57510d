// State-map nodes on the Kv (map_store.h, schemas/formats/map.md §8).
#include "ledger/store/map_store.h"

#include "ledger/record/leaf.h"
#include "ledger/record/ownership.h"

namespace ledger::store {

std::optional<state_map::Node> MapNodeCache::Find(const Hash& digest) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(digest);
  if (it == nodes_.end()) return std::nullopt;
  return it->second;
}

void MapNodeCache::Insert(const Hash& digest, const state_map::Node& node) {
  std::lock_guard<std::mutex> lock(mu_);
  if (nodes_.size() >= capacity_) nodes_.clear();
  nodes_.emplace(digest, node);
}

Result<state_map::Node> MapReader::Get(const Hash& digest) const {
  if (cache_) {
    if (auto cached = cache_->Find(digest)) return *cached;
  }
  auto raw = kv_.Get(Column::kMapNodes, digest.view());
  if (!raw.ok()) {
    if (raw.status().code() == Code::kNotFound) {
      return Status::Corruption("missing_map_node", "map node " + digest.Hex() + " is missing");
    }
    return raw.status();
  }
  // A node is its own hash preimage: one hash checks both its integrity and
  // that it is the node asked for.
  if (Sha256::Digest(*raw) != digest) {
    return Status::Corruption("map_node_corrupt",
                              "stored map node does not hash to " + digest.Hex());
  }
  auto node = state_map::Node::Decode(*raw);
  if (!node.ok()) return Status::Corruption("map_node_corrupt", node.status().message());
  if (cache_) cache_->Insert(digest, *node);
  return *node;
}

Result<state_map::Proof> MapReader::Prove(const Hash& root, const Hash& key) const {
  return Prove(root, key, nullptr);
}

Result<Bytes> MapReader::GetRecord(const Hash& digest) const {
  auto raw = kv_.Get(Column::kMapNodes, digest.view());
  if (!raw.ok()) {
    if (raw.status().code() == Code::kNotFound) {
      return Status::Corruption("missing_retention_record",
                                "retention record " + digest.Hex() + " is missing");
    }
    return raw.status();
  }
  if (Sha256::Digest(*raw) != digest) {
    return Status::Corruption("map_node_corrupt",
                              "stored retention record does not hash to " + digest.Hex());
  }
  return *raw;
}

Result<state_map::Proof> MapReader::Prove(const Hash& root, const Hash& key,
                                          const Overlay* overlay) const {
  state_map::Proof proof;
  Hash h = root;
  for (size_t depth = 0; h != state_map::EmptyHash(); ++depth) {
    state_map::Node node;
    const auto it = overlay ? overlay->find(h) : Overlay::const_iterator();
    if (overlay && it != overlay->end()) {
      node = it->second;
    } else {
      ASSIGN_OR_RETURN(node, Get(h));
    }
    if (node.is_leaf) {
      proof.leaf = state_map::Proof::Leaf{node.key, node.value};
      break;
    }
    // An inner node at depth 256 would need a 257th key bit: the stored tree
    // is not one the update rules build (and its proof would not encode).
    if (depth == state_map::kKeyBits) {
      return Status::Corruption("map_too_deep", "map path longer than 256 levels");
    }
    const bool right = state_map::KeyBit(key, depth);
    proof.siblings.push_back(right ? node.left : node.right);
    h = right ? node.right : node.left;
  }
  return proof;
}

Result<MapUpdater::Step> MapUpdater::Apply(const Event& event, uint64_t index) {
  Step step;
  step.key = state_map::KeyOf(event.subject);
  ASSIGN_OR_RETURN(step.proof, reader_.Prove(root_, step.key, &created_));
  // Verification here catches a tampered store before its nodes are built
  // upon (ApplyUpdate verifies too, but says less about the cause).
  auto previous = state_map::VerifyProof(root_, step.key, step.proof);
  if (!previous.ok()) {
    return Status::Corruption("map_store_mismatch",
                              "stored map nodes do not fold to the map root: " +
                                  previous.status().message());
  }
  step.previous = *previous;
  step.value = state_map::NextValue(step.previous, index, event.new_state_hash);
  ASSIGN_OR_RETURN(root_, state_map::ApplyUpdate(root_, step.key, step.proof, step.value,
                                                 [&](const Hash& digest, const state_map::Node& n) {
                                                   created_.emplace(digest, n);
                                                 }));
  return step;
}

Result<std::optional<MapUpdater::Step>> MapUpdater::ApplyStamp(ByteView event_bytes,
                                                              ByteView stamp, uint64_t index) {
  if (!state_map::RecordsStamp(stamp, log_key_name_, log_key_id_)) {
    return std::optional<Step>();
  }
  Step step;
  step.key = state_map::StampKeyOf(event_bytes);
  ASSIGN_OR_RETURN(step.proof, reader_.Prove(root_, step.key, &created_));
  auto previous = state_map::VerifyProof(root_, step.key, step.proof);
  if (!previous.ok()) {
    return Status::Corruption("map_store_mismatch",
                              "stored map nodes do not fold to the map root: " +
                                  previous.status().message());
  }
  if (*previous) {
    return Status::FailedPrecondition(
        "replayed_stamp",
        "the stamped event was already sequenced, at index " + std::to_string((*previous)->index));
  }
  step.value = state_map::StampValue(index);
  ASSIGN_OR_RETURN(root_, state_map::ApplyUpdate(root_, step.key, step.proof, step.value,
                                                 [&](const Hash& digest, const state_map::Node& n) {
                                                   created_.emplace(digest, n);
                                                 }));
  return std::optional<Step>(std::move(step));
}

Result<std::optional<uint64_t>> MapUpdater::FindStamp(ByteView event_bytes) const {
  ASSIGN_OR_RETURN(auto value, LookupKey(state_map::StampKeyOf(event_bytes)));
  if (!value) return std::optional<uint64_t>();
  return std::optional<uint64_t>(value->index);
}

Result<std::optional<state_map::Value>> MapUpdater::Lookup(std::string_view subject) const {
  return LookupKey(state_map::KeyOf(subject));
}

Result<std::optional<state_map::Value>> MapUpdater::LookupKey(const Hash& key) const {
  ASSIGN_OR_RETURN(state_map::Proof proof, reader_.Prove(root_, key, &created_));
  auto value = state_map::VerifyProof(root_, key, proof);
  if (!value.ok()) {
    return Status::Corruption("map_store_mismatch",
                              "stored map nodes do not fold to the map root");
  }
  return *value;
}

Result<Bytes> MapUpdater::Record(const Hash& digest) const {
  if (auto it = created_records_.find(digest); it != created_records_.end()) return it->second;
  return reader_.GetRecord(digest);
}

Result<MapUpdater::Keyed> MapUpdater::ProveKeyed(const Hash& key, bool with_record) const {
  Keyed out;
  ASSIGN_OR_RETURN(out.part.proof, reader_.Prove(root_, key, &created_));
  auto value = state_map::VerifyProof(root_, key, out.part.proof);
  if (!value.ok()) {
    return Status::Corruption("map_store_mismatch",
                              "stored map nodes do not fold to the map root: " +
                                  value.status().message());
  }
  out.value = *value;
  // A disposal key's state is a payload digest, not a record's.
  if (out.value && with_record) {
    ASSIGN_OR_RETURN(out.part.record, Record(out.value->state));
  }
  return out;
}

Status MapUpdater::Set(const Hash& key, const state_map::Proof& proof,
                       const state_map::Value& value) {
  ASSIGN_OR_RETURN(root_, state_map::ApplyUpdate(root_, key, proof, value,
                                                 [&](const Hash& digest, const state_map::Node& n) {
                                                   created_.emplace(digest, n);
                                                 }));
  return Status::Ok();
}

Result<SubjectRetention> MapUpdater::SubjectRecord(std::string_view subject) const {
  ASSIGN_OR_RETURN(Keyed k, ProveKeyed(retention_map::SubjectKey(subject)));
  if (!k.value) return SubjectRetention{};
  ASSIGN_OR_RETURN(Bytes record, Record(k.value->state));
  auto decoded = SubjectRetention::Decode(record);
  if (!decoded.ok()) return Status::Corruption("map_node_corrupt", decoded.status().message());
  return *decoded;
}

Result<std::optional<ClassRetention>> MapUpdater::ClassRecord(std::string_view class_name) const {
  ASSIGN_OR_RETURN(Keyed k, ProveKeyed(retention_map::ClassKey(class_name)));
  if (!k.value) return std::optional<ClassRetention>();
  ASSIGN_OR_RETURN(Bytes record, Record(k.value->state));
  auto decoded = ClassRetention::Decode(record);
  if (!decoded.ok()) return Status::Corruption("map_node_corrupt", decoded.status().message());
  return std::optional<ClassRetention>(*decoded);
}

Result<std::optional<uint64_t>> MapUpdater::FindDisposal(uint64_t record_index) const {
  ASSIGN_OR_RETURN(auto value, LookupKey(retention_map::DisposalKey(record_index)));
  if (!value) return std::optional<uint64_t>();
  return std::optional<uint64_t>(value->index);
}

Result<std::optional<retention_map::RetentionProof>> MapUpdater::ApplyRetention(
    const Event& event, ByteView stamp, uint64_t index, const RecordLeafFn& record_leaf) {
  using retention_map::RetentionProof;
  const RetentionRule rule = RuleOf(event);
  if (rule == RetentionRule::kNone) return std::optional<RetentionProof>();
  RetentionProof proof;
  auto set_record = [&](const Hash& key, const Keyed& k, const Bytes& record) -> Status {
    const Hash digest = Sha256::Digest(record);
    created_records_.emplace(digest, record);
    return Set(key, k.part.proof, retention_map::RecordValue(k.value, index, record));
  };
  auto corrupt = [](const Status& s) {
    return Status::Corruption("map_node_corrupt", "stored retention record: " + s.message());
  };
  switch (rule) {
    case RetentionRule::kNone: break;
    case RetentionRule::kConfigureClass: {
      const Hash key = retention_map::ClassKey(ConfiguredClass(event));
      ASSIGN_OR_RETURN(Keyed k, ProveKeyed(key));
      std::optional<ClassRetention> cls;
      if (k.value) {
        auto decoded = ClassRetention::Decode(k.part.record);
        if (!decoded.ok()) return corrupt(decoded.status());
        cls = *decoded;
      }
      RETURN_IF_ERROR(ConfigureClass(event, cls));
      proof.cls = k.part;
      RETURN_IF_ERROR(set_record(key, k, cls->Encode()));
      break;
    }
    case RetentionRule::kExtend:
    case RetentionRule::kPlaceHold:
    case RetentionRule::kReleaseHold: {
      const Hash key = retention_map::SubjectKey(event.subject);
      ASSIGN_OR_RETURN(Keyed k, ProveKeyed(key));
      SubjectRetention s;
      if (k.value) {
        auto decoded = SubjectRetention::Decode(k.part.record);
        if (!decoded.ok()) return corrupt(decoded.status());
        s = *decoded;
      }
      const Stamper by = StamperOf(stamp);
      RETURN_IF_ERROR(rule == RetentionRule::kExtend      ? ExtendRetention(event, s)
                      : rule == RetentionRule::kPlaceHold ? PlaceHold(event, by, s)
                                                          : ReleaseHold(event, by, s));
      proof.subject = k.part;
      RETURN_IF_ERROR(set_record(key, k, s.Encode()));
      break;
    }
    case RetentionRule::kDispose: {
      ASSIGN_OR_RETURN(uint64_t record_index, DisposedIndex(event));
      const std::string* attr = FindAttribute(event, kAttrDisposedDigest);
      auto digest = attr ? Hash::FromHex(*attr) : Result<Hash>(Status::NotFound("", ""));
      if (!digest.ok() || digest->Hex() != *attr) {
        return Status::FailedPrecondition("disposal_mismatch",
                                          "the disposal names no payload digest");
      }
      std::optional<RetentionRecord> record;
      if (record_leaf) {
        ASSIGN_OR_RETURN(RetentionProof::RecordLeaf leaf, record_leaf(record_index));
        ASSIGN_OR_RETURN(Leaf decoded, DecodeLeaf(leaf.leaf));
        ASSIGN_OR_RETURN(Event recorded, DecodeEvent(decoded.event));
        record = RetentionRecord{record_index, decoded.recorded_at_us, recorded.subject,
                                 recorded.retention_class, recorded.payload_digest};
        RETURN_IF_ERROR(CheckDisposalNames(event, *record));
        proof.record = std::move(leaf);
      }
      ASSIGN_OR_RETURN(Keyed subject, ProveKeyed(retention_map::SubjectKey(event.subject)));
      proof.subject = subject.part;
      if (record && !record->retention_class.empty()) {
        ASSIGN_OR_RETURN(Keyed cls, ProveKeyed(retention_map::ClassKey(record->retention_class)));
        proof.cls = cls.part;
      }
      const Hash key = retention_map::DisposalKey(record_index);
      ASSIGN_OR_RETURN(Keyed disposal, ProveKeyed(key, /*with_record=*/false));
      if (disposal.value) {
        return Status::FailedPrecondition(
            "already_disposed", "record " + std::to_string(record_index) +
                                    " was disposed of by entry " +
                                    std::to_string(disposal.value->index));
      }
      proof.disposal = disposal.part.proof;
      RETURN_IF_ERROR(Set(key, disposal.part.proof, retention_map::DisposalValue(index, *digest)));
      break;
    }
  }
  return std::optional<RetentionProof>(std::move(proof));
}

Status MapUpdater::ApplyEntry(ByteView event_bytes, ByteView stamp, const Event& event,
                              uint64_t index) {
  auto stamped = ApplyStamp(event_bytes, stamp, index);
  if (!stamped.ok() && stamped.status().reason() != "replayed_stamp") return stamped.status();
  RETURN_IF_ERROR(Apply(event, index).status());
  auto retention = ApplyRetention(event, stamp, index);
  if (!retention.ok() && retention.status().code() != Code::kFailedPrecondition) {
    return retention.status();
  }
  return Status::Ok();
}

Status MapUpdater::Check(const Event& event) const {
  if (!IsCompareAndSwap(event)) return Status::Ok();  // the sequencer's rule (map.md §5)
  ASSIGN_OR_RETURN(auto current, Lookup(event.subject));
  return state_map::CheckStateTransition(current, event.prior_state_hash, event.new_state_hash);
}

template <typename Fn>
void MapUpdater::ForEachReachable(Fn fn) const {
  // Only nodes reachable from the final root: a node a later step of the
  // same batch replaced is never needed (no checkpoint names its root).
  std::vector<Hash> todo{root_};
  while (!todo.empty()) {
    const Hash h = todo.back();
    todo.pop_back();
    const auto it = created_.find(h);
    if (it == created_.end()) continue;  // empty, or already stored
    fn(h, it->second);
    if (!it->second.is_leaf) {
      todo.push_back(it->second.left);
      todo.push_back(it->second.right);
    }
  }
}

void MapUpdater::AddTo(WriteBatch& wb) const {
  ForEachReachable([&](const Hash& h, const state_map::Node& n) {
    wb.Put(Column::kMapNodes, Bytes(h.bytes.begin(), h.bytes.end()), n.Encode());
  });
  // Retention records (map.md §5b, §8) live beside the nodes, under their
  // SHA-256 too; one a later step of the batch replaced is harmless.
  for (const auto& [h, record] : created_records_) {
    wb.Put(Column::kMapNodes, Bytes(h.bytes.begin(), h.bytes.end()), record);
  }
}

void MapUpdater::Cache() const {
  if (!cache_) return;
  ForEachReachable([&](const Hash& h, const state_map::Node& n) { cache_->Insert(h, n); });
}

}  // namespace ledger::store
