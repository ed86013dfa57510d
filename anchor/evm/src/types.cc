// Address and U256 conversions. Every parser here sees configuration or RPC
// input: it is strict and never assumes a length.
#include "evm/types.h"

#include <algorithm>

namespace anchor::evm {
namespace {

Status BadAddress(std::string message) {
  return Status::InvalidArgument("bad_address", std::move(message));
}
Status BadUint(std::string message) {
  return Status::InvalidArgument("bad_uint256", std::move(message));
}

}  // namespace

std::string Address::Hex() const { return Hex0x(view()); }

bool Address::IsZero() const {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

Result<Address> Address::FromHex(std::string_view hex) {
  if (hex.size() != 2 + 2 * kSize) return BadAddress("an address is 0x and 40 hex digits");
  auto raw = FromHex0x(hex);
  if (!raw.ok()) return BadAddress("an address is 0x and 40 hex digits");
  return FromBytes(*raw);
}

Result<Address> Address::FromBytes(ByteView b) {
  if (b.size() != kSize) return BadAddress("an address is 20 bytes");
  Address a;
  std::copy(b.begin(), b.end(), a.bytes.begin());
  return a;
}

U256 U256::FromU64(uint64_t v) {
  U256 out;
  for (size_t i = 0; i < 8; ++i) out.be[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  return out;
}

Result<U256> U256::FromDecimal(std::string_view digits) {
  if (digits.empty() || digits.size() > 78) return BadUint("not a decimal uint256");
  U256 out;
  for (char c : digits) {
    if (c < '0' || c > '9') return BadUint("not a decimal uint256");
    // out = out * 10 + digit, with overflow out of the top byte refused.
    unsigned carry = static_cast<unsigned>(c - '0');
    for (size_t i = 32; i-- > 0;) {
      unsigned v = out.be[i] * 10u + carry;
      out.be[i] = static_cast<uint8_t>(v & 0xff);
      carry = v >> 8;
    }
    if (carry != 0) return BadUint("uint256 overflow");
  }
  return out;
}

Result<U256> U256::FromBytes(ByteView b) {
  if (b.size() > 32) return BadUint("more than 32 bytes");
  U256 out;
  std::copy(b.begin(), b.end(), out.be.begin() + static_cast<std::ptrdiff_t>(32 - b.size()));
  return out;
}

Bytes U256::Minimal() const {
  auto first = std::find_if(be.begin(), be.end(), [](uint8_t b) { return b != 0; });
  return Bytes(first, be.end());
}

bool U256::IsZero() const { return Minimal().empty(); }

Result<uint64_t> U256::ToU64() const {
  for (size_t i = 0; i < 24; ++i) {
    if (be[i] != 0) return BadUint("value does not fit in 64 bits");
  }
  uint64_t v = 0;
  for (size_t i = 24; i < 32; ++i) v = (v << 8) | be[i];
  return v;
}

std::string Hex0x(ByteView b) { return "0x" + ledger::HexEncode(b); }

Result<Bytes> FromHex0x(std::string_view s) {
  if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
    return Status::InvalidArgument("bad_hex", "expected 0x-prefixed hex");
  }
  return ledger::HexDecode(s.substr(2));
}

}  // namespace anchor::evm
