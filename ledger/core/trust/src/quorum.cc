// The quorum key: genesis, share recombination and key derivation
// (quorum.h, schemas/formats/keys.md).
#include "ledger/trust/quorum.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <secp256k1.h>

#include <cstring>

#include "ledger/crypto/hkdf.h"
#include "ledger/crypto/openssl_error.h"
#include "ledger/crypto/sealed_box.h"
#include "ledger/crypto/shamir.h"

namespace ledger {
namespace {

constexpr uint8_t kShareVersion = 0x01;
constexpr std::string_view kNotaryShareDomain = "audit-ledger/quorum-share/notary/v1\n";

// HKDF-SHA256(ikm = quorum secret, salt = kQuorumSalt, info), 32 bytes (RFC 5869).
Result<Bytes> Derive(const QuorumSecret& secret, ByteView info) {
  return HkdfSha256(secret.view(), AsBytes(kQuorumSalt), info, 32);
}

Result<Ed25519PrivateKey> Ed25519FromInfo(const QuorumSecret& secret, ByteView info) {
  ASSIGN_OR_RETURN(Bytes seed, Derive(secret, info));
  auto key = Ed25519PrivateKey::FromSeed(seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  return key;
}

void Cleanse(std::vector<shamir::Share>& shares) {
  for (auto& s : shares) s.Cleanse();
}

// keys.md §5: 0x01 || k || x || y.
Bytes EncodeShare(const shamir::Share& s, size_t k) {
  Bytes out;
  out.reserve(kShareSize);
  AppendU8(out, kShareVersion);
  AppendU8(out, static_cast<uint8_t>(k));
  AppendU8(out, s.x);
  Append(out, s.y);
  return out;
}

}  // namespace

Result<QuorumSecret> QuorumSecret::Generate() {
  QuorumSecret s;
  if (RAND_bytes(s.bytes_.data(), static_cast<int>(kSize)) != 1) {
    return OpenSslError(Code::kInternal, "random_failed", "RAND_bytes failed");
  }
  return s;
}

Result<QuorumSecret> QuorumSecret::FromBytes(ByteView secret) {
  if (secret.size() != kSize) {
    return Status::InvalidArgument("bad_quorum_secret", "quorum secret must be 32 bytes");
  }
  QuorumSecret s;
  std::memcpy(s.bytes_.data(), secret.data(), kSize);
  return s;
}

QuorumSecret::QuorumSecret(QuorumSecret&& o) noexcept : bytes_(o.bytes_) {
  OPENSSL_cleanse(o.bytes_.data(), kSize);
}

QuorumSecret& QuorumSecret::operator=(QuorumSecret&& o) noexcept {
  if (this != &o) {
    bytes_ = o.bytes_;
    OPENSSL_cleanse(o.bytes_.data(), kSize);
  }
  return *this;
}

QuorumSecret::~QuorumSecret() { OPENSSL_cleanse(bytes_.data(), kSize); }

Result<Ed25519PublicKey> QuorumPublicKey(const QuorumSecret& secret) {
  ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519FromInfo(secret, AsBytes("quorum-identity")));
  return key.public_key();
}

Result<Ed25519PrivateKey> DeriveLogKey(const QuorumSecret& secret, std::string_view origin) {
  Bytes info = ToBytes("log-ed25519\n");
  Append(info, origin);
  return Ed25519FromInfo(secret, info);
}

Secp256k1KeyPair::Secp256k1KeyPair(Secp256k1KeyPair&& o) noexcept
    : secret_key(o.secret_key), public_key(o.public_key) {
  OPENSSL_cleanse(o.secret_key.data(), o.secret_key.size());
}

Secp256k1KeyPair& Secp256k1KeyPair::operator=(Secp256k1KeyPair&& o) noexcept {
  if (this != &o) {
    secret_key = o.secret_key;
    public_key = o.public_key;
    OPENSSL_cleanse(o.secret_key.data(), o.secret_key.size());
  }
  return *this;
}

Secp256k1KeyPair::~Secp256k1KeyPair() { OPENSSL_cleanse(secret_key.data(), secret_key.size()); }

Result<Secp256k1KeyPair> DeriveRegistryKey(const QuorumSecret& secret, std::string_view origin) {
  // A signing-capable context (the static one cannot compute public keys),
  // blinded with fresh randomness as libsecp256k1 recommends.
  struct Ctx {
    secp256k1_context* p = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    ~Ctx() { secp256k1_context_destroy(p); }
  } holder;
  secp256k1_context* ctx = holder.p;
  uint8_t seed[32];
  if (ctx == nullptr || RAND_bytes(seed, sizeof(seed)) != 1 ||
      secp256k1_context_randomize(ctx, seed) != 1) {
    return Status::Internal("secp256k1_error", "secp256k1 context setup failed");
  }
  OPENSSL_cleanse(seed, sizeof(seed));
  // Rejection sampling (keys.md §4): an HKDF output of 0 or >= n is not a
  // scalar; the chance of a retry is about 2^-128, but the rule is fixed so
  // that every implementation derives the same key.
  for (unsigned counter = 0; counter < 256; ++counter) {
    Bytes info = ToBytes("registry-secp256k1\n");
    Append(info, origin);
    AppendU8(info, static_cast<uint8_t>(counter));
    ASSIGN_OR_RETURN(Bytes candidate, Derive(secret, info));
    if (secp256k1_ec_seckey_verify(ctx, candidate.data()) == 1) {
      Secp256k1KeyPair kp;
      std::memcpy(kp.secret_key.data(), candidate.data(), 32);
      OPENSSL_cleanse(candidate.data(), candidate.size());
      secp256k1_pubkey pub;
      size_t len = kp.public_key.size();
      if (secp256k1_ec_pubkey_create(ctx, &pub, kp.secret_key.data()) != 1 ||
          secp256k1_ec_pubkey_serialize(ctx, kp.public_key.data(), &len, &pub,
                                        SECP256K1_EC_COMPRESSED) != 1 ||
          len != kp.public_key.size()) {
        return Status::Internal("secp256k1_error", "secp256k1 public key computation failed");
      }
      return kp;
    }
    OPENSSL_cleanse(candidate.data(), candidate.size());
  }
  return Status::Internal("secp256k1_error", "no valid secp256k1 scalar in 256 candidates");
}

Result<QuorumShares> QuorumGenesis(std::span<const P256PublicKey> operators, size_t k,
                                   ByteView context) {
  if (k < 2 || k > operators.size() || operators.size() > shamir::kMaxShares) {
    return Status::InvalidArgument("bad_threshold", "need 1 < k <= n <= 255 operators");
  }
  ASSIGN_OR_RETURN(QuorumSecret secret, QuorumSecret::Generate());
  QuorumShares out;
  ASSIGN_OR_RETURN(out.quorum_public_key, QuorumPublicKey(secret));
  ASSIGN_OR_RETURN(std::vector<shamir::Share> shares,
                   shamir::Split(secret.view(), k, operators.size()));
  for (size_t i = 0; i < operators.size(); ++i) {
    Bytes plain = EncodeShare(shares[i], k);
    auto box = Seal(operators[i].view(), plain, context);
    OPENSSL_cleanse(plain.data(), plain.size());
    if (!box.ok()) {
      Cleanse(shares);
      return box.status();
    }
    out.sealed_shares.push_back(std::move(*box));
  }
  Cleanse(shares);
  return out;  // `secret` is cleansed by its destructor
}

Bytes NotaryShareContext(const Hash& manifest_digest) {
  Bytes ctx = ToBytes(kNotaryShareDomain);
  Append(ctx, manifest_digest.view());
  return ctx;
}

Result<Bytes> ReshareToNotary(const P256PrivateKey& operator_key, ByteView sealed_share,
                              ByteView share_context, ByteView notary_ephemeral_public_key,
                              ByteView notary_context) {
  ASSIGN_OR_RETURN(Bytes plain, Open(operator_key, sealed_share, share_context));
  auto box = Seal(notary_ephemeral_public_key, plain, notary_context);
  OPENSSL_cleanse(plain.data(), plain.size());
  return box;
}

Result<QuorumSecret> CombineShares(std::span<const Bytes> shares, size_t k,
                                   const Ed25519PublicKey& expected_quorum_public_key) {
  if (k < 2 || k > shamir::kMaxShares) {
    return Status::InvalidArgument("bad_threshold", "need 1 < k <= 255");
  }
  if (shares.size() < k) {
    return Status::FailedPrecondition("insufficient_shares",
                                      std::to_string(shares.size()) + " shares, need " +
                                          std::to_string(k));
  }
  std::vector<shamir::Share> parsed;
  for (const Bytes& b : shares) {
    if (b.size() != kShareSize || b[0] != kShareVersion || b[1] != k) {
      Cleanse(parsed);
      return Status::InvalidArgument("bad_share",
                                     "share is malformed or for another threshold");
    }
    parsed.push_back({b[2], Bytes(b.begin() + 3, b.end())});
  }
  auto combined = shamir::Combine(parsed);
  Cleanse(parsed);
  if (!combined.ok()) return combined.status();
  auto secret = QuorumSecret::FromBytes(*combined);
  OPENSSL_cleanse(combined->data(), combined->size());
  if (!secret.ok()) return secret.status();
  ASSIGN_OR_RETURN(Ed25519PublicKey identity, QuorumPublicKey(*secret));
  if (CRYPTO_memcmp(identity.view().data(), expected_quorum_public_key.view().data(),
                    Ed25519PublicKey::kSize) != 0) {
    return Status::VerificationFailed(
        "quorum_key_mismatch",
        "the shares do not recombine to the manifest's quorum key");
  }
  return secret;
}

}  // namespace ledger
