// The files of a log in C2SP tlog-tiles (schemas/formats/tiles.md): which
// ones a checkpoint implies, their bytes as the store verified them, and how
// long a cache may keep each. One definition for what the explorer serves
// and what the publisher writes, so that both are the same bytes at the same
// paths.
//
// Thread-safety: free functions; the store's own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/merkle/tiles.h"
#include "ledger/store/log_store.h"

namespace ledger::publish {

// Cache-Control values (docs/operations.md, "Publishing tiles"). A full tile
// or bundle never changes; a partial one never changes either but is
// superseded by a wider one, so it is kept briefly; the checkpoint moves.
inline constexpr char kCacheImmutable[] = "public, max-age=31536000, immutable";
inline constexpr char kCachePartialTile[] = "public, max-age=60";
inline constexpr char kCacheCheckpoint[] = "public, max-age=2, must-revalidate";

// The path of the latest checkpoint (tlog-tiles "Checkpoint").
inline constexpr char kCheckpointPath[] = "checkpoint";

// One tile file: a hash tile (entries false) or an entry bundle.
struct TileFile {
  bool entries = false;
  tiles::TileId id;  // level 0 for bundles
  std::string Path() const;
  bool operator==(const TileFile&) const = default;
};

// The cache policy of a tile file: immutable when full.
const char* CacheControlFor(const TileFile& file);

// The tile files a checkpoint of `new_size` implies that one of `old_size`
// (<= new_size) did not: the full tiles and bundles completed in between
// and the right-edge partial ones of `new_size` (each level's, lowest level
// first, bundles first). Files implied by both are left out, so old_size 0
// gives every file of new_size.
// REQUIRES: old_size <= new_size.
std::vector<TileFile> NewTileFiles(uint64_t old_size, uint64_t new_size);

// The bytes of a tile file at the store's latest verified head (entry
// bundles and hash tiles alike verified by LogStore::ReadEntryBundle /
// ReadTile). The store's errors as they are (NotFound beyond its size,
// Corruption for what does not verify).
Result<Bytes> ReadTileFile(const store::LogStore& store, const TileFile& file);

}  // namespace ledger::publish
