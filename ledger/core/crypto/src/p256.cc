// P-256 through OpenSSL 3's EVP interface (the EC_KEY API is deprecated).
// Foreign errors are converted here, once.
#include "ledger/crypto/p256.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <cstring>
#include <memory>

#include "ledger/crypto/openssl_error.h"

namespace ledger {
namespace {

EVP_PKEY* Key(void* p) { return static_cast<EVP_PKEY*>(p); }

constexpr char kGroupName[] = "prime256v1";

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;

// An EVP_PKEY from domain parameters plus a public point and, optionally, a
// private scalar. OpenSSL decodes the point with EC_POINT_oct2point, which
// refuses points off the curve (SEC1 §3.2.2).
EVP_PKEY* FromParams(ByteView pub, const BIGNUM* priv) {
  Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroupName, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(),
                                       pub.size()) != 1 ||
      (priv != nullptr &&
       OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1)) {
    return nullptr;
  }
  Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey,
                        priv != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1) {
    return nullptr;
  }
  return pkey;
}

Status BadSignature() {
  return OpenSslError(Code::kVerificationFailed, "bad_signature",
                      "ECDSA P-256 signature does not verify");
}

}  // namespace

Result<P256PublicKey> P256PublicKey::FromSec1(ByteView uncompressed) {
  if (uncompressed.size() != kSize || uncompressed[0] != 0x04) {
    return Status::InvalidArgument("bad_public_key",
                                   "P-256 public key must be 65 bytes, SEC1 uncompressed");
  }
  Ptr<EVP_PKEY> pkey(FromParams(uncompressed, nullptr));
  if (!pkey) return OpenSslError(Code::kInvalidArgument, "bad_public_key", "not a point on P-256");
  P256PublicKey k;
  std::memcpy(k.raw_.data(), uncompressed.data(), kSize);
  return k;
}

Status P256PublicKey::Verify(ByteView message, ByteView signature) const {
  if (signature.size() != kSignatureSize) return BadSignature();
  Ptr<EVP_PKEY> pkey(FromParams(view(), nullptr));
  if (!pkey) {
    return OpenSslError(Code::kVerificationFailed, "bad_public_key", "not a point on P-256");
  }
  // Raw r || s to the DER form OpenSSL verifies. r, s in [1, n-1] is checked
  // by ECDSA verification itself (FIPS 186-4 §6.4.2 step 1).
  Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(signature.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(signature.data() + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return OpenSslError("ECDSA_SIG allocation failed");
  }
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return BadSignature();
  Ptr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  int rc = md && EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) == 1
               ? EVP_DigestVerify(md.get(), der, static_cast<size_t>(der_len), message.data(),
                                  message.size())
               : -1;
  OPENSSL_free(der);
  return rc == 1 ? Status::Ok() : BadSignature();
}

Result<P256PrivateKey> P256PrivateKey::Generate() {
  Ptr<EVP_PKEY> pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!pkey) return OpenSslError("P-256 key generation failed");
  Bytes scalar;
  {
    P256PrivateKey k;
    k.pkey_ = PkeyHandle(pkey.release());
    scalar = k.ExportScalar();
  }
  // Rebuild through FromScalar so there is one path that sets public_.
  auto out = FromScalar(scalar);
  if (!scalar.empty()) OPENSSL_cleanse(scalar.data(), scalar.size());
  return out;
}

Result<P256PrivateKey> P256PrivateKey::FromScalar(ByteView scalar) {
  auto bad = [] {
    return OpenSslError(Code::kInvalidArgument, "bad_private_key",
                        "P-256 scalar must be 32 bytes in [1, n)");
  };
  if (scalar.size() != kScalarSize) return bad();
  Ptr<EC_GROUP> group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  Ptr<BIGNUM> d(BN_secure_new());
  if (!group || !d) return OpenSslError("allocation failed");
  BN_set_flags(d.get(), BN_FLG_CONSTTIME);
  if (BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), d.get()) == nullptr) return bad();
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0) return bad();
  Ptr<EC_POINT> q(EC_POINT_new(group.get()));
  uint8_t pub[P256PublicKey::kSize];
  if (!q || EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub),
                         nullptr) != sizeof(pub)) {
    return OpenSslError("P-256 public key computation failed");
  }
  EVP_PKEY* pkey = FromParams(ByteView(pub, sizeof(pub)), d.get());
  if (pkey == nullptr) return OpenSslError("P-256 key import failed");
  P256PrivateKey k;
  k.pkey_ = PkeyHandle(pkey);
  std::memcpy(k.public_.raw_.data(), pub, sizeof(pub));
  return k;
}

Bytes P256PrivateKey::ExportScalar() const {
  BIGNUM* d = nullptr;
  if (!pkey_ || EVP_PKEY_get_bn_param(Key(pkey_.get()), OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1) {
    return {};
  }
  Bytes out(kScalarSize);
  int n = BN_bn2binpad(d, out.data(), static_cast<int>(out.size()));
  BN_clear_free(d);
  if (n != static_cast<int>(kScalarSize)) {
    OPENSSL_cleanse(out.data(), out.size());
    return {};
  }
  return out;
}

Result<Bytes> P256PrivateKey::Sign(ByteView message) const {
  Ptr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  size_t der_len = 0;
  if (!md || !pkey_ ||
      EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, Key(pkey_.get())) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &der_len, message.data(), message.size()) != 1) {
    return OpenSslError("ECDSA P-256 signing failed");
  }
  Bytes der(der_len);
  if (EVP_DigestSign(md.get(), der.data(), &der_len, message.data(), message.size()) != 1) {
    return OpenSslError("ECDSA P-256 signing failed");
  }
  const unsigned char* p = der.data();
  Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  Bytes raw(P256PublicKey::kSignatureSize);
  if (!sig || BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + 32, 32) != 32) {
    return OpenSslError("ECDSA signature conversion failed");
  }
  return raw;
}

Result<Bytes> P256PrivateKey::SharedSecret(const P256PublicKey& peer) const {
  Ptr<EVP_PKEY> peer_key(FromParams(peer.view(), nullptr));
  if (!peer_key) {
    return OpenSslError(Code::kInvalidArgument, "bad_public_key", "not a point on P-256");
  }
  Ptr<EVP_PKEY_CTX> ctx(pkey_ ? EVP_PKEY_CTX_new(Key(pkey_.get()), nullptr) : nullptr);
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer_key.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len != 32) {
    return OpenSslError("P-256 ECDH failed");
  }
  Bytes z(len);
  if (EVP_PKEY_derive(ctx.get(), z.data(), &len) != 1 || len != 32) {
    OPENSSL_cleanse(z.data(), z.size());
    return OpenSslError("P-256 ECDH failed");
  }
  return z;
}

}  // namespace ledger
