// The Solidity contract ABI (docs.soliditylang.org, "Contract ABI
// Specification"), only as much as the registry's calls need: static words
// (uint, bytes32, address) and dynamic `bytes` and `bytes32[]`, head/tail
// layout, 4-byte selectors. The decoder reads return data and event data
// from RPC answers: every offset and length is bounds-checked and every word
// is checked for the padding its type requires (InvalidArgument("bad_abi")).
//
// Thread-safety: Encoder/Decoder objects are not shared.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "evm/types.h"

namespace anchor::evm::abi {

using Selector = std::array<uint8_t, 4>;

// The first four bytes of keccak256 of the canonical signature, e.g.
// "anchor(bytes32,uint64,bytes32,bytes32,bytes32[],bytes)".
Selector SelectorOf(std::string_view signature);

class Encoder {
 public:
  Encoder& AddUint(uint64_t v);
  Encoder& AddU256(const U256& v);
  Encoder& AddBytes32(const Hash& v);
  Encoder& AddAddress(const Address& a);
  Encoder& AddBool(bool v) { return AddUint(v ? 1 : 0); }
  Encoder& AddBytes(ByteView v);                  // dynamic
  Encoder& AddBytes32Array(const std::vector<Hash>& v);  // dynamic
  // head || tail, prefixed by the selector when given.
  Bytes Finish() const;
  Bytes Finish(const Selector& selector) const;

 private:
  struct Arg {
    bool dynamic;
    Bytes data;  // the word for static args, the tail encoding for dynamic ones
  };
  std::vector<Arg> args_;
};

// Reads a tuple of static and dynamic values from `data` (no selector).
class Decoder {
 public:
  explicit Decoder(ByteView data) : data_(data) {}
  // The i-th head word as each type; padding must be zero.
  Result<U256> Uint(size_t i) const;
  Result<uint64_t> Uint64(size_t i) const;  // refused if it does not fit
  Result<Hash> Bytes32(size_t i) const;
  Result<Address> AddressAt(size_t i) const;
  Result<bool> Bool(size_t i) const;
  Result<Bytes> DynamicBytes(size_t i) const;
  // The number of head words present.
  size_t words() const { return data_.size() / 32; }

 private:
  Result<ByteView> Word(size_t offset) const;
  ByteView data_;
};

}  // namespace anchor::evm::abi
