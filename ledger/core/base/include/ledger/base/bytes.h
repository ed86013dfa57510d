// Byte strings, hex and base64 codecs, big-endian integers and a strict reader.
//
// Thread-safety: free functions and value types; ByteReader is not shared.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/status.h"

namespace ledger {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsString(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Lowercase hex.
std::string HexEncode(ByteView data);
// Accepts upper and lower case; rejects odd length and non-hex characters.
Result<Bytes> HexDecode(std::string_view hex);

// RFC 4648 §4 standard alphabet with '=' padding (what C2SP notes use).
std::string Base64Encode(ByteView data);
// Strict: rejects whitespace, missing or excess padding, non-canonical final
// bits and the URL-safe alphabet, so that every value has one encoding.
Result<Bytes> Base64Decode(std::string_view b64);

void AppendU8(Bytes& out, uint8_t v);
void AppendU16BE(Bytes& out, uint16_t v);
void AppendU32BE(Bytes& out, uint32_t v);
void AppendU64BE(Bytes& out, uint64_t v);
void Append(Bytes& out, ByteView data);
inline void Append(Bytes& out, std::string_view s) { Append(out, AsBytes(s)); }

uint32_t LoadU32BE(const uint8_t* p);
uint64_t LoadU64BE(const uint8_t* p);

// Reads fixed-layout binary input without ever reading past its end. Every
// failure is an InvalidArgument with the given reason, so parsers of untrusted
// input stay short and uniform.
class ByteReader {
 public:
  ByteReader(ByteView data, std::string reason)
      : data_(data), reason_(std::move(reason)) {}

  Result<uint8_t> U8();
  Result<uint16_t> U16BE();
  Result<uint32_t> U32BE();
  Result<uint64_t> U64BE();
  Result<ByteView> Take(size_t n);
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  // InvalidArgument unless every byte was consumed (trailing bytes are an error).
  Status ExpectEnd() const;

 private:
  Status Short(size_t want) const;
  ByteView data_;
  size_t pos_ = 0;
  std::string reason_;
};

}  // namespace ledger
