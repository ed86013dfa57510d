// secp256k1 recoverable signatures as Ethereum uses them (libsecp256k1's
// recovery module): RFC 6979 nonces, low s (EIP-2), r || s || v with
// v = 27 + recovery id (what ecrecover takes), public-key recovery and the
// 20-byte address of a key (Yellow Paper eq. 284).
//
// In the core because the notary signs registry statements with its registry
// key (schemas/formats/registry-statement.md §4) and must not depend on
// anchor/; the EVM client (anchor/evm/signing.h) uses these.
//
// Thread-safety: pure functions and value types.
#pragma once

#include <array>
#include <cstdint>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace ledger {

inline constexpr size_t kSecp256k1SecretKeySize = 32;
inline constexpr size_t kEthAddressSize = 20;
using EthAddress = std::array<uint8_t, kEthAddressSize>;

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
// ("bad_secret_key") otherwise. The digest is signed as is (no hashing).
Result<RecoverableSignature> SignRecoverable(ByteView secret_key, const Hash& digest);
// 65-byte uncompressed SEC1 point. VerificationFailed("bad_signature") if
// nothing recovers. High-s signatures recover too (the precompile accepts
// them): callers that must refuse them check IsLowS().
Result<std::array<uint8_t, 65>> RecoverPublicKey(const Hash& digest,
                                                 const RecoverableSignature& sig);
// Strict: refuses high s (VerificationFailed("high_s")), then recovers.
Result<EthAddress> RecoverEthAddress(const Hash& digest, const RecoverableSignature& sig);

// From a 33-byte compressed or 65-byte uncompressed SEC1 point;
// InvalidArgument("bad_public_key") otherwise.
Result<EthAddress> EthAddressFromPublicKey(ByteView sec1);
Result<EthAddress> EthAddressFromSecretKey(ByteView secret_key);

}  // namespace ledger
