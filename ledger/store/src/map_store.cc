// State-map nodes on the Kv (map_store.h, schemas/formats/map.md §8).
#include "ledger/store/map_store.h"

#include "ledger/ownership.h"

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
}

void MapUpdater::Cache() const {
  if (!cache_) return;
  ForEachReachable([&](const Hash& h, const state_map::Node& n) { cache_->Insert(h, n); });
}

}  // namespace ledger::store
