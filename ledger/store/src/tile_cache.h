// A bounded cache of full tiles with their internal subtree hashes.
//
// Full tiles never change, and a node at a tree level between two tile levels
// is the fold of up to 128 hashes of the tile below; serving a proof touches
// about two such nodes per tile level. Computing the 255 internal nodes of a
// tile once and keeping them makes every later node lookup in it O(1). What is
// cached came from untrusted storage: callers still verify everything derived
// from it against a signed root, exactly as without the cache.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>

#include "ledger/hash.h"
#include "ledger/tiles.h"

namespace ledger::store {

class FullTile {
 public:
  // REQUIRES: hashes.size() == 256.
  explicit FullTile(std::span<const Hash> hashes);
  // The node `index` of height `r` (0..8) inside the tile: the fold of
  // hashes [index·2^r, (index+1)·2^r).
  const Hash& At(uint32_t r, uint64_t index) const;

 private:
  // Heap-free layout: height 0 (256 hashes), height 1 (128), ..., height 8 (1).
  std::array<Hash, 2 * tiles::kWidth - 1> nodes_;
};

class TileCache {
 public:
  explicit TileCache(size_t capacity) : capacity_(capacity) {}
  std::shared_ptr<const FullTile> Get(uint32_t level, uint64_t index);
  void Put(uint32_t level, uint64_t index, std::shared_ptr<const FullTile> tile);

 private:
  using Key = std::pair<uint32_t, uint64_t>;
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<uint64_t>()(k.second * 64 + k.first); }
  };
  size_t capacity_;
  std::mutex mu_;
  std::list<Key> lru_;  // most recent first
  std::unordered_map<Key, std::pair<std::shared_ptr<const FullTile>, std::list<Key>::iterator>,
                     KeyHash>
      map_;
};

}  // namespace ledger::store
