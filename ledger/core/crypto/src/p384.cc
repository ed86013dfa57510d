#include "ledger/crypto/p384.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>

#include "ledger/crypto/openssl_error.h"

namespace ledger {
namespace {

EVP_PKEY* Key(void* p) { return static_cast<EVP_PKEY*>(p); }

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

constexpr char kGroup[] = "secp384r1";

Status BadKey(std::string_view what) {
  return OpenSslError(Code::kInvalidArgument, "bad_public_key", what);
}

// True if pkey is an EC key on P-384 (and nothing else: RSA, P-256, ...).
bool IsP384(EVP_PKEY* pkey) {
  char name[32] = {0};
  size_t len = 0;
  return pkey != nullptr && EVP_PKEY_is_a(pkey, "EC") == 1 &&
         EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) == 1 &&
         std::string_view(name, len) == kGroup;
}

// Builds an EC EVP_PKEY from OSSL params (public point, optional scalar).
PkeyPtr FromData(ByteView point, const BIGNUM* priv) {
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroup, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1 ||
      (priv != nullptr &&
       OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1)) {
    return nullptr;
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1) {
    return nullptr;
  }
  return PkeyPtr(pkey);
}

Result<P384PublicKey> PublicOf(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) return OpenSslError("cannot encode the public key");
  Bytes spki(der, der + len);
  OPENSSL_free(der);
  return P384PublicKey::FromSpki(spki);
}

}  // namespace

Result<P384PublicKey> P384PublicKey::FromSpki(ByteView der) {
  const unsigned char* p = der.data();
  PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pkey || p != der.data() + der.size()) return BadKey("not a DER SubjectPublicKeyInfo");
  if (!IsP384(pkey.get())) return BadKey("not a P-384 key");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) return BadKey("point not on P-384");
  return P384PublicKey(pkey.release());
}

Result<P384PublicKey> P384PublicKey::FromAffine(ByteView x, ByteView y) {
  if (x.size() != kScalarSize || y.size() != kScalarSize) return BadKey("coordinates must be 48 bytes");
  Bytes point{0x04};  // SEC 1 §2.3.3 uncompressed point
  Append(point, x);
  Append(point, y);
  PkeyPtr pkey = FromData(point, nullptr);
  if (!pkey) return BadKey("point not on P-384");
  return PublicOf(pkey.get());
}

Result<P384PublicKey> P384PublicKey::FromCertificate(ByteView cert_der) {
  const unsigned char* p = cert_der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(cert_der.size())));
  if (!cert || p != cert_der.data() + cert_der.size()) return BadKey("not a DER certificate");
  EVP_PKEY* pkey = X509_get0_pubkey(cert.get());
  if (pkey == nullptr) return BadKey("certificate has no usable public key");
  return PublicOf(pkey);
}

P384PublicKey::P384PublicKey(const P384PublicKey& o) : pkey_(o.pkey_) {
  if (pkey_ != nullptr) EVP_PKEY_up_ref(Key(pkey_));
}
P384PublicKey& P384PublicKey::operator=(const P384PublicKey& o) {
  if (this != &o) {
    P384PublicKey copy(o);
    std::swap(pkey_, copy.pkey_);
  }
  return *this;
}
P384PublicKey::P384PublicKey(P384PublicKey&& o) noexcept : pkey_(o.pkey_) { o.pkey_ = nullptr; }
P384PublicKey& P384PublicKey::operator=(P384PublicKey&& o) noexcept {
  std::swap(pkey_, o.pkey_);
  return *this;
}
P384PublicKey::~P384PublicKey() { EVP_PKEY_free(Key(pkey_)); }

Status P384PublicKey::Verify(ByteView message, ByteView signature) const {
  auto bad = [] {
    return OpenSslError(Code::kVerificationFailed, "bad_signature",
                        "ES384 signature does not verify");
  };
  if (signature.size() != kSignatureSize || pkey_ == nullptr) return bad();
  // RFC 9053 §2.1: r || s; OpenSSL wants the DER ECDSA-Sig-Value.
  SigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(signature.data(), kScalarSize, nullptr);
  BIGNUM* s = BN_bin2bn(signature.data() + kScalarSize, kScalarSize, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return OpenSslError("cannot build ECDSA signature");
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return OpenSslError("cannot encode ECDSA signature");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const int rc = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr,
                                            Key(pkey_)) == 1
                     ? EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_len),
                                        message.data(), message.size())
                     : -1;
  OPENSSL_free(der);
  return rc == 1 ? Status::Ok() : bad();
}

