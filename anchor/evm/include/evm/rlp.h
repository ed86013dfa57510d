// Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B), the
// serialization of transactions. The decoder is for untrusted input (a signed
// transaction read back, fuzzed): it accepts only the canonical encoding —
// a single byte below 0x80 is never wrapped, the long forms are used only
// above 55 bytes, lengths have no leading zeros — rejects trailing bytes, and
// bounds the nesting depth. Every failure is InvalidArgument("bad_rlp").
//
// Thread-safety: pure functions and value types.
#pragma once

#include <cstdint>
#include <vector>

#include "evm/types.h"

namespace anchor::evm::rlp {

// Encoders return the complete encoding of one item.
Bytes EncodeBytes(ByteView data);
Bytes EncodeUint(uint64_t v);           // minimal big-endian, 0 -> 0x80
Bytes EncodeU256(const U256& v);
// `encoded_items` are already-encoded items, concatenated under a list header.
Bytes EncodeList(const std::vector<Bytes>& encoded_items);

struct Item {
  bool is_list = false;
  Bytes bytes;              // when !is_list
  std::vector<Item> items;  // when is_list
};

inline constexpr int kMaxDepth = 16;

// Exactly one item filling all of `data`.
Result<Item> Decode(ByteView data);

// Integer views of a decoded string item, canonical (no leading zero byte).
Result<uint64_t> AsUint64(const Item& item);
Result<U256> AsU256(const Item& item);

}  // namespace anchor::evm::rlp
