#include "state_map_reference.h"

namespace ledger::state_map::reference {

Hash Subtree(const std::vector<std::pair<Hash, Value>>& items, size_t depth) {
  if (items.empty()) return EmptyHash();
  if (items.size() == 1) return LeafHash(items[0].first, items[0].second);
  std::vector<std::pair<Hash, Value>> left, right;
  for (const auto& kv : items) (KeyBit(kv.first, depth) ? right : left).push_back(kv);
  return NodeHash(Subtree(left, depth + 1), Subtree(right, depth + 1));
}

Hash Root(const Entries& entries) {
  return Subtree({entries.begin(), entries.end()}, 0);
}

Proof Prove(const Entries& entries, const Hash& key) {
  Proof p;
  std::vector<std::pair<Hash, Value>> here(entries.begin(), entries.end());
  size_t depth = 0;
  while (here.size() > 1) {
    std::vector<std::pair<Hash, Value>> same, other;
    for (const auto& kv : here) {
      (KeyBit(kv.first, depth) == KeyBit(key, depth) ? same : other).push_back(kv);
    }
    p.siblings.push_back(Subtree(other, depth + 1));
    here = std::move(same);
    ++depth;
  }
  if (here.size() == 1) p.leaf = Proof::Leaf{here[0].first, here[0].second};
  return p;
}

}  // namespace ledger::state_map::reference
