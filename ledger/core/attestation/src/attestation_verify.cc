// VerifyAttestation: the checks and their order are specified in
// schemas/formats/attestation.md ("Verification").
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <limits>

#include "attestation_internal.h"
#include "ledger/attestation/attestation.h"
#include "ledger/attestation/cose.h"
#include "ledger/crypto/openssl_error.h"

namespace ledger {
namespace {

using internal::ParseDer;
using internal::X509Ptr;

Status ChainInvalid(std::string_view what) {
  return OpenSslError(Code::kVerificationFailed, "chain_invalid", what);
}

struct StoreDeleter {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct CtxDeleter {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct StackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};

// Nitro signs every certificate with ecdsa-with-SHA384 under a P-384 key
// (nsm-api attestation_process.md §3.2.2); anything else is not a Nitro chain.
bool IsEs384Certificate(X509* cert) {
  if (X509_get_signature_nid(cert) != NID_ecdsa_with_SHA384) return false;
  EVP_PKEY* key = X509_get0_pubkey(cert);
  char group[32] = {0};
  size_t len = 0;
  return key != nullptr && EVP_PKEY_is_a(key, "EC") == 1 &&
         EVP_PKEY_get_group_name(key, group, sizeof(group), &len) == 1 &&
         std::string_view(group, len) == "secp384r1";
}

// The chain leaf -> cabundle[N-1] -> ... -> cabundle[1] -> root, every
// certificate valid at `at`. `root` is the pinned root (cabundle[0] was
// already compared to it byte for byte).
Status VerifyChain(const AttestationDocument& doc, X509* root, time_t at) {
  X509Ptr leaf = ParseDer(doc.certificate);
  if (!leaf) return ChainInvalid("certificate is not DER X.509");
  std::unique_ptr<STACK_OF(X509), StackDeleter> untrusted(sk_X509_new_null());
  std::vector<X509*> bundle;  // cabundle[1..], owned by `untrusted`
  if (!untrusted) return OpenSslError("out of memory");
  for (size_t i = 1; i < doc.cabundle.size(); ++i) {
    X509Ptr cert = ParseDer(doc.cabundle[i]);
    if (!cert) return ChainInvalid("cabundle[" + std::to_string(i) + "] is not DER X.509");
    bundle.push_back(cert.get());
    if (sk_X509_push(untrusted.get(), cert.get()) <= 0) {
      return OpenSslError("out of memory");
    }
    (void)cert.release();
  }
  std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, CtxDeleter> ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), root) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    return OpenSslError("cannot set up certificate verification");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // set_time also sets X509_V_FLAG_USE_CHECK_TIME: validity at `at`, not now.
  X509_VERIFY_PARAM_set_time(param, at);
  // No CRLs (AWS: "We do not use CRL"); check the root's own signature too.
  // Not X509_V_FLAG_X509_STRICT: genuine Nitro leaf certificates have no
  // authority key identifier, which strict mode (RFC 5280 §4.2.1.1) demands.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CHECK_SS_SIGNATURE);
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    const std::string what = X509_verify_cert_error_string(err);
    if (err == X509_V_ERR_CERT_HAS_EXPIRED) {
      return OpenSslError(Code::kVerificationFailed, "certificate_expired", what);
    }
    if (err == X509_V_ERR_CERT_NOT_YET_VALID) {
      return OpenSslError(Code::kVerificationFailed, "certificate_not_yet_valid", what);
    }
    return ChainInvalid(what);
  }
  // The path OpenSSL found must be exactly the bundle in its documented order
  // (leaf, cabundle[N-1], ..., cabundle[1], root): no unused or reordered
  // certificates, so what a verifier accepts is what the document says.
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  if (chain == nullptr || static_cast<size_t>(sk_X509_num(chain)) != doc.cabundle.size() + 1) {
    return ChainInvalid("cabundle is not exactly the path from the leaf to the root");
  }
  for (size_t i = 0; i <= doc.cabundle.size(); ++i) {
    X509* want = i == 0 ? leaf.get() : i == doc.cabundle.size() ? root : bundle[bundle.size() - i];
    X509* got = sk_X509_value(chain, static_cast<int>(i));
    if (X509_cmp(got, want) != 0) return ChainInvalid("cabundle order is not root first");
    if (!IsEs384Certificate(got)) return ChainInvalid("certificate is not ECDSA P-384/SHA-384");
  }
  // The leaf signs the document: it must be allowed to sign.
  if ((X509_get_extension_flags(leaf.get()) & EXFLAG_KUSAGE) != 0 &&
      (X509_get_key_usage(leaf.get()) & KU_DIGITAL_SIGNATURE) == 0) {
    return ChainInvalid("leaf certificate lacks digitalSignature");
  }
  return Status::Ok();
}

Status CheckPolicy(const AttestationDocument& doc, const AttestationPolicy& policy) {
  for (const auto& [index, want] : policy.expected_pcrs) {
    auto it = doc.pcrs.find(index);
    if (it == doc.pcrs.end() || it->second != want) {
      return Status::VerificationFailed("pcr_mismatch",
                                        "PCR" + std::to_string(index) + " is not the expected value");
    }
  }
  if (policy.expected_user_data && doc.user_data != *policy.expected_user_data) {
    return Status::VerificationFailed("user_data_mismatch", "user_data is not the expected value");
  }
  if (policy.expected_nonce && doc.nonce != *policy.expected_nonce) {
    return Status::VerificationFailed("nonce_mismatch", "nonce is not the expected value");
  }
  return Status::Ok();
}

}  // namespace

Result<VerifiedAttestation> VerifyAttestation(ByteView cose_bytes, const AttestationPolicy& policy) {
  // 1. Structure: COSE_Sign1/ES384 envelope and the AWS document checks.
  ASSIGN_OR_RETURN(cose::Sign1 sign1, cose::ParseSign1(cose_bytes));
  ASSIGN_OR_RETURN(AttestationDocument doc, internal::ParseAttestationPayload(sign1.payload));
  // 2. Root pin: cabundle[0] must be the pinned root, byte for byte; the
  //    bundle's copy is never trusted on its own.
  X509Ptr root = ParseDer(policy.root_der);
  if (!root) {
    return OpenSslError(Code::kInvalidArgument, "bad_root", "pinned root is not a DER certificate");
  }
  if (doc.cabundle.front() != policy.root_der) {
    return Status::VerificationFailed("untrusted_root", "cabundle[0] is not the pinned root");
  }
  // 3. The COSE signature with the leaf certificate's key (one ECDSA check,
  //    cheaper than the chain, and it covers every payload byte).
  auto leaf_key = P384PublicKey::FromCertificate(doc.certificate);
  if (!leaf_key.ok()) return ChainInvalid("leaf certificate has no P-384 key");
  RETURN_IF_ERROR(cose::VerifySign1(sign1, *leaf_key));
  // 4. The chain, at the policy's time or the document's own.
  const uint64_t at = policy.at_unix.value_or(doc.timestamp_ms / 1000);
  if (at > static_cast<uint64_t>(std::numeric_limits<time_t>::max())) {
    return Status::InvalidArgument("bad_time", "verification time out of range");
  }
  RETURN_IF_ERROR(VerifyChain(doc, root.get(), static_cast<time_t>(at)));
  // 5. What the relying party expects.
  RETURN_IF_ERROR(CheckPolicy(doc, policy));
  VerifiedAttestation out;
  out.public_key = doc.public_key;
  out.document = std::move(doc);
  return out;
}

}  // namespace ledger
