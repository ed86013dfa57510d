// secp256k1 as Ethereum uses it (libsecp256k1): recoverable signatures with
// RFC 6979 nonces and low s (EIP-2), public-key recovery (the ecrecover
// precompile), addresses (the last 20 bytes of Keccak-256 of the 64-byte
// uncompressed point), EIP-191 personal messages and EIP-712 typed data.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <string_view>

#include "evm/types.h"

namespace anchor::evm {

inline constexpr size_t kSecretKeySize = 32;

struct RecoverableSignature {
  std::array<uint8_t, 32> r{};
  std::array<uint8_t, 32> s{};
  uint8_t recid = 0;  // 0 or 1: the parity of R's y (yParity)

  // r || s || v with v = 27 + recid: what ecrecover and EIP-191/712 signers use.
  std::array<uint8_t, 65> Rsv() const;
  // Accepts v in {27, 28}; InvalidArgument("bad_signature") otherwise.
  static Result<RecoverableSignature> FromRsv(ByteView rsv);
  // True when s <= n/2 (EIP-2, and what the registry contract requires).
  bool IsLowS() const;
};

// The signer's secret key is 32 bytes, a valid scalar; InvalidArgument
// ("bad_secret_key") otherwise.
Result<RecoverableSignature> SignDigest(ByteView secret_key, const Hash& digest);
// 65-byte uncompressed SEC1 point. VerificationFailed("bad_signature") if
// nothing recovers. High-s signatures recover too (the precompile accepts
// them): callers that must refuse them check IsLowS().
Result<std::array<uint8_t, 65>> RecoverPublicKey(const Hash& digest,
                                                 const RecoverableSignature& sig);
// Strict: refuses high s (VerificationFailed("high_s")), then recovers.
Result<Address> RecoverAddress(const Hash& digest, const RecoverableSignature& sig);

// From a 33-byte compressed or 65-byte uncompressed SEC1 point.
Result<Address> AddressFromPublicKey(ByteView sec1);
Result<Address> AddressFromSecretKey(ByteView secret_key);

// EIP-191 version 0x45: keccak256("\x19Ethereum Signed Message:\n" || len || m).
Hash PersonalMessageHash(ByteView message);

// EIP-712 §"Definition of domainSeparator" for the four-field domain
// EIP712Domain(string name,string version,uint256 chainId,address verifyingContract).
Hash Eip712DomainSeparator(std::string_view name, std::string_view version, const U256& chain_id,
                           const Address& verifying_contract);
// keccak256(0x19 0x01 || domainSeparator || hashStruct(message)).
Hash Eip712Digest(const Hash& domain_separator, const Hash& struct_hash);

}  // namespace anchor::evm
