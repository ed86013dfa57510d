// A naive state map written straight from schemas/formats/map.md §3: the
// root and proofs are computed from the whole set of (key, value) pairs by
// recursive partitioning, with no stored nodes and no incremental update. The
// tests cross-check ledger::state_map (and ledger::state's stored tree)
// against it.
#pragma once

#include <map>

#include "ledger/record/state_map.h"

namespace ledger::state_map::reference {

using Entries = std::map<Hash, Value>;

// The hash of the subtree at `depth` holding exactly `items`.
Hash Subtree(const std::vector<std::pair<Hash, Value>>& items, size_t depth);
Hash Root(const Entries& entries);
// The proof for `key`: its path down to an empty or one-leaf subtree.
Proof Prove(const Entries& entries, const Hash& key);

}  // namespace ledger::state_map::reference
