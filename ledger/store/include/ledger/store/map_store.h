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
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ledger/record/event.h"
#include "ledger/record/state_map.h"
#include "ledger/retention/retention_map.h"
#include "ledger/store/kv.h"

namespace ledger::store {

// A map node's address is a SHA-256, already uniform: its first word is a
// good bucket hash (and cheaper than ordering 32-byte keys with memcmp,
// which was a fifth of ledgerd's append CPU with an ordered map).
struct NodeAddressHash {
  size_t operator()(const Hash& h) const {
    size_t v;
    std::memcpy(&v, h.bytes.data(), sizeof v);
    return v;
  }
};

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
  mutable std::mutex mu_;
  std::unordered_map<Hash, state_map::Node, NodeAddressHash> nodes_;
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
  // A retention record (map.md §5b) stored under its SHA-256, checked:
  // Corruption("missing_retention_record") / ("map_node_corrupt").
  Result<Bytes> GetRecord(const Hash& digest) const;

 private:
  friend class MapUpdater;
  using Overlay = std::unordered_map<Hash, state_map::Node, NodeAddressHash>;
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
  // Sets the retention keys of the entry at log index `index` (map.md §5b),
  // as the notary does after its stamp key and subject, and returns the
  // proof the notary needs for it; nullopt when the entry invokes no
  // retention rule (RuleOf). `record_leaf` gives a disposed record's leaf
  // and its inclusion proof against the head the batch extends (null: the
  // proof's record part is left out, for callers that only update). The
  // rules that do not depend on time are checked (hold_exists,
  // same_stamper_release, retention_shortened, class_locked,
  // already_disposed, disposal_mismatch, ...; FailedPrecondition, and
  // nothing changes); the time and the disposal's other conditions are the
  // notary's to judge, at its recorded_at.
  using RecordLeafFn =
      std::function<Result<retention_map::RetentionProof::RecordLeaf>(uint64_t index)>;
  Result<std::optional<retention_map::RetentionProof>> ApplyRetention(
      const Event& event, ByteView stamp, uint64_t index, const RecordLeafFn& record_leaf = nullptr);
  // Every key a stored entry sets, in the notary's order (stamp key,
  // subject, retention keys), for a store that replays signed entries: a
  // replayed stamp (a log whose notary kept no map) and a refused retention
  // rule (an entry a notary without the rules sequenced) leave their keys as
  // they were.
  Status ApplyEntry(ByteView event_bytes, ByteView stamp, const Event& event, uint64_t index);
  // The retention records in the updated map (map.md §5b).
  Result<SubjectRetention> SubjectRecord(std::string_view subject) const;
  Result<std::optional<ClassRetention>> ClassRecord(std::string_view class_name) const;
  // The disposal key of a record: the index of the entry that disposed of it.
  Result<std::optional<uint64_t>> FindDisposal(uint64_t record_index) const;

  // The compare-and-swap rule for an event that is one (IsCompareAndSwap,
  // ledger/record/ownership.h) against the current map (ok for others), without
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

  // The current value of `key` with its proof and stored record.
  struct Keyed {
    std::optional<state_map::Value> value;
    retention_map::RetentionProof::Keyed part;
  };
  Result<Keyed> ProveKeyed(const Hash& key, bool with_record = true) const;
  // Sets `key` to `value` with the proof from ProveKeyed.
  Status Set(const Hash& key, const state_map::Proof& proof, const state_map::Value& value);
  Result<Bytes> Record(const Hash& digest) const;

  MapReader reader_;
  Hash root_;
  MapReader::Overlay created_;
  std::map<Hash, Bytes> created_records_;
  MapNodeCache* cache_;
  std::string log_key_name_;
  uint32_t log_key_id_;
};

}  // namespace ledger::store
