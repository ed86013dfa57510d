// ECDSA signed-note types: P-256 (0x02, transparency-dev/formats/note) and
// secp256k1 (0xff || "audit-ledger/secp256k1"). Layouts: stamp.md §5.
#include "ledger/note/ecdsa_note.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/rand.h>
#include <secp256k1.h>

#include <array>
#include <cstring>
#include <utility>

#include "ledger/base/hash.h"
#include "ledger/crypto/openssl_error.h"

namespace ledger::note {
namespace {

// RFC 5480 §2: SEQUENCE { SEQUENCE { id-ecPublicKey, secp256r1 }, BIT STRING
// (0 unused bits) }, followed by the 65-byte uncompressed point.
constexpr uint8_t kP256SpkiPrefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                       0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                       0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
constexpr size_t kP256SpkiSize = sizeof(kP256SpkiPrefix) + P256PublicKey::kSize;
// SEQUENCE { INTEGER r, INTEGER s }, each at most 33 bytes: 2 + 2 * 35.
constexpr size_t kMaxP256Der = 72;
using Scalar = std::array<uint8_t, 32>;
// The order n of P-256 (FIPS 186-4 §D.1.2.3), big-endian.
constexpr Scalar kP256Order = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
                               0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
                               0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

constexpr Scalar HalfOf(const Scalar& v) {
  Scalar out{};
  unsigned carry = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    out[i] = static_cast<uint8_t>((carry << 7) | (v[i] >> 1));
    carry = v[i] & 1u;
  }
  return out;
}
constexpr Scalar kP256HalfOrder = HalfOf(kP256Order);

Status BadSignature(const char* why) {
  return OpenSslError(Code::kVerificationFailed, "bad_signature", why);
}
Status BadKey(std::string message) {
  return Status::InvalidArgument("bad_verifier_key", std::move(message));
}

struct SigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

// Raw r || s from a DER ECDSA-Sig-Value, accepted only in the minimal form
// OpenSSL itself writes (d2i alone tolerates some non-minimal encodings).
Result<std::array<uint8_t, 64>> P256RawFromDer(ByteView der) {
  if (der.empty() || der.size() > kMaxP256Der) return BadSignature("bad DER signature length");
  const unsigned char* p = der.data();
  std::unique_ptr<ECDSA_SIG, SigFree> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) return BadSignature("not a DER ECDSA signature");
  unsigned char* again = nullptr;
  int n = i2d_ECDSA_SIG(sig.get(), &again);
  bool minimal = n > 0 && static_cast<size_t>(n) == der.size() &&
                 std::memcmp(again, der.data(), der.size()) == 0;
  OPENSSL_free(again);
  if (!minimal) return BadSignature("DER signature is not minimal");
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  std::array<uint8_t, 64> raw{};
  if (BN_is_negative(r) || BN_is_negative(s) || BN_bn2binpad(r, raw.data(), 32) != 32 ||
      BN_bn2binpad(s, raw.data() + 32, 32) != 32) {
    return BadSignature("r or s out of range");
  }
  return raw;
}

// The minimal DER ECDSA-Sig-Value for raw r || s.
Result<Bytes> P256DerFromRaw(ByteView raw) {
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return OpenSslError("ECDSA_SIG allocation failed");
  }
  unsigned char* der = nullptr;
  int n = i2d_ECDSA_SIG(sig.get(), &der);
  if (n <= 0) return OpenSslError("DER encoding failed");
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

// s := n - s, big-endian (s is public: no constant-time need).
void NegateScalar(uint8_t* s) {
  unsigned borrow = 0;
  for (size_t i = 32; i-- > 0;) {
    unsigned d = unsigned{kP256Order[i]} - s[i] - borrow;
    s[i] = static_cast<uint8_t>(d);
    borrow = (d >> 8) & 1u;
  }
}

class P256Verifier final : public Verifier {
 public:
  P256Verifier(std::string name, const P256PublicKey& key)
      : name_(std::move(name)),
        key_(key),
        spki_(P256SubjectPublicKeyInfo(key)),
        key_id_(LoadU32BE(Sha256::Digest(spki_).bytes.data())) {}
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  uint8_t alg() const override { return kAlgECDSA; }
  Status Verify(std::string_view text, ByteView payload) const override {
    ASSIGN_OR_RETURN(auto raw, P256RawFromDer(payload));
    return key_.Verify(AsBytes(text), raw);
  }
  std::string VerifierKey() const override {
    return FormatVerifierKey(name_, key_id_, kAlgECDSA, spki_);
  }

 private:
  std::string name_;
  P256PublicKey key_;
  Bytes spki_;
  uint32_t key_id_;
};

