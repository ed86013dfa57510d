#include "ledger/base/bytes.h"

#include <openssl/evp.h>

namespace ledger {
namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string HexEncode(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::InvalidArgument("bad_hex", "hex string has odd length");
  }
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("bad_hex", "non-hex character in hex string");
    }
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string Base64Encode(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  if (!data.empty()) {
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                            static_cast<int>(data.size()));
    out.resize(static_cast<size_t>(n));
  }
  return out;
}

Result<Bytes> Base64Decode(std::string_view b64) {
  auto bad = [] { return Status::InvalidArgument("bad_base64", "malformed base64"); };
  if (b64.size() % 4 != 0) return bad();
  if (b64.empty()) return Bytes{};
  size_t pad = 0;
  if (b64.back() == '=') pad = (b64[b64.size() - 2] == '=') ? 2 : 1;
  for (size_t i = 0; i < b64.size() - pad; ++i) {
    char c = b64[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return bad();
  }
  // EVP_DecodeBlock accepts some sloppiness (whitespace, ignores padding); the
  // alphabet check above and the round-trip check below make decoding strict.
  Bytes out(b64.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0 || static_cast<size_t>(n) < pad) return bad();
  out.resize(static_cast<size_t>(n) - pad);
  if (Base64Encode(out) != b64) return bad();  // non-canonical trailing bits
  return out;
}

void AppendU8(Bytes& out, uint8_t v) { out.push_back(v); }
void AppendU16BE(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void AppendU32BE(Bytes& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
void AppendU64BE(Bytes& out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
void Append(Bytes& out, ByteView data) { out.insert(out.end(), data.begin(), data.end()); }

uint32_t LoadU32BE(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}
uint64_t LoadU64BE(const uint8_t* p) {
  return uint64_t{LoadU32BE(p)} << 32 | LoadU32BE(p + 4);
}

Status ByteReader::Short(size_t want) const {
  return Status::InvalidArgument(
      reason_, "truncated input: need " + std::to_string(want) + " bytes at offset " +
                   std::to_string(pos_) + ", have " + std::to_string(remaining()));
}

Result<uint8_t> ByteReader::U8() {
  if (remaining() < 1) return Short(1);
  return data_[pos_++];
}
Result<uint16_t> ByteReader::U16BE() {
  if (remaining() < 2) return Short(2);
  uint16_t v = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
  pos_ += 2;
  return v;
}
Result<uint32_t> ByteReader::U32BE() {
  if (remaining() < 4) return Short(4);
  uint32_t v = LoadU32BE(data_.data() + pos_);
  pos_ += 4;
  return v;
}
Result<uint64_t> ByteReader::U64BE() {
  if (remaining() < 8) return Short(8);
  uint64_t v = LoadU64BE(data_.data() + pos_);
  pos_ += 8;
  return v;
}
Result<ByteView> ByteReader::Take(size_t n) {
  if (remaining() < n) return Short(n);
  ByteView v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}
Status ByteReader::ExpectEnd() const {
  if (!empty()) {
    return Status::InvalidArgument(reason_, std::to_string(remaining()) +
                                                " trailing bytes after the end of the value");
  }
  return Status::Ok();
}

}  // namespace ledger
