// C2SP tlog-tiles (c2sp.org/tlog-tiles v0.1.0) addressing and encodings.
//
// A tile at tile level L holds up to 256 hashes of tree level 8·L; tile N
// holds the nodes with indices [256·N, 256·N + W). Hash tiles are the
// concatenation of 32-byte hashes; entry bundles are the concatenation of
// u16 BE length || entry. Paths and widths are spelled as in the spec.
//
// Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace ledger::tiles {

inline constexpr uint32_t kHeight = 8;
inline constexpr uint32_t kWidth = 256;   // hashes in a full tile
inline constexpr uint32_t kMaxLevel = 63;

struct TileId {
  uint32_t level = 0;   // tile level (tree level 8·level)
  uint64_t index = 0;   // N
  uint32_t width = kWidth;  // 1..256; 256 means a full tile
  bool full() const { return width == kWidth; }
  bool operator==(const TileId&) const = default;
};

// "x001/x234/067" for 1234067 (tlog-tiles "Tile index").
std::string FormatIndex(uint64_t n);
// "tile/<L>/<N>[.p/<W>]"
std::string TilePath(const TileId& id);
// "tile/entries/<N>[.p/<W>]"
std::string EntriesPath(uint64_t index, uint32_t width);

struct ParsedPath {
  bool entries = false;  // tile/entries/...
  TileId id;             // level is 0 for entries
};
// Strict inverse of TilePath / EntriesPath: no leading zeros in L or W,
// 3-digit groups, W in 1..255. InvalidArgument("bad_tile_path").
Result<ParsedPath> ParseTilePath(std::string_view path);

// Number of hashes of tree level 8·level in a tree of `size` leaves.
uint64_t HashesAtLevel(uint32_t level, uint64_t size);
// The right-edge tile at `level` for `size`: width = HashesAtLevel % 256, or
// nullopt-like width 0 when every tile at that level is full.
TileId EdgeTile(uint32_t level, uint64_t size);
// Every partial tile a checkpoint of `size` implies (tlog-tiles: logs MUST
// serve them), lowest level first.
std::vector<TileId> PartialTiles(uint64_t size);
// Whether a checkpoint of `size` implies the tile: full tiles wholly below the
// size, or the exact edge partial tile.
bool ImpliedBy(const TileId& id, uint64_t size);

// Hash tile codec. InvalidArgument("malformed_tile") unless width·32 bytes.
Result<std::vector<Hash>> ParseHashTile(ByteView data, uint32_t width);
Bytes FormatHashTile(std::span<const Hash> hashes);

// Entry bundle codec. ParseEntryBundle requires exactly `count` entries.
// InvalidArgument("malformed_bundle"); FormatEntryBundle requires each entry
// to be at most 65535 bytes (InvalidArgument("entry_too_large")).
Result<std::vector<Bytes>> ParseEntryBundle(ByteView data, uint32_t count);
Result<Bytes> FormatEntryBundle(std::span<const Bytes> entries);

}  // namespace ledger::tiles
