// SHA-256 and the 32-byte Hash value type used for leaves, nodes and roots.
//
// Hash is a distinct type (not Bytes) so that a hash cannot be confused with
// arbitrary data at an API boundary.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/base/bytes.h"

namespace ledger {

struct Hash {
  static constexpr size_t kSize = 32;
  std::array<uint8_t, kSize> bytes{};

  ByteView view() const { return {bytes.data(), bytes.size()}; }
  std::string Hex() const { return HexEncode(view()); }
  std::string Base64() const { return Base64Encode(view()); }
  auto operator<=>(const Hash&) const = default;

  // InvalidArgument("bad_hash_length") unless exactly 32 bytes.
  static Result<Hash> FromBytes(ByteView b);
  static Result<Hash> FromHex(std::string_view hex);
  static Result<Hash> FromBase64(std::string_view b64);
};

// Incremental SHA-256 (OpenSSL EVP).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& Update(ByteView data);
  Sha256& Update(std::string_view s) { return Update(AsBytes(s)); }
  Sha256& Update(uint8_t b) { return Update(ByteView(&b, 1)); }
  Hash Final();

  static Hash Digest(ByteView data);
  static Hash Digest(std::string_view s) { return Digest(AsBytes(s)); }

 private:
  void* ctx_;  // EVP_MD_CTX, kept opaque to keep OpenSSL out of this header
};

}  // namespace ledger
