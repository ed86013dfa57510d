// EIP-1559 and EIP-155 transaction encoding and signing.
#include "evm/transaction.h"

#include <algorithm>

#include "evm/keccak.h"
#include "evm/rlp.h"

namespace anchor::evm {
namespace {

constexpr uint8_t kEip1559Type = 0x02;  // EIP-2718 transaction type of EIP-1559

Bytes EncodeTo(const std::optional<Address>& to) {
  return to ? rlp::EncodeBytes(to->view()) : rlp::EncodeBytes({});
}

std::vector<Bytes> Eip1559Fields(const Eip1559Tx& tx) {
  return {rlp::EncodeUint(tx.chain_id),
          rlp::EncodeUint(tx.nonce),
          rlp::EncodeU256(tx.max_priority_fee_per_gas),
          rlp::EncodeU256(tx.max_fee_per_gas),
          rlp::EncodeUint(tx.gas_limit),
          EncodeTo(tx.to),
          rlp::EncodeU256(tx.value),
          rlp::EncodeBytes(tx.data),
          rlp::EncodeList({})};  // access list
}

Bytes Typed(const Bytes& rlp_payload) {
  Bytes out(rlp_payload.size() + 1);
  out[0] = kEip1559Type;
  std::copy(rlp_payload.begin(), rlp_payload.end(), out.begin() + 1);
  return out;
}

// r and s as RLP integers: big-endian without leading zeros.
Bytes EncodeScalar(const std::array<uint8_t, 32>& v) {
  return rlp::EncodeU256(*U256::FromBytes(v));
}

std::vector<Bytes> LegacyFields(const LegacyTx& tx) {
  return {rlp::EncodeUint(tx.nonce), rlp::EncodeU256(tx.gas_price), rlp::EncodeUint(tx.gas_limit),
          EncodeTo(tx.to),          rlp::EncodeU256(tx.value),     rlp::EncodeBytes(tx.data)};
}

Status BadTx(std::string message) { return Status::InvalidArgument("bad_tx", std::move(message)); }

Result<std::array<uint8_t, 32>> ScalarOf(const rlp::Item& item) {
  ASSIGN_OR_RETURN(U256 v, rlp::AsU256(item));
  return v.be;
}

}  // namespace

Bytes UnsignedPayload(const Eip1559Tx& tx) { return Typed(rlp::EncodeList(Eip1559Fields(tx))); }

Hash SigningHash(const Eip1559Tx& tx) { return Keccak256::Digest(UnsignedPayload(tx)); }

Result<SignedTx> SignTx(const Eip1559Tx& tx, ByteView secret_key) {
  SignedTx out;
  ASSIGN_OR_RETURN(out.signature, SignDigest(secret_key, SigningHash(tx)));
  std::vector<Bytes> fields = Eip1559Fields(tx);
  fields.push_back(rlp::EncodeUint(out.signature.recid));  // yParity, not 27/28
  fields.push_back(EncodeScalar(out.signature.r));
  fields.push_back(EncodeScalar(out.signature.s));
  out.raw = Typed(rlp::EncodeList(fields));
  out.hash = Keccak256::Digest(out.raw);
  return out;
}

Result<DecodedTx> DecodeSignedTx(ByteView raw) {
  if (raw.empty() || raw[0] != kEip1559Type) return BadTx("not an EIP-1559 (type 2) transaction");
  auto decoded = rlp::Decode(raw.subspan(1));
  if (!decoded.ok()) return BadTx(decoded.status().message());
  const rlp::Item& list = *decoded;
  if (!list.is_list || list.items.size() != 12) return BadTx("expected a list of 12 fields");
  const auto& f = list.items;
  DecodedTx out;
  auto fail = [](const Status& s) { return BadTx(s.message()); };
  auto u64 = [&](size_t i, uint64_t& v) -> Status {
    auto r = rlp::AsUint64(f[i]);
    if (!r.ok()) return fail(r.status());
    v = *r;
    return Status::Ok();
  };
  auto u256 = [&](size_t i, U256& v) -> Status {
    auto r = rlp::AsU256(f[i]);
    if (!r.ok()) return fail(r.status());
    v = *r;
    return Status::Ok();
  };
  RETURN_IF_ERROR(u64(0, out.tx.chain_id));
  RETURN_IF_ERROR(u64(1, out.tx.nonce));
  RETURN_IF_ERROR(u256(2, out.tx.max_priority_fee_per_gas));
  RETURN_IF_ERROR(u256(3, out.tx.max_fee_per_gas));
  RETURN_IF_ERROR(u64(4, out.tx.gas_limit));
  if (f[5].is_list || (!f[5].bytes.empty() && f[5].bytes.size() != Address::kSize)) {
    return BadTx("bad recipient");
  }
  if (!f[5].bytes.empty()) out.tx.to = *Address::FromBytes(f[5].bytes);
  RETURN_IF_ERROR(u256(6, out.tx.value));
  if (f[7].is_list) return BadTx("data is a list");
  out.tx.data = f[7].bytes;
  if (!f[8].is_list || !f[8].items.empty()) return BadTx("access lists are not supported");
  uint64_t parity = 0;
  RETURN_IF_ERROR(u64(9, parity));
  if (parity > 1) return BadTx("yParity must be 0 or 1");
  out.signature.recid = static_cast<uint8_t>(parity);
  auto r = ScalarOf(f[10]);
  auto s = ScalarOf(f[11]);
  if (!r.ok() || !s.ok()) return BadTx("bad r or s");
  out.signature.r = *r;
  out.signature.s = *s;
  // Canonical RLP leaves one spelling per transaction, so its hash names it.
  ASSIGN_OR_RETURN(out.sender, RecoverAddress(SigningHash(out.tx), out.signature));
  out.hash = Keccak256::Digest(raw);
  return out;
}

Hash LegacySigningHash(const LegacyTx& tx) {
  std::vector<Bytes> fields = LegacyFields(tx);
  // EIP-155: the chain id and two empty fields take v, r, s's place.
  fields.push_back(rlp::EncodeUint(tx.chain_id));
  fields.push_back(rlp::EncodeUint(0));
  fields.push_back(rlp::EncodeUint(0));
  return Keccak256::Digest(rlp::EncodeList(fields));
}

Result<SignedTx> SignLegacyTx(const LegacyTx& tx, ByteView secret_key) {
  SignedTx out;
  ASSIGN_OR_RETURN(out.signature, SignDigest(secret_key, LegacySigningHash(tx)));
  std::vector<Bytes> fields = LegacyFields(tx);
  fields.push_back(rlp::EncodeUint(tx.chain_id * 2 + 35 + out.signature.recid));
  fields.push_back(EncodeScalar(out.signature.r));
  fields.push_back(EncodeScalar(out.signature.s));
  out.raw = rlp::EncodeList(fields);
  out.hash = Keccak256::Digest(out.raw);
  return out;
}

}  // namespace anchor::evm
