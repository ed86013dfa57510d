// The state map's nodes on a Kv (schemas/formats/map.md §8): reads that check
// every node against its address, proofs, and batches of updates kept in
// memory until they join the log batch's WriteBatch.
//
// Nodes are content-addressed (the key is the node's hash, the value its
// preimage) and never overwritten or deleted, so every past root stays
// readable: the map as of any checkpoint is the tree below that checkpoint's
// root. The store is untrusted: a node whose bytes do not hash to the key it
// was read under is Corruption("map_node_corrupt"), a missing one
// Corruption("missing_map_node"), and what is read is only believed once it
// folds to a root the log's key signed (the checkpoint's map line).
//
// Thread-safety: MapReader is safe for concurrent use; a MapUpdater is not.
#pragma once

#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ledger/event.h"
#include "ledger/state_map.h"
#include "ledger/store/kv.h"

namespace ledger::store {

// Verified nodes by address, shared by a store's readers and updaters. A
// node's address is its hash, so a node once read and checked, or built by
// an update and written, never changes: caching it is always correct. It
// spares the append path the RocksDB reads and re-hashing of the same upper
// paths for every update (the host plans a batch's proofs on the store, and
// the store applies them again). Bounded: emptied when full.
class MapNodeCache {
 public:
  explicit MapNodeCache(size_t capacity) : capacity_(capacity) {}
  std::optional<state_map::Node> Find(const Hash& digest) const;
  void Insert(const Hash& digest, const state_map::Node& node);

 private:
  struct Hasher {
    size_t operator()(const Hash& h) const {
      size_t v;
      std::memcpy(&v, h.bytes.data(), sizeof v);  // a uniform hash already
      return v;
    }
  };
  mutable std::mutex mu_;
  std::unordered_map<Hash, state_map::Node, Hasher> nodes_;
  size_t capacity_;
};

class MapReader {
 public:
  explicit MapReader(const Kv& kv, MapNodeCache* cache = nullptr) : kv_(kv), cache_(cache) {}

  // The node stored under `digest`, checked against it.
  Result<state_map::Node> Get(const Hash& digest) const;
  // The proof for `key` in the map with this root: the path down to an empty
  // subtree or a single leaf (map.md §4). It verifies against `root` by
  // construction when the nodes are intact, and the caller verifies it anyway.
  Result<state_map::Proof> Prove(const Hash& root, const Hash& key) const;

 private:
  friend class MapUpdater;
  using Overlay = std::map<Hash, state_map::Node>;
  Result<state_map::Proof> Prove(const Hash& root, const Hash& key, const Overlay* overlay) const;

  const Kv& kv_;
  MapNodeCache* cache_;
};

// One log batch's map updates, in log order, on top of a stored root.
class MapUpdater {
 public:
  // `log_key_name`/`log_key_id`: the log key, whose own stamps set no stamp
  // key (map.md §5a).
  MapUpdater(const Kv& kv, const Hash& root, MapNodeCache* cache = nullptr,
             std::string log_key_name = "", uint32_t log_key_id = 0)
      : reader_(kv, cache),
        root_(root),
        cache_(cache),
        log_key_name_(std::move(log_key_name)),
        log_key_id_(log_key_id) {}

  struct Step {
    Hash key;
    state_map::Proof proof;                     // against the root before the step
    std::optional<state_map::Value> previous;   // what the proof proves
    state_map::Value value;                     // what the step sets
  };

  // Applies the entry at log index `index` (map.md §5): its subject's value
  // becomes NextValue(previous, index, event.new_state_hash). Does not apply
  // the compare-and-swap rule; `Check` does, for callers that enforce it.
  Result<Step> Apply(const Event& event, uint64_t index);
  // Sets the stamp key of the entry at log index `index` (map.md §5a), as the
  // notary does before the entry's subject: nullopt when the entry sets none
  // (unstamped, or stamped by the log key). FailedPrecondition
  // ("replayed_stamp") when the key is already set: the event is in the log
  // already (the message names the index); nothing changes then.
  Result<std::optional<Step>> ApplyStamp(ByteView event_bytes, ByteView stamp, uint64_t index);
  // The index of the entry that set the stamp key of `event_bytes` in the
  // updated map, if any.
  Result<std::optional<uint64_t>> FindStamp(ByteView event_bytes) const;
  // The compare-and-swap rule for an event that is one (IsCompareAndSwap,
  // ledger/ownership.h) against the current map (ok for others), without
  // changing anything.
  Status Check(const Event& event) const;
  // The current value of `subject`'s key in the updated map.
  Result<std::optional<state_map::Value>> Lookup(std::string_view subject) const;
  Result<std::optional<state_map::Value>> LookupKey(const Hash& key) const;

  const Hash& root() const { return root_; }
  // Puts the nodes created so far (each once) into `wb`.
  void AddTo(WriteBatch& wb) const;
  // Adds them to the cache, once `wb` is written.
  void Cache() const;

 private:
  // The created nodes the current root reaches (the ones worth storing).
  template <typename Fn>
  void ForEachReachable(Fn fn) const;

  MapReader reader_;
  Hash root_;
  MapReader::Overlay created_;
  MapNodeCache* cache_;
  std::string log_key_name_;
  uint32_t log_key_id_;
};

}  // namespace ledger::store
