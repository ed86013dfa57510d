// Sealed box (sealed_box.h, schemas/formats/sealed-box.md): ECIES-style
// P-256 ECDH + HKDF-SHA256 + AES-256-GCM.
#include "ledger/crypto/sealed_box.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <memory>

#include "ledger/crypto/hkdf.h"
#include "ledger/crypto/openssl_error.h"

namespace ledger {
namespace {

constexpr std::string_view kSalt = "audit-ledger/sealed-box/v1";
constexpr size_t kKeySize = 32;  // AES-256
constexpr size_t kHeaderSize = 1 + P256PublicKey::kSize + kSealedBoxIvSize;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// key = HKDF-SHA256(ikm = Z, salt, info = E || R) (RFC 5869). Binding both
// public keys in info follows SEC1 §5.1.3's SharedInfo: a box re-targeted to
// another recipient, or with its ephemeral key swapped, derives another key.
Result<Bytes> DeriveKey(const P256PrivateKey& own, const P256PublicKey& peer,
                        const P256PublicKey& ephemeral, const P256PublicKey& recipient) {
  ASSIGN_OR_RETURN(Bytes z, own.SharedSecret(peer));
  Bytes info;
  Append(info, ephemeral.view());
  Append(info, recipient.view());
  auto key = HkdfSha256(z, AsBytes(kSalt), info, kKeySize);
  OPENSSL_cleanse(z.data(), z.size());
  return key;
}

// AAD = version || R || context: the context is authenticated, not sent.
Bytes Aad(const P256PublicKey& recipient, ByteView context) {
  Bytes aad;
  AppendU8(aad, kSealedBoxVersion);
  Append(aad, recipient.view());
  Append(aad, context);
  return aad;
}

bool FitsInt(size_t n) { return n <= static_cast<size_t>(INT32_MAX); }

}  // namespace

Result<Bytes> SealDeterministic(ByteView recipient_public_key, ByteView plaintext,
                                ByteView context, const P256PrivateKey& ephemeral, ByteView iv) {
  ASSIGN_OR_RETURN(P256PublicKey recipient, P256PublicKey::FromSec1(recipient_public_key));
  if (plaintext.size() > kSealedBoxMaxPlaintext) {
    return Status::InvalidArgument("plaintext_too_large", "sealed box plaintext above 64 KiB");
  }
  if (iv.size() != kSealedBoxIvSize) {
    return Status::InvalidArgument("bad_iv", "sealed box IV must be 12 bytes");
  }
  if (!FitsInt(context.size())) return Status::InvalidArgument("bad_context", "context too long");
  const P256PublicKey& e = ephemeral.public_key();
  ASSIGN_OR_RETURN(Bytes key, DeriveKey(ephemeral, recipient, e, recipient));
  Bytes box;
  box.reserve(kSealedBoxOverhead + plaintext.size());
  AppendU8(box, kSealedBoxVersion);
  Append(box, e.view());
  Append(box, iv);
  box.resize(kHeaderSize + plaintext.size() + kSealedBoxTagSize);
  const Bytes aad = Aad(recipient, context);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  // NIST SP 800-38D: 96-bit IV, full 128-bit tag.
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                                      iv.data()) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                              static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), box.data() + kHeaderSize, &len, plaintext.data(),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), box.data() + kHeaderSize + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG,
                                static_cast<int>(kSealedBoxTagSize),
                                box.data() + kHeaderSize + plaintext.size()) == 1;
  OPENSSL_cleanse(key.data(), key.size());
  if (!ok) return OpenSslError("AES-256-GCM encryption failed");
  return box;
}

Result<Bytes> Seal(ByteView recipient_public_key, ByteView plaintext, ByteView context) {
  ASSIGN_OR_RETURN(P256PrivateKey ephemeral, P256PrivateKey::Generate());
  uint8_t iv[kSealedBoxIvSize];
  // A fresh ephemeral key makes the AES key single-use, so a random IV is
  // belt and braces rather than a uniqueness requirement (SP 800-38D §8).
  if (RAND_bytes(iv, sizeof(iv)) != 1) {
    return OpenSslError(Code::kInternal, "random_failed", "RAND_bytes failed");
  }
  return SealDeterministic(recipient_public_key, plaintext, context, ephemeral,
                           ByteView(iv, sizeof(iv)));
}

Result<Bytes> Open(const P256PrivateKey& recipient, ByteView box, ByteView context) {
  auto malformed = [](const std::string& why) {
    return Status::InvalidArgument("malformed_sealed_box", "sealed box: " + why);
  };
  if (box.size() < kSealedBoxOverhead) return malformed("too short");
  if (box[0] != kSealedBoxVersion) return malformed("unknown version");
  if (box.size() > kSealedBoxOverhead + kSealedBoxMaxPlaintext) return malformed("too long");
  if (!FitsInt(context.size())) return Status::InvalidArgument("bad_context", "context too long");
  auto e = P256PublicKey::FromSec1(box.subspan(1, P256PublicKey::kSize));
  if (!e.ok()) return malformed("bad ephemeral public key");
  const P256PublicKey& r = recipient.public_key();
  ASSIGN_OR_RETURN(Bytes key, DeriveKey(recipient, *e, *e, r));
  const ByteView iv = box.subspan(1 + P256PublicKey::kSize, kSealedBoxIvSize);
  const size_t ct_len = box.size() - kSealedBoxOverhead;
  const ByteView ct = box.subspan(kHeaderSize, ct_len);
  Bytes tag(box.end() - kSealedBoxTagSize, box.end());
  const Bytes aad = Aad(r, context);
  // One spare byte: a null output pointer would make OpenSSL treat the
  // (empty) ciphertext as AAD.
  Bytes plain(ct_len + 1);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool setup = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                                         iv.data()) == 1 &&
               EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                                 static_cast<int>(aad.size())) == 1 &&
               EVP_DecryptUpdate(ctx.get(), plain.data(), &len, ct.data(),
                                 static_cast<int>(ct.size())) == 1 &&
               EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG,
                                   static_cast<int>(kSealedBoxTagSize), tag.data()) == 1;
  // The tag check happens in DecryptFinal (SP 800-38D §7.2 step 6): nothing
  // decrypted is released unless it passes.
  bool authentic = setup && EVP_DecryptFinal_ex(ctx.get(), plain.data() + len, &len) == 1;
  OPENSSL_cleanse(key.data(), key.size());
  if (!authentic) {
    if (!plain.empty()) OPENSSL_cleanse(plain.data(), plain.size());
    if (!setup) return OpenSslError("AES-256-GCM setup failed");
    return OpenSslError(Code::kVerificationFailed, "sealed_box_open_failed",
                        "sealed box does not open: tampered, or sealed to another key or context");
  }
  plain.resize(ct_len);
  return plain;
}

}  // namespace ledger