class P256Signer final : public Signer {
 public:
  P256Signer(std::string name, P256PrivateKey key)
      : verifier_(std::move(name), key.public_key()), key_(std::move(key)) {}
  const std::string& name() const override { return verifier_.name(); }
  uint32_t key_id() const override { return verifier_.key_id(); }
  Result<Bytes> Sign(std::string_view text) const override {
    ASSIGN_OR_RETURN(Bytes raw, key_.Sign(AsBytes(text)));
    // Low s, so that CheckP256LowS holds for everything this signer makes.
    if (std::memcmp(raw.data() + 32, kP256HalfOrder.data(), 32) > 0) NegateScalar(raw.data() + 32);
    return P256DerFromRaw(raw);
  }
  std::string VerifierKey() const override { return verifier_.VerifierKey(); }

 private:
  P256Verifier verifier_;
  P256PrivateKey key_;
};

// What signed-note's key ID and vkey call the public key for the 0xff type:
// the identifier, then the compressed point.
Bytes Secp256k1Material(ByteView point) {
  Bytes m = ToBytes(kSecp256k1Identifier);
  Append(m, point);
  return m;
}

Hash Secp256k1Digest(std::string_view text) { return Sha256::Digest(AsBytes(text)); }

class Secp256k1Verifier final : public Verifier {
 public:
  Secp256k1Verifier(std::string name, const secp256k1_pubkey& key, ByteView point)
      : name_(std::move(name)),
        key_(key),
        material_(Secp256k1Material(point)),
        key_id_(KeyId(name_, kAlgPrivate, material_)) {}
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  uint8_t alg() const override { return kAlgPrivate; }
  Status Verify(std::string_view text, ByteView payload) const override {
    secp256k1_ecdsa_signature sig;
    // parse_compact refuses r or s >= n; verify refuses zero and high s.
    if (payload.size() != 64 || secp256k1_ecdsa_signature_parse_compact(
                                    secp256k1_context_static, &sig, payload.data()) != 1) {
      return BadSignature("secp256k1 signature must be 64 bytes r || s below n");
    }
    Hash digest = Secp256k1Digest(text);
    if (secp256k1_ecdsa_verify(secp256k1_context_static, &sig, digest.bytes.data(), &key_) != 1) {
      return BadSignature("ECDSA secp256k1 signature does not verify (or has a high s)");
    }
    return Status::Ok();
  }
  std::string VerifierKey() const override {
    return FormatVerifierKey(name_, kAlgPrivate, material_);
  }

 private:
  std::string name_;
  secp256k1_pubkey key_;
  Bytes material_;
  uint32_t key_id_;
};

Result<std::unique_ptr<Secp256k1Verifier>> ParseSecp256k1Point(std::string name, ByteView point) {
  secp256k1_pubkey key;
  // Compressed only: 0x02 or 0x03 || x with x < p on the curve (pubkey_parse).
  if (point.size() != kSecp256k1PublicKeySize || (point[0] != 0x02 && point[0] != 0x03) ||
      secp256k1_ec_pubkey_parse(secp256k1_context_static, &key, point.data(), point.size()) != 1) {
    return Status::InvalidArgument("bad_public_key", "not a 33-byte compressed point on secp256k1");
  }
  return std::make_unique<Secp256k1Verifier>(std::move(name), key, point);
}

class Secp256k1Signer final : public Signer {
 public:
  Secp256k1Signer(std::unique_ptr<Secp256k1Verifier> verifier, ByteView secret,
                  secp256k1_context* ctx)
      : verifier_(std::move(verifier)), ctx_(ctx) {
    std::memcpy(secret_.data(), secret.data(), secret_.size());
  }
  Secp256k1Signer(const Secp256k1Signer&) = delete;
  Secp256k1Signer& operator=(const Secp256k1Signer&) = delete;
  ~Secp256k1Signer() override {
    OPENSSL_cleanse(secret_.data(), secret_.size());
    secp256k1_context_destroy(ctx_);
  }
  const std::string& name() const override { return verifier_->name(); }
  uint32_t key_id() const override { return verifier_->key_id(); }
  Result<Bytes> Sign(std::string_view text) const override {
    Hash digest = Secp256k1Digest(text);
    secp256k1_ecdsa_signature sig;
    // A null nonce function is RFC 6979; the result always has a low s.
    Bytes out(64);
    if (secp256k1_ecdsa_sign(ctx_, &sig, digest.bytes.data(), secret_.data(), nullptr, nullptr) !=
            1 ||
        secp256k1_ecdsa_signature_serialize_compact(ctx_, out.data(), &sig) != 1) {
      return Status::Internal("secp256k1_error", "ECDSA secp256k1 signing failed");
    }
    return out;
  }
  std::string VerifierKey() const override { return verifier_->VerifierKey(); }

 private:
  std::unique_ptr<Secp256k1Verifier> verifier_;
  secp256k1_context* ctx_;
  std::array<uint8_t, kSecp256k1SecretSize> secret_{};
};

}  // namespace

