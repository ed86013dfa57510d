#include "tile_cache.h"

#include "ledger/merkle.h"

namespace ledger::store {
namespace {
constexpr size_t Base(uint32_t r) {
  size_t base = 0;
  for (uint32_t i = 0; i < r; ++i) base += tiles::kWidth >> i;
  return base;
}
}  // namespace

FullTile::FullTile(std::span<const Hash> hashes) {
  LEDGER_CHECK(hashes.size() == tiles::kWidth);
  std::copy(hashes.begin(), hashes.end(), nodes_.begin());
  for (uint32_t r = 1; r <= tiles::kHeight; ++r) {
    size_t below = Base(r - 1), here = Base(r);
    for (size_t i = 0; i < (tiles::kWidth >> r); ++i) {
      nodes_[here + i] = merkle::NodeHash(nodes_[below + 2 * i], nodes_[below + 2 * i + 1]);
    }
  }
}

const Hash& FullTile::At(uint32_t r, uint64_t index) const {
  LEDGER_CHECK(r <= tiles::kHeight && index < (tiles::kWidth >> r));
  return nodes_[Base(r) + index];
}

std::shared_ptr<const FullTile> TileCache::Get(uint32_t level, uint64_t index) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = map_.find({level, index});
  if (it == map_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.second);
  return it->second.first;
}

void TileCache::Put(uint32_t level, uint64_t index, std::shared_ptr<const FullTile> tile) {
  if (capacity_ == 0) return;
  std::lock_guard<std::mutex> l(mu_);
  Key key{level, index};
  if (map_.contains(key)) return;
  lru_.push_front(key);
  map_.emplace(key, std::make_pair(std::move(tile), lru_.begin()));
  if (map_.size() > capacity_) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace ledger::store
