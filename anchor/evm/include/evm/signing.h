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
#include "ledger/crypto/eth_signature.h"
#include "ledger/trust/registry_statement.h"

namespace anchor::evm {

inline constexpr size_t kSecretKeySize = ledger::kSecp256k1SecretKeySize;

// The recoverable signature type and the primitives live in the core
// (ledger/crypto/eth_signature.h): the notary signs registry statements with them.
using ledger::RecoverableSignature;
using ledger::RecoverPublicKey;

// The signer's secret key is 32 bytes, a valid scalar; InvalidArgument
// ("bad_secret_key") otherwise.
inline Result<RecoverableSignature> SignDigest(ByteView secret_key, const Hash& digest) {
  return ledger::SignRecoverable(secret_key, digest);
}
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
using ledger::registry::Eip712Digest;

}  // namespace anchor::evm
