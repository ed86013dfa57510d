#include "ledger/crypto/ed25519.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>

#include "ledger/crypto/openssl_error.h"

namespace ledger {
namespace {
EVP_PKEY* Key(void* p) { return static_cast<EVP_PKEY*>(p); }
}  // namespace

Result<Ed25519PublicKey> Ed25519PublicKey::FromBytes(ByteView raw) {
  if (raw.size() != kSize) {
    return Status::InvalidArgument("bad_public_key", "Ed25519 public key must be 32 bytes, got " +
                                                         std::to_string(raw.size()));
  }
  Ed25519PublicKey k;
  std::memcpy(k.raw_.data(), raw.data(), kSize);
  return k;
}

Status Ed25519PublicKey::Verify(ByteView message, ByteView signature) const {
  if (signature.size() != kSignatureSize) {
    return Status::VerificationFailed("bad_signature", "Ed25519 signature must be 64 bytes");
  }
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw_.data(), kSize);
  if (pkey == nullptr) {
    return OpenSslError(Code::kVerificationFailed, "bad_public_key",
                        "not a valid Ed25519 public key");
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  int rc = ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1
               ? EVP_DigestVerify(ctx, signature.data(), signature.size(), message.data(),
                                  message.size())
               : -1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  if (rc != 1) {
    return OpenSslError(Code::kVerificationFailed, "bad_signature",
                        "Ed25519 signature does not verify");
  }
  return Status::Ok();
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::Generate() {
  uint8_t seed[kSeedSize];
  EVP_PKEY* tmp = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &tmp) == 1;
  EVP_PKEY_CTX_free(ctx);
  size_t len = kSeedSize;
  ok = ok && EVP_PKEY_get_raw_private_key(tmp, seed, &len) == 1 && len == kSeedSize;
  EVP_PKEY_free(tmp);
  if (!ok) return OpenSslError("Ed25519 key generation failed");
  auto key = FromSeed(ByteView(seed, kSeedSize));
  OPENSSL_cleanse(seed, sizeof(seed));
  return key;
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(ByteView seed) {
  if (seed.size() != kSeedSize) {
    return Status::InvalidArgument("bad_private_key", "Ed25519 seed must be 32 bytes");
  }
  Ed25519PrivateKey k;
  k.pkey_ = PkeyHandle(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!k.pkey_) return OpenSslError("cannot load Ed25519 seed");
  uint8_t pub[Ed25519PublicKey::kSize];
  size_t len = sizeof(pub);
  if (EVP_PKEY_get_raw_public_key(Key(k.pkey_.get()), pub, &len) != 1 || len != sizeof(pub)) {
    return OpenSslError("cannot derive Ed25519 public key");
  }
  k.public_ = Ed25519PublicKey::FromBytes(ByteView(pub, len)).value();
  return k;
}

Bytes Ed25519PrivateKey::Sign(ByteView message) const {
  LEDGER_CHECK(pkey_);
  Bytes sig(Ed25519PublicKey::kSignatureSize);
  size_t len = sig.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  LEDGER_CHECK(ctx != nullptr);
  LEDGER_CHECK(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, Key(pkey_.get())) == 1);
  LEDGER_CHECK(EVP_DigestSign(ctx, sig.data(), &len, message.data(), message.size()) == 1);
  EVP_MD_CTX_free(ctx);
  LEDGER_CHECK(len == sig.size());
  return sig;
}

Bytes Ed25519PrivateKey::ExportSeed() const {
  Bytes seed(kSeedSize);
  size_t len = seed.size();
  LEDGER_CHECK(EVP_PKEY_get_raw_private_key(Key(pkey_.get()), seed.data(), &len) == 1);
  return seed;
}

}  // namespace ledger
