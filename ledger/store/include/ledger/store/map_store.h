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

#include <map>
#include <optional>
#include <string_view>

#include "ledger/event.h"
#include "ledger/state_map.h"
#include "ledger/store/kv.h"

namespace ledger::store {

class MapReader {
 public:
  explicit MapReader(const Kv& kv) : kv_(kv) {}

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
};

// One log batch's map updates, in log order, on top of a stored root.
class MapUpdater {
 public:
  MapUpdater(const Kv& kv, const Hash& root) : reader_(kv), root_(root) {}

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
  // The compare-and-swap rule for a STATE_NOTARIZED event against the
  // current map (ok for other kinds), without changing anything.
  Status Check(const Event& event) const;
  // The current value of `subject`'s key in the updated map.
  Result<std::optional<state_map::Value>> Lookup(std::string_view subject) const;

  const Hash& root() const { return root_; }
  // Puts the nodes created so far (each once) into `wb`.
  void AddTo(WriteBatch& wb) const;

 private:
  MapReader reader_;
  Hash root_;
  MapReader::Overlay created_;
};

}  // namespace ledger::store
