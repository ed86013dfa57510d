// Value types of the EVM client: 20-byte addresses and 256-bit unsigned
// integers, both kept as big-endian bytes (the form the EVM, RLP and the ABI
// use), so no arithmetic library is needed.
//
// Thread-safety: value types.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace anchor::evm {

using ledger::ByteView;
using ledger::Bytes;
using ledger::Hash;
using ledger::Result;
using ledger::Status;

struct Address {
  static constexpr size_t kSize = 20;
  std::array<uint8_t, kSize> bytes{};

  ByteView view() const { return {bytes.data(), bytes.size()}; }
  // "0x" + 40 lowercase hex digits.
  std::string Hex() const;
  bool IsZero() const;
  auto operator<=>(const Address&) const = default;

  // Accepts "0x" + 40 hex digits in any case (EIP-55 checksums are not
  // enforced: addresses here come from configuration and RPC answers, and are
  // compared byte for byte). InvalidArgument("bad_address") otherwise.
  static Result<Address> FromHex(std::string_view hex);
  static Result<Address> FromBytes(ByteView b);
};

struct U256 {
  std::array<uint8_t, 32> be{};

  static U256 FromU64(uint64_t v);
  // Decimal digits only, at most 2^256 - 1. InvalidArgument("bad_uint256").
  static Result<U256> FromDecimal(std::string_view digits);
  // At most 32 big-endian bytes.
  static Result<U256> FromBytes(ByteView b);
  // The big-endian bytes without leading zeros (empty for 0): RLP's integer
  // form (Ethereum Yellow Paper, appendix B).
  Bytes Minimal() const;
  bool IsZero() const;
  // The value if it fits in 64 bits.
  Result<uint64_t> ToU64() const;
  auto operator<=>(const U256&) const = default;
};

// "0x" + lowercase hex of any byte string, and its strict inverse (the
// prefix is required; an odd number of digits is refused).
std::string Hex0x(ByteView b);
Result<Bytes> FromHex0x(std::string_view s);

}  // namespace anchor::evm
