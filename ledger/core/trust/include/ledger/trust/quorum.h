// The quorum key (QuorumOS model) and the keys derived from it
// (schemas/formats/keys.md).
//
// The quorum key is a 32-byte secret created at a genesis ceremony, split
// k-of-n with Shamir's scheme (shamir.h) and sealed share by share to the
// operators' P-256 keys (sealed_box.h); nobody ever holds it whole except a
// notary that has received k shares, each re-sealed to its attested ephemeral
// key. Everything is derived with HKDF-SHA256 (RFC 5869) under
// salt = "audit-ledger/quorum/v1":
//   identity     Ed25519 seed, info = "quorum-identity"        (in the manifest)
//   log key      Ed25519 seed, info = "log-ed25519\n" || origin (checkpoints)
//   registry key secp256k1,    info = "registry-secp256k1\n" || origin || counter
// so the log keeps its identity across restarts: the same shares give the same keys.
//
// Thread-safety: value types and free functions.
#pragma once

#include <array>
#include <span>
#include <string_view>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/crypto/p256.h"

namespace ledger {

inline constexpr std::string_view kQuorumSalt = "audit-ledger/quorum/v1";
// Context of a genesis share sealed to its operator.
inline constexpr std::string_view kOperatorShareContext = "audit-ledger/quorum-share/operator/v1";

// The 32-byte quorum secret; cleansed on destruction. Move-only.
class QuorumSecret {
 public:
  static constexpr size_t kSize = 32;
  static Result<QuorumSecret> Generate();
  // InvalidArgument("bad_quorum_secret") unless 32 bytes.
  static Result<QuorumSecret> FromBytes(ByteView secret);

  QuorumSecret(QuorumSecret&& other) noexcept;
  QuorumSecret& operator=(QuorumSecret&& other) noexcept;
  QuorumSecret(const QuorumSecret&) = delete;
  QuorumSecret& operator=(const QuorumSecret&) = delete;
  ~QuorumSecret();

  ByteView view() const { return {bytes_.data(), bytes_.size()}; }

 private:
  QuorumSecret() = default;
  std::array<uint8_t, kSize> bytes_{};
};

// The quorum identity (keys.md §2).
Result<Ed25519PublicKey> QuorumPublicKey(const QuorumSecret& secret);
// The log's checkpoint signing key for `origin` (keys.md §3).
Result<Ed25519PrivateKey> DeriveLogKey(const QuorumSecret& secret, std::string_view origin);

// A secp256k1 key pair for registry statements; cleansed on destruction.
struct Secp256k1KeyPair {
  std::array<uint8_t, 32> secret_key{};
  std::array<uint8_t, 33> public_key{};  // SEC1 compressed
  Secp256k1KeyPair() = default;
  Secp256k1KeyPair(const Secp256k1KeyPair&) = delete;
  Secp256k1KeyPair& operator=(const Secp256k1KeyPair&) = delete;
  Secp256k1KeyPair(Secp256k1KeyPair&&) noexcept;
  Secp256k1KeyPair& operator=(Secp256k1KeyPair&&) noexcept;
  ~Secp256k1KeyPair();
};
// keys.md §4: the first counter 0, 1, ... whose HKDF output is a valid scalar.
Result<Secp256k1KeyPair> DeriveRegistryKey(const QuorumSecret& secret, std::string_view origin);

// The plaintext of a share (keys.md §5): 0x01 || k || x || y (32 bytes).
inline constexpr size_t kShareSize = 3 + QuorumSecret::kSize;

struct QuorumShares {
  std::vector<Bytes> sealed_shares;  // sealed_shares[i] is sealed to operators[i]
  Ed25519PublicKey quorum_public_key;
};

// Genesis: generates a quorum secret, splits it k-of-n (n = operators.size()),
// seals share i to operators[i] under `context`, and cleanses the secret.
// InvalidArgument("bad_threshold") unless 1 < k <= n <= 255.
Result<QuorumShares> QuorumGenesis(std::span<const P256PublicKey> operators, size_t k,
                                   ByteView context);

// Context for a share re-sealed to a notary: "audit-ledger/quorum-share/notary/v1\n"
// || the manifest digest, so a share sent for one manifest is refused under another.
Bytes NotaryShareContext(const Hash& manifest_digest);

// An operator's step of provisioning: opens its genesis share (sealed under
// share_context) and re-seals it to the notary's ephemeral key under
// notary_context, after the caller has verified the notary's attestation.
// The plaintext share is cleansed. Errors as for Open and Seal.
Result<Bytes> ReshareToNotary(const P256PrivateKey& operator_key, ByteView sealed_share,
                              ByteView share_context, ByteView notary_ephemeral_public_key,
                              ByteView notary_context);

// Recombines plaintext shares (as opened from sealed boxes) into the quorum
// secret and checks it against the manifest's quorum public key. Errors:
//   FailedPrecondition("insufficient_shares")  fewer than k shares;
//   InvalidArgument("bad_share")  malformed, a k other than `k`, or duplicate x;
//   VerificationFailed("quorum_key_mismatch")  the result is not that quorum key.
// The caller cleanses its share buffers.
Result<QuorumSecret> CombineShares(std::span<const Bytes> shares, size_t k,
                                   const Ed25519PublicKey& expected_quorum_public_key);

}  // namespace ledger
