#include "ledger/publish/tile_files.h"

namespace ledger::publish {

std::string TileFile::Path() const {
  return entries ? tiles::EntriesPath(id.index, id.width) : tiles::TilePath(id);
}

const char* CacheControlFor(const TileFile& file) {
  return file.id.full() ? kCacheImmutable : kCachePartialTile;
}

namespace {

// The files of one tree level (hash tiles of tile level `level`, or the
// bundles, which follow level 0): full tiles [old / 256, new / 256) and the
// edge tile of `new_hashes` when partial.
void AddLevel(bool entries, uint32_t level, uint64_t old_hashes, uint64_t new_hashes,
              std::vector<TileFile>& out) {
  for (uint64_t n = old_hashes / tiles::kWidth; n < new_hashes / tiles::kWidth; ++n) {
    out.push_back({entries, {entries ? 0 : level, n, tiles::kWidth}});
  }
  const auto width = static_cast<uint32_t>(new_hashes % tiles::kWidth);
  // A partial tile implied by both sizes is the same file: old_hashes equal.
  if (width != 0 && old_hashes != new_hashes) {
    out.push_back({entries, {entries ? 0 : level, new_hashes / tiles::kWidth, width}});
  }
}

}  // namespace

std::vector<TileFile> NewTileFiles(uint64_t old_size, uint64_t new_size) {
  std::vector<TileFile> out;
  AddLevel(true, 0, old_size, new_size, out);
  for (uint32_t level = 0; level <= tiles::kMaxLevel; ++level) {
    const uint64_t hashes = tiles::HashesAtLevel(level, new_size);
    if (hashes == 0) break;
    AddLevel(false, level, tiles::HashesAtLevel(level, old_size), hashes, out);
  }
  return out;
}

Result<Bytes> ReadTileFile(const store::LogStore& store, const TileFile& file) {
  return file.entries ? store.ReadEntryBundle(file.id.index, file.id.width)
                      : store.ReadTile(file.id);
}

}  // namespace ledger::publish
