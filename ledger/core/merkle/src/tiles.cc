#include "ledger/merkle/tiles.h"

#include <charconv>
#include <cstdio>
#include <cstring>

namespace ledger::tiles {
namespace {

Status BadPath(std::string_view why) {
  return Status::InvalidArgument("bad_tile_path", std::string(why));
}

// Decimal without leading zeros (except "0"), no sign, fits the type.
template <typename T>
bool ParseDecimal(std::string_view s, T& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// "x001/x234/067" -> 1234067. Each group is exactly three digits.
Result<uint64_t> ParseIndex(std::string_view s) {
  uint64_t n = 0;
  size_t pos = 0;
  while (true) {
    bool last = s.size() - pos == 3;
    if (!last) {
      if (s.size() - pos < 5 || s[pos] != 'x' || s[pos + 4] != '/') {
        return BadPath("malformed tile index");
      }
      ++pos;
    }
    for (size_t i = 0; i < 3; ++i) {
      char c = s[pos + i];
      if (c < '0' || c > '9') return BadPath("malformed tile index");
    }
    uint64_t group = static_cast<uint64_t>((s[pos] - '0') * 100 + (s[pos + 1] - '0') * 10 +
                                           (s[pos + 2] - '0'));
    if (n > (UINT64_MAX - group) / 1000) return BadPath("tile index overflows");
    n = n * 1000 + group;
    pos += last ? 3 : 4;
    if (last) break;
  }
  // The encoding is unique: no leading "x000/" group.
  if (s.size() > 3 && s.substr(0, 5) == "x000/") return BadPath("non-canonical tile index");
  return n;
}

}  // namespace

std::string FormatIndex(uint64_t n) {
  std::string out;
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%03u", static_cast<unsigned>(n % 1000));
  out = buf;
  n /= 1000;
  while (n > 0) {
    std::snprintf(buf, sizeof(buf), "x%03u/", static_cast<unsigned>(n % 1000));
    out.insert(0, buf);
    n /= 1000;
  }
  return out;
}

std::string TilePath(const TileId& id) {
  std::string p = "tile/" + std::to_string(id.level) + "/" + FormatIndex(id.index);
  if (!id.full()) p += ".p/" + std::to_string(id.width);
  return p;
}

std::string EntriesPath(uint64_t index, uint32_t width) {
  std::string p = "tile/entries/" + FormatIndex(index);
  if (width != kWidth) p += ".p/" + std::to_string(width);
  return p;
}

Result<ParsedPath> ParseTilePath(std::string_view path) {
  ParsedPath out;
  if (path.substr(0, 5) != "tile/") return BadPath("path must start with tile/");
  path.remove_prefix(5);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos) return BadPath("missing tile index");
  std::string_view level = path.substr(0, slash);
  if (level == "entries") {
    out.entries = true;
  } else if (!ParseDecimal(level, out.id.level) || out.id.level > kMaxLevel) {
    return BadPath("tile level must be 0..63 without leading zeros");
  }
  path.remove_prefix(slash + 1);
  out.id.width = kWidth;
  size_t dot = path.find(".p/");
  if (dot != std::string_view::npos) {
    std::string_view w = path.substr(dot + 3);
    if (!ParseDecimal(w, out.id.width) || out.id.width < 1 || out.id.width >= kWidth) {
      return BadPath("partial width must be 1..255 without leading zeros");
    }
    path = path.substr(0, dot);
  }
  ASSIGN_OR_RETURN(out.id.index, ParseIndex(path));
  return out;
}

uint64_t HashesAtLevel(uint32_t level, uint64_t size) {
  uint32_t shift = kHeight * level;
  return shift >= 64 ? 0 : size >> shift;
}

TileId EdgeTile(uint32_t level, uint64_t size) {
  uint64_t n = HashesAtLevel(level, size);
  return {level, n / kWidth, static_cast<uint32_t>(n % kWidth)};
}

std::vector<TileId> PartialTiles(uint64_t size) {
  std::vector<TileId> out;
  for (uint32_t level = 0; level <= kMaxLevel && HashesAtLevel(level, size) > 0; ++level) {
    TileId t = EdgeTile(level, size);
    if (t.width != 0) out.push_back(t);
  }
  return out;
}

bool ImpliedBy(const TileId& id, uint64_t size) {
  if (id.level > kMaxLevel || id.width == 0 || id.width > kWidth) return false;
  uint64_t n = HashesAtLevel(id.level, size);
  if (id.full()) return id.index < n / kWidth;
  return id.index == n / kWidth && id.width == n % kWidth;
}

Result<std::vector<Hash>> ParseHashTile(ByteView data, uint32_t width) {
  if (width == 0 || width > kWidth || data.size() != size_t{width} * Hash::kSize) {
    return Status::InvalidArgument("malformed_tile", "hash tile of width " +
                                                         std::to_string(width) + " has " +
                                                         std::to_string(data.size()) + " bytes");
  }
  std::vector<Hash> out(width);
  for (uint32_t i = 0; i < width; ++i) {
    std::memcpy(out[i].bytes.data(), data.data() + size_t{i} * Hash::kSize, Hash::kSize);
  }
  return out;
}

Bytes FormatHashTile(std::span<const Hash> hashes) {
  Bytes out;
  out.reserve(hashes.size() * Hash::kSize);
  for (const Hash& h : hashes) Append(out, h.view());
  return out;
}

Result<std::vector<Bytes>> ParseEntryBundle(ByteView data, uint32_t count) {
  ByteReader r(data, "malformed_bundle");
  std::vector<Bytes> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(uint16_t len, r.U16BE());
    ASSIGN_OR_RETURN(ByteView entry, r.Take(len));
    out.emplace_back(entry.begin(), entry.end());
  }
  RETURN_IF_ERROR(r.ExpectEnd());
  return out;
}

Result<Bytes> FormatEntryBundle(std::span<const Bytes> entries) {
  Bytes out;
  for (const Bytes& e : entries) {
    if (e.size() > 0xffff) {
      return Status::InvalidArgument("entry_too_large", "bundle entries are at most 65535 bytes");
    }
    AppendU16BE(out, static_cast<uint16_t>(e.size()));
    Append(out, e);
  }
  return out;
}

}  // namespace ledger::tiles
