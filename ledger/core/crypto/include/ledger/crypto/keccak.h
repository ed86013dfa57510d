// Keccak-256 as Ethereum uses it: the Keccak submission's padding (0x01),
// not FIPS 202 SHA3-256 (0x06). OpenSSL 3.0 offers only the FIPS variant
// (a "KECCAK-256" fetch exists from 3.2 on), so the permutation is written
// here, straight from the Keccak reference (FIPS 202 §3.2 step mappings,
// rate 1088 bits, capacity 512). It lives in the core because the notary
// computes the registry statement digest (schemas/formats/registry-statement.md)
// and must not depend on anchor/.
//
// Thread-safety: Keccak256 objects are not shared; the free function is pure.
#pragma once

#include <array>
#include <cstdint>

#include <string_view>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"

namespace ledger {

class Keccak256 {
 public:
  Keccak256() = default;
  Keccak256& Update(ByteView data);
  Keccak256& Update(std::string_view s) { return Update(AsBytes(s)); }
  // REQUIRES: called once.
  Hash Final();

  static Hash Digest(ByteView data);
  static Hash Digest(std::string_view s) { return Digest(AsBytes(s)); }

 private:
  static constexpr size_t kRate = 136;  // bytes: (1600 - 2 * 256) / 8
  void Absorb();
  std::array<uint64_t, 25> state_{};
  std::array<uint8_t, kRate> block_{};
  size_t fill_ = 0;
};

}  // namespace ledger
