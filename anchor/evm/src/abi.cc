// Contract ABI encoding: each argument has a 32-byte head slot; dynamic
// arguments put an offset (from the start of the tuple) there and their
// length-prefixed, zero-padded encoding in the tail, in argument order.
#include "evm/abi.h"

#include <algorithm>

#include "evm/keccak.h"

namespace anchor::evm::abi {
namespace {

constexpr size_t kWord = 32;

Status Bad(std::string message) { return Status::InvalidArgument("bad_abi", std::move(message)); }

Bytes WordOf(uint64_t v) {
  const U256 word = U256::FromU64(v);
  return Bytes(word.be.begin(), word.be.end());
}

void AppendPadded(Bytes& out, ByteView v) {
  out.insert(out.end(), v.begin(), v.end());
  out.resize(out.size() + (kWord - v.size() % kWord) % kWord, 0);
}

}  // namespace

Selector SelectorOf(std::string_view signature) {
  Hash h = Keccak256::Digest(signature);
  return {h.bytes[0], h.bytes[1], h.bytes[2], h.bytes[3]};
}

Encoder& Encoder::AddUint(uint64_t v) { return AddU256(U256::FromU64(v)); }

Encoder& Encoder::AddU256(const U256& v) {
  args_.push_back({false, Bytes(v.be.begin(), v.be.end())});
  return *this;
}

Encoder& Encoder::AddBytes32(const Hash& v) {
  args_.push_back({false, Bytes(v.bytes.begin(), v.bytes.end())});
  return *this;
}

Encoder& Encoder::AddAddress(const Address& a) {
  Bytes w(12, 0);
  w.insert(w.end(), a.bytes.begin(), a.bytes.end());
  args_.push_back({false, std::move(w)});
  return *this;
}

Encoder& Encoder::AddBytes(ByteView v) {
  Bytes tail = WordOf(v.size());
  AppendPadded(tail, v);
  args_.push_back({true, std::move(tail)});
  return *this;
}

Encoder& Encoder::AddBytes32Array(const std::vector<Hash>& v) {
  Bytes tail = WordOf(v.size());
  for (const Hash& h : v) tail.insert(tail.end(), h.bytes.begin(), h.bytes.end());
  args_.push_back({true, std::move(tail)});
  return *this;
}

Bytes Encoder::Finish() const {
  Bytes head, tail;
  const size_t head_size = args_.size() * kWord;
  for (const Arg& a : args_) {
    if (a.dynamic) {
      Bytes offset = WordOf(head_size + tail.size());
      head.insert(head.end(), offset.begin(), offset.end());
      tail.insert(tail.end(), a.data.begin(), a.data.end());
    } else {
      head.insert(head.end(), a.data.begin(), a.data.end());
    }
  }
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

Bytes Encoder::Finish(const Selector& selector) const {
  Bytes out(selector.begin(), selector.end());
  Bytes body = Finish();
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Result<ByteView> Decoder::Word(size_t offset) const {
  if (offset > data_.size() || data_.size() - offset < kWord) return Bad("data too short");
  return data_.subspan(offset, kWord);
}

Result<U256> Decoder::Uint(size_t i) const {
  ASSIGN_OR_RETURN(ByteView w, Word(i * kWord));
  return U256::FromBytes(w);
}

Result<uint64_t> Decoder::Uint64(size_t i) const {
  ASSIGN_OR_RETURN(U256 v, Uint(i));
  auto small = v.ToU64();
  if (!small.ok()) return Bad("integer does not fit in 64 bits");
  return *small;
}

Result<Hash> Decoder::Bytes32(size_t i) const {
  ASSIGN_OR_RETURN(ByteView w, Word(i * kWord));
  return Hash::FromBytes(w);
}

Result<Address> Decoder::AddressAt(size_t i) const {
  ASSIGN_OR_RETURN(ByteView w, Word(i * kWord));
  if (!std::all_of(w.begin(), w.begin() + 12, [](uint8_t b) { return b == 0; })) {
    return Bad("address word with non-zero padding");
  }
  return Address::FromBytes(w.subspan(12));
}

Result<bool> Decoder::Bool(size_t i) const {
  ASSIGN_OR_RETURN(uint64_t v, Uint64(i));
  if (v > 1) return Bad("bool word is neither 0 nor 1");
  return v == 1;
}

Result<Bytes> Decoder::DynamicBytes(size_t i) const {
  ASSIGN_OR_RETURN(uint64_t offset, Uint64(i));
  if (offset % kWord != 0 || offset > data_.size()) return Bad("bad offset");
  ASSIGN_OR_RETURN(ByteView len_word, Word(static_cast<size_t>(offset)));
  ASSIGN_OR_RETURN(U256 len256, U256::FromBytes(len_word));
  auto len = len256.ToU64();
  const size_t start = static_cast<size_t>(offset) + kWord;
  if (!len.ok() || *len > data_.size() - start) return Bad("length past the end");
  const size_t n = static_cast<size_t>(*len);
  const size_t padded = (n + kWord - 1) / kWord * kWord;
  if (padded > data_.size() - start) return Bad("padding past the end");
  ByteView body = data_.subspan(start, padded);
  if (!std::all_of(body.begin() + static_cast<std::ptrdiff_t>(n), body.end(),
                   [](uint8_t b) { return b == 0; })) {
    return Bad("non-zero padding");
  }
  return Bytes(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n));
}

}  // namespace anchor::evm::abi
