#include "ledger/attestation_dev/dev_pki.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <ctime>

#include "attestation_internal.h"
#include "ledger/crypto/openssl_error.h"

namespace ledger {
namespace {

using internal::ParseDer;
using internal::X509Ptr;

Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
  const bool ok = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok ? Status::Ok() : OpenSslError("cannot add a certificate extension");
}

struct CertSpec {
  std::string common_name;
  const P384PrivateKey* subject_key;
  X509* issuer;  // nullptr: self-signed
  const P384PrivateKey* issuer_key;
  const char* basic_constraints;
  const char* key_usage;
  time_t not_before, not_after;
};

// An X.509 v3 certificate like Nitro's: ecdsa-with-SHA384, a random positive
// 128-bit serial, SKID/AKID, critical basicConstraints and keyUsage.
Result<Bytes> MakeCertificate(const CertSpec& spec) {
  X509Ptr cert(X509_new());
  uint8_t serial[16];
  if (!cert || RAND_bytes(serial, sizeof(serial)) != 1) return OpenSslError("X509_new");
  serial[0] &= 0x7f;  // positive INTEGER (RFC 5280 §4.1.2.2)
  serial[0] |= 0x01;  // and no leading zero byte
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  ASN1_INTEGER* asn1_serial = bn ? BN_to_ASN1_INTEGER(bn, nullptr) : nullptr;
  BN_free(bn);
  const bool serial_ok = asn1_serial != nullptr && X509_set_serialNumber(cert.get(), asn1_serial) == 1;
  ASN1_INTEGER_free(asn1_serial);
  X509_NAME* name = X509_get_subject_name(cert.get());
  auto add = [&](const char* field, const std::string& v) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(v.c_str()), -1, -1,
                                      0) == 1;
  };
  if (!serial_ok || X509_set_version(cert.get(), X509_VERSION_3) != 1 || !add("C", "US") ||
      !add("O", "ledger development") || !add("CN", spec.common_name) ||
      X509_set_issuer_name(cert.get(), spec.issuer ? X509_get_subject_name(spec.issuer) : name) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), spec.not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), spec.not_after) == nullptr ||
      X509_set_pubkey(cert.get(), static_cast<EVP_PKEY*>(spec.subject_key->evp_pkey())) != 1) {
    return OpenSslError("cannot fill in the certificate");
  }
  X509* issuer = spec.issuer ? spec.issuer : cert.get();
  RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_basic_constraints, spec.basic_constraints));
  RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_key_usage, spec.key_usage));
  RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(AddExtension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(cert.get(), static_cast<EVP_PKEY*>(spec.issuer_key->evp_pkey()), EVP_sha384()) <= 0) {
    return OpenSslError("cannot sign the certificate");
  }
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  if (len <= 0) return OpenSslError("cannot encode the certificate");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

Result<DevPki> CreateDevPki(const DevPkiOptions& options) {
  const time_t not_before = options.not_before_unix != 0
                                ? static_cast<time_t>(options.not_before_unix)
                                : std::time(nullptr) - 3600;
  const time_t not_after = not_before + static_cast<time_t>(options.validity_days) * 86400;
  ASSIGN_OR_RETURN(P384PrivateKey root_key, P384PrivateKey::Generate());
  ASSIGN_OR_RETURN(P384PrivateKey inter_key, P384PrivateKey::Generate());
  ASSIGN_OR_RETURN(P384PrivateKey leaf_key, P384PrivateKey::Generate());
  // Same shape as the Nitro chain: CAs with keyCertSign, a leaf that signs.
  ASSIGN_OR_RETURN(Bytes root_der,
                   MakeCertificate({options.name + " root", &root_key, nullptr, &root_key,
                                    "critical,CA:TRUE", "critical,keyCertSign,cRLSign",
                                    not_before, not_after}));
  X509Ptr root = ParseDer(root_der);
  if (!root) return OpenSslError("cannot re-read the root");
  ASSIGN_OR_RETURN(Bytes inter_der,
                   MakeCertificate({options.name + " intermediate", &inter_key, root.get(),
                                    &root_key, "critical,CA:TRUE,pathlen:0",
                                    "critical,keyCertSign,cRLSign", not_before, not_after}));
  X509Ptr inter = ParseDer(inter_der);
  if (!inter) return OpenSslError("cannot re-read the intermediate");
  ASSIGN_OR_RETURN(Bytes leaf_der,
                   MakeCertificate({options.name + " enclave", &leaf_key, inter.get(), &inter_key,
                                    "critical,CA:FALSE", "critical,digitalSignature", not_before,
                                    not_after}));
  return DevPki{std::move(root_der), std::move(inter_der), std::move(leaf_der),
                std::move(leaf_key)};
}

Result<DevPkiPem> DevPkiToPem(const DevPki& pki) {
  DevPkiPem pem;
  ASSIGN_OR_RETURN(pem.root, CertificateToPem(pki.root_der));
  ASSIGN_OR_RETURN(pem.intermediate, CertificateToPem(pki.intermediate_der));
  ASSIGN_OR_RETURN(pem.leaf, CertificateToPem(pki.leaf_der));
  ASSIGN_OR_RETURN(pem.leaf_key, pki.leaf_key.ToPem());
  return pem;
}

Result<DevPki> DevPkiFromPem(const DevPkiPem& pem) {
  auto bad = [](std::string what) { return Status::InvalidArgument("bad_dev_pki", std::move(what)); };
  auto root = CertificateFromPemOrDer(AsBytes(pem.root));
  auto inter = CertificateFromPemOrDer(AsBytes(pem.intermediate));
  auto leaf = CertificateFromPemOrDer(AsBytes(pem.leaf));
  if (!root.ok() || !inter.ok() || !leaf.ok()) return bad("a certificate is not PEM");
  auto key = P384PrivateKey::FromPem(pem.leaf_key);
  if (!key.ok()) return bad("the leaf key is not a P-384 PEM private key");
  // root signs the intermediate, which signs the leaf, whose key we hold.
  X509Ptr r = ParseDer(*root), i = ParseDer(*inter), l = ParseDer(*leaf);
  if (X509_verify(r.get(), X509_get0_pubkey(r.get())) != 1 ||
      X509_verify(i.get(), X509_get0_pubkey(r.get())) != 1 ||
      X509_verify(l.get(), X509_get0_pubkey(i.get())) != 1) {
    return bad("root -> intermediate -> leaf signatures do not verify");
  }
  auto leaf_pub = P384PublicKey::FromCertificate(*leaf);
  if (!leaf_pub.ok() || !(*leaf_pub == key->public_key())) return bad("key is not the leaf's");
  return DevPki{std::move(root).value(), std::move(inter).value(), std::move(leaf).value(),
                std::move(key).value()};
}

}  // namespace ledger
