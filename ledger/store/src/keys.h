// Key encodings of the store's columns (see kv.h). Big-endian integers keep
// RocksDB's bytewise order equal to numeric order.
#pragma once

#include <algorithm>
#include <optional>
#include <string_view>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"

namespace ledger::store::keys {

inline Bytes U64(uint64_t v) {
  Bytes k;
  AppendU64BE(k, v);
  return k;
}

inline Bytes Tile(uint32_t level, uint64_t index) {
  Bytes k;
  AppendU8(k, static_cast<uint8_t>(level));
  AppendU64BE(k, index);
  return k;
}

// u16 BE len || s: a length prefix keeps "ab" from matching prefix "a".
inline Bytes StringPrefix(std::string_view s) {
  Bytes k;
  AppendU16BE(k, static_cast<uint16_t>(s.size()));
  Append(k, s);
  return k;
}

inline Bytes WithIndex(Bytes prefix, uint64_t index) {
  AppendU64BE(prefix, index);
  return prefix;
}

// The trailing u64 of an index key, or nullopt if the key is too short.
inline std::optional<uint64_t> TrailingIndex(ByteView key) {
  if (key.size() < 8) return std::nullopt;
  return LoadU64BE(key.data() + key.size() - 8);
}

inline const Bytes& MetaKey() {
  static const Bytes k = ToBytes("meta");
  return k;
}

// The pending-append journal's one slot (LogStore::WritePendingAppend).
// `prefix` || 32-byte digest.
inline Bytes Prefixed(std::string_view prefix, const Hash& digest) {
  Bytes k(prefix.size() + Hash::kSize);
  std::copy(prefix.begin(), prefix.end(), k.begin());
  std::copy(digest.bytes.begin(), digest.bytes.end(), k.begin() + prefix.size());
  return k;
}

// "payload_received/" || 32-byte digest -> "": a body the store received
// with its entry (retention.md §4); kept when a disposal erases the body.
inline Bytes PayloadReceivedKey(const Hash& digest) {
  return Prefixed("payload_received/", digest);
}

// "payload_disposed/" || 32-byte digest -> u64 BE index of the
// RECORD_DISPOSED entry whose disposal erased the body (retention.md §4).
inline Bytes PayloadDisposedKey(const Hash& digest) {
  return Prefixed("payload_disposed/", digest);
}

inline const Bytes& PendingAppendKey() {
  static const Bytes k = ToBytes("pending_append");
  return k;
}

}  // namespace ledger::store::keys
