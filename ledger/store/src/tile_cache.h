// A bounded cache of tiles with their internal subtree hashes.
//
// A tile's first W hashes never change once written (tiles only grow at the
// right), so (level, index, W) names immutable content. A node at a tree level
// between two tile levels is the fold of up to 128 hashes of the tile below,
// and serving a proof touches about two such nodes per tile level; computing a
// tile's internal nodes once makes every later lookup in it O(1). What is
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
#include <tuple>
#include <vector>
#include <unordered_map>

#include "ledger/base/hash.h"
#include "ledger/merkle/tiles.h"

namespace ledger::store {

class TileNodes {
 public:
  // REQUIRES: 1 <= hashes.size() <= 256.
  explicit TileNodes(std::span<const Hash> hashes);
  uint32_t width() const { return width_; }
  // The node `index` of height `r` (0..8) inside the tile: the fold of
  // hashes [index·2^r, (index+1)·2^r). REQUIRES (index+1)·2^r <= width().
  const Hash& At(uint32_t r, uint64_t index) const;

 private:
  uint32_t width_;
  // Height 0 (W hashes), then height 1 (W/2 nodes), ..., height 8.
  std::vector<Hash> nodes_;
  std::array<uint32_t, tiles::kHeight + 2> base_{};
};

class TileCache {
 public:
  explicit TileCache(size_t capacity) : capacity_(capacity) {}
  std::shared_ptr<const TileNodes> Get(uint32_t level, uint64_t index, uint32_t width);
  void Put(uint32_t level, uint64_t index, std::shared_ptr<const TileNodes> tile);

 private:
  using Key = std::tuple<uint32_t, uint64_t, uint32_t>;
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<uint64_t>()(std::get<1>(k) * 16411 + std::get<0>(k) * 257 + std::get<2>(k));
    }
  };
  size_t capacity_;
  std::mutex mu_;
  std::list<Key> lru_;  // most recent first
  std::unordered_map<Key, std::pair<std::shared_ptr<const TileNodes>, std::list<Key>::iterator>,
                     KeyHash>
      map_;
};

}  // namespace ledger::store