Bytes P384PublicKey::Spki() const {
  unsigned char* der = nullptr;
  const int len = pkey_ ? i2d_PUBKEY(Key(pkey_), &der) : 0;
  if (len <= 0) return {};
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<P384PrivateKey> P384PrivateKey::Generate() {
  PkeyPtr pkey(EVP_EC_gen(kGroup));
  if (!pkey) return OpenSslError("P-384 key generation failed");
  ASSIGN_OR_RETURN(P384PublicKey pub, PublicOf(pkey.get()));
  return P384PrivateKey(pkey.release(), std::move(pub));
}

Result<P384PrivateKey> P384PrivateKey::FromScalar(ByteView d) {
  auto bad = [] {
    return OpenSslError(Code::kInvalidArgument, "bad_private_key", "not a P-384 private scalar");
  };
  if (d.size() != P384PublicKey::kScalarSize) return bad();
  GroupPtr group(EC_GROUP_new_by_curve_name(NID_secp384r1));
  BnPtr priv(BN_bin2bn(d.data(), static_cast<int>(d.size()), nullptr));
  if (!group || !priv) return OpenSslError("cannot load the scalar");
  if (BN_is_zero(priv.get()) || BN_cmp(priv.get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return bad();
  }
  PointPtr pub(EC_POINT_new(group.get()));
  Bytes point(1 + 2 * P384PublicKey::kScalarSize);
  if (!pub || EC_POINT_mul(group.get(), pub.get(), priv.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, point.data(),
                         point.size(), nullptr) != point.size()) {
    return OpenSslError("cannot derive the public point");
  }
  PkeyPtr pkey = FromData(point, priv.get());
  if (!pkey) return OpenSslError("cannot build the P-384 key");
  ASSIGN_OR_RETURN(P384PublicKey public_key, PublicOf(pkey.get()));
  return P384PrivateKey(pkey.release(), std::move(public_key));
}

Result<P384PrivateKey> P384PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!pkey || !IsP384(pkey.get())) {
    return OpenSslError(Code::kInvalidArgument, "bad_private_key",
                        "not a P-384 private key in PEM");
  }
  ASSIGN_OR_RETURN(P384PublicKey pub, PublicOf(pkey.get()));
  return P384PrivateKey(pkey.release(), std::move(pub));
}

P384PrivateKey::P384PrivateKey(P384PrivateKey&& o) noexcept
    : pkey_(o.pkey_), public_(std::move(o.public_)) {
  o.pkey_ = nullptr;
}
P384PrivateKey& P384PrivateKey::operator=(P384PrivateKey&& o) noexcept {
  std::swap(pkey_, o.pkey_);
  std::swap(public_, o.public_);
  return *this;
}
P384PrivateKey::~P384PrivateKey() { EVP_PKEY_free(Key(pkey_)); }

Result<Bytes> P384PrivateKey::Sign(ByteView message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t der_len = 0;
  if (!ctx || pkey_ == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha384(), nullptr, Key(pkey_)) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, message.data(), message.size()) != 1) {
    return OpenSslError("ES384 signing failed");
  }
  Bytes der(der_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_len, message.data(), message.size()) != 1) {
    return OpenSslError("ES384 signing failed");
  }
  const unsigned char* p = der.data();
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return OpenSslError("cannot decode ECDSA signature");
  Bytes out(P384PublicKey::kSignatureSize);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), P384PublicKey::kScalarSize) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + P384PublicKey::kScalarSize,
                   P384PublicKey::kScalarSize) < 0) {
    return OpenSslError("cannot encode r || s");
  }
  return out;
}

Result<std::string> P384PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), Key(pkey_), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return OpenSslError("cannot encode the private key");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(len));
  OPENSSL_cleanse(data, static_cast<size_t>(len));
  return pem;
}

}  // namespace ledger