Bytes P256SubjectPublicKeyInfo(const P256PublicKey& key) {
  Bytes out(std::begin(kP256SpkiPrefix), std::end(kP256SpkiPrefix));
  Append(out, key.view());
  return out;
}

std::unique_ptr<Signer> NewP256Signer(std::string name, P256PrivateKey key) {
  return std::make_unique<P256Signer>(std::move(name), std::move(key));
}

std::unique_ptr<Verifier> NewP256Verifier(std::string name, const P256PublicKey& key) {
  return std::make_unique<P256Verifier>(std::move(name), key);
}

Status CheckP256LowS(ByteView payload) {
  ASSIGN_OR_RETURN(auto raw, P256RawFromDer(payload));
  static constexpr uint8_t kZero[32] = {};
  const uint8_t* s = raw.data() + 32;
  if (std::memcmp(s, kZero, 32) == 0 || std::memcmp(s, kP256HalfOrder.data(), 32) > 0) {
    return BadSignature("P-256 signature has s = 0 or s > n/2");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Signer>> NewSecp256k1Signer(std::string name, ByteView secret_key) {
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  if (ctx == nullptr) return Status::Internal("secp256k1_error", "context creation failed");
  // Side-channel blinding, as libsecp256k1 recommends for signing contexts.
  uint8_t seed[32];
  secp256k1_pubkey pub;
  std::array<uint8_t, kSecp256k1PublicKeySize> point{};
  size_t len = point.size();
  Status error = Status::Ok();
  if (secret_key.size() != kSecp256k1SecretSize ||
      secp256k1_ec_seckey_verify(ctx, secret_key.data()) != 1) {
    error =
        Status::InvalidArgument("bad_private_key", "secp256k1 secret must be 32 bytes in [1, n)");
  } else if (RAND_bytes(seed, sizeof(seed)) != 1 || secp256k1_context_randomize(ctx, seed) != 1 ||
             secp256k1_ec_pubkey_create(ctx, &pub, secret_key.data()) != 1 ||
             secp256k1_ec_pubkey_serialize(ctx, point.data(), &len, &pub,
                                           SECP256K1_EC_COMPRESSED) != 1) {
    error = Status::Internal("secp256k1_error", "secp256k1 public key computation failed");
  }
  OPENSSL_cleanse(seed, sizeof(seed));
  if (!error.ok()) {
    secp256k1_context_destroy(ctx);
    return error;
  }
  auto verifier = ParseSecp256k1Point(std::move(name), point);
  if (!verifier.ok()) {
    secp256k1_context_destroy(ctx);
    return verifier.status();
  }
  return std::unique_ptr<Signer>(
      std::make_unique<Secp256k1Signer>(std::move(verifier).value(), secret_key, ctx));
}

Result<std::unique_ptr<Verifier>> NewSecp256k1Verifier(std::string name,
                                                       ByteView compressed_public_key) {
  ASSIGN_OR_RETURN(auto v, ParseSecp256k1Point(std::move(name), compressed_public_key));
  return std::unique_ptr<Verifier>(std::move(v));
}

Result<Bytes> GenerateSecp256k1Secret() {
  Bytes secret(kSecp256k1SecretSize);
  // A uniform 32-byte string is a valid scalar except with probability ~2^-128.
  for (int attempt = 0; attempt < 64; ++attempt) {
    if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) break;
    if (secp256k1_ec_seckey_verify(secp256k1_context_static, secret.data()) == 1) return secret;
  }
  OPENSSL_cleanse(secret.data(), secret.size());
  return Status::Internal("secp256k1_error", "no secp256k1 secret from the CSPRNG");
}

Result<std::unique_ptr<Verifier>> NewEcdsaVerifierFromKey(std::string name, uint8_t alg,
                                                          ByteView material) {
  if (alg == kAlgECDSA) {
    if (material.size() != kP256SpkiSize ||
        std::memcmp(material.data(), kP256SpkiPrefix, sizeof(kP256SpkiPrefix)) != 0) {
      return BadKey("type 0x02 key must be a 91-byte P-256 SubjectPublicKeyInfo");
    }
    auto key = P256PublicKey::FromSec1(material.subspan(sizeof(kP256SpkiPrefix)));
    if (!key.ok()) return BadKey("type 0x02 key is not a point on P-256");
    return NewP256Verifier(std::move(name), *key);
  }
  if (alg == kAlgPrivate) {
    if (material.size() < kSecp256k1Identifier.size() ||
        AsString(material.first(kSecp256k1Identifier.size())) != kSecp256k1Identifier) {
      return BadKey("type 0xff key with an unknown identifier");
    }
    auto v = NewSecp256k1Verifier(std::move(name), material.subspan(kSecp256k1Identifier.size()));
    if (!v.ok()) return BadKey("secp256k1 key must be a 33-byte compressed point on the curve");
    return v;
  }
  return BadKey("not an ECDSA signature type: " + std::to_string(alg));
}

}  // namespace ledger::note
