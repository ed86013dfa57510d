#include "tile_cache.h"

#include "ledger/merkle/merkle.h"

namespace ledger::store {
TileNodes::TileNodes(std::span<const Hash> hashes)
    : width_(static_cast<uint32_t>(hashes.size())) {
  LEDGER_CHECK(width_ >= 1 && width_ <= tiles::kWidth);
  for (uint32_t r = 0; r <= tiles::kHeight; ++r) base_[r + 1] = base_[r] + (width_ >> r);
  nodes_.resize(base_[tiles::kHeight + 1]);
  std::copy(hashes.begin(), hashes.end(), nodes_.begin());
  for (uint32_t r = 1; r <= tiles::kHeight; ++r) {
    for (uint32_t i = 0; i < (width_ >> r); ++i) {
      nodes_[base_[r] + i] =
          merkle::NodeHash(nodes_[base_[r - 1] + 2 * i], nodes_[base_[r - 1] + 2 * i + 1]);
    }
  }
}

const Hash& TileNodes::At(uint32_t r, uint64_t index) const {
  LEDGER_CHECK(r <= tiles::kHeight && index < (width_ >> r));
  return nodes_[base_[r] + index];
}

std::shared_ptr<const TileNodes> TileCache::Get(uint32_t level, uint64_t index,
                                                 uint32_t width) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = map_.find({level, index, width});
  if (it == map_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.second);
  return it->second.first;
}

void TileCache::Put(uint32_t level, uint64_t index, std::shared_ptr<const TileNodes> tile) {
  if (capacity_ == 0) return;
  std::lock_guard<std::mutex> l(mu_);
  Key key{level, index, tile->width()};
  if (map_.contains(key)) return;
  lru_.push_front(key);
  map_.emplace(key, std::make_pair(std::move(tile), lru_.begin()));
  if (map_.size() > capacity_) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace ledger::store
