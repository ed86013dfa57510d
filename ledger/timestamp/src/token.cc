#include "ledger/timestamp/token.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <limits>
#include <memory>

#include "ledger/crypto/openssl_error.h"

namespace ledger::timestamp {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using TsReqPtr = std::unique_ptr<TS_REQ, Deleter<TS_REQ_free>>;
using TsRespPtr = std::unique_ptr<TS_RESP, Deleter<TS_RESP_free>>;
using TstInfoPtr = std::unique_ptr<TS_TST_INFO, Deleter<TS_TST_INFO_free>>;
using MsgImprintPtr = std::unique_ptr<TS_MSG_IMPRINT, Deleter<TS_MSG_IMPRINT_free>>;
using AlgorPtr = std::unique_ptr<X509_ALGOR, Deleter<X509_ALGOR_free>>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Pkcs7Ptr = std::unique_ptr<PKCS7, Deleter<PKCS7_free>>;
using VerifyCtxPtr = std::unique_ptr<TS_VERIFY_CTX, Deleter<TS_VERIFY_CTX_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

// Takes OpenSSL's error queue into the message (OpenSslError): a later call
// must not report this call's errors.
Status Malformed(std::string_view message) {
  return OpenSslError(Code::kInvalidArgument, "timestamp_malformed", message);
}

Result<X509StackPtr> ReadPemCertificates(std::string_view pem) {
  X509StackPtr certs(sk_X509_new_null());
  if (!certs) return OpenSslError(Code::kInternal, "out_of_memory", "sk_X509_new_null");
  if (pem.empty()) return certs;
  if (pem.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument("bad_certificate", "PEM too large");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError(Code::kInternal, "out_of_memory", "BIO_new_mem_buf");
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (!sk_X509_push(certs.get(), cert)) {
      X509_free(cert);
      return OpenSslError(Code::kInternal, "out_of_memory", "sk_X509_push");
    }
  }
  // The loop ends on "no start line" at the end of the input; anything else
  // is a damaged certificate.
  unsigned long last = ERR_peek_last_error();
  if (last != 0 && ERR_GET_REASON(last) != PEM_R_NO_START_LINE) {
    return OpenSslError(Code::kInvalidArgument, "bad_certificate", "unreadable PEM certificate");
  }
  ERR_clear_error();
  return certs;
}

std::string TimeToRfc3339(uint64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<TokenInfo> InfoOf(TS_TST_INFO* tst) {
  TokenInfo info;
  if (TS_TST_INFO_get_version(tst) != 1) return Malformed("TSTInfo version is not 1");

  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst);
  if (!imprint) return Malformed("no message imprint");
  const ASN1_OBJECT* alg_obj = nullptr;
  X509_ALGOR_get0(&alg_obj, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  if (!alg_obj || OBJ_obj2nid(alg_obj) != NID_sha256) {
    return Status::InvalidArgument("timestamp_unsupported_digest",
                                   "the message imprint is not SHA-256");
  }
  ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(imprint);
  if (!msg || ASN1_STRING_length(msg) != static_cast<int>(Hash::kSize)) {
    return Malformed("SHA-256 imprint of the wrong length");
  }
  auto digest = Hash::FromBytes(ByteView(ASN1_STRING_get0_data(msg), Hash::kSize));
  if (!digest.ok()) return digest.status();
  info.digest = *digest;

  const ASN1_GENERALIZEDTIME* gen = TS_TST_INFO_get_time(tst);
  std::tm tm{};
  if (!gen || ASN1_TIME_to_tm(reinterpret_cast<const ASN1_TIME*>(gen), &tm) != 1) {
    return Malformed("unreadable genTime");
  }
  std::time_t t = timegm(&tm);
  if (t < 0) return Malformed("genTime before 1970");
  info.gen_time_unix = static_cast<uint64_t>(t);
  info.gen_time = TimeToRfc3339(info.gen_time_unix);

  const ASN1_INTEGER* serial = TS_TST_INFO_get_serial(tst);
  if (!serial) return Malformed("no serial number");
  BnPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return Malformed("unreadable serial number");
  char* hex = BN_bn2hex(bn.get());
  if (!hex) return OpenSslError(Code::kInternal, "out_of_memory", "BN_bn2hex");
  info.serial_hex = hex;
  OPENSSL_free(hex);
  for (char& c : info.serial_hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

  ASN1_OBJECT* policy = TS_TST_INFO_get_policy_id(tst);
  if (!policy) return Malformed("no policy");
  char oid[128];
  int n = OBJ_obj2txt(oid, sizeof oid, policy, 1);
  if (n <= 0 || n >= static_cast<int>(sizeof oid)) return Malformed("unreadable policy OID");
  info.policy = oid;

  if (const ASN1_INTEGER* nonce = TS_TST_INFO_get_nonce(tst)) {
    uint64_t v = 0;
    if (ASN1_INTEGER_get_uint64(&v, nonce) != 1) return Malformed("nonce out of range");
    info.nonce = v;
  }
  if (GENERAL_NAME* tsa = TS_TST_INFO_get_tsa(tst); tsa && tsa->type == GEN_DIRNAME) {
    char name[512];
    if (X509_NAME_oneline(tsa->d.directoryName, name, sizeof name)) info.tsa_name = name;
  }
  ERR_clear_error();
  return info;
}

Result<Pkcs7Ptr> ParseToken(ByteView der) {
  if (der.empty() || der.size() > static_cast<size_t>(std::numeric_limits<long>::max())) {
    return Malformed("empty token");
  }
  const unsigned char* p = der.data();
  Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!p7) return Malformed("not a DER CMS ContentInfo");
  if (p != der.data() + der.size()) return Malformed("trailing bytes after the token");
  return p7;
}

}  // namespace

Result<Request> MakeRequest(const Hash& digest) {
  Request out;
  out.digest = digest;
  // A nonce in 1..2^63-1: positive, so it has one DER form, and never 0.
  do {
    uint8_t raw[8];
    if (RAND_bytes(raw, sizeof raw) != 1) {
      return OpenSslError(Code::kInternal, "rng_failed", "RAND_bytes failed");
    }
    out.nonce = LoadU64BE(raw) >> 1;
  } while (out.nonce == 0);

  TsReqPtr req(TS_REQ_new());
  MsgImprintPtr imprint(TS_MSG_IMPRINT_new());
  AlgorPtr alg(X509_ALGOR_new());
  IntegerPtr nonce(ASN1_INTEGER_new());
  if (!req || !imprint || !alg || !nonce) {
    return OpenSslError(Code::kInternal, "out_of_memory", "TS_REQ");
  }
  bool ok = TS_REQ_set_version(req.get(), 1) == 1 &&
            X509_ALGOR_set0(alg.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) == 1 &&
            TS_MSG_IMPRINT_set_algo(imprint.get(), alg.get()) == 1 &&
            TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<unsigned char*>(digest.bytes.data()),
                                   static_cast<int>(Hash::kSize)) == 1 &&
            TS_REQ_set_msg_imprint(req.get(), imprint.get()) == 1 &&
            ASN1_INTEGER_set_uint64(nonce.get(), out.nonce) == 1 &&
            TS_REQ_set_nonce(req.get(), nonce.get()) == 1 && TS_REQ_set_cert_req(req.get(), 1) == 1;
  if (!ok) {
    return OpenSslError(Code::kInternal, "timestamp_request_failed", "cannot build the request");
  }
  int len = i2d_TS_REQ(req.get(), nullptr);
  if (len <= 0) {
    return OpenSslError(Code::kInternal, "timestamp_request_failed", "cannot encode the request");
  }
  out.der.resize(static_cast<size_t>(len));
  unsigned char* p = out.der.data();
  if (i2d_TS_REQ(req.get(), &p) != len) {
    return OpenSslError(Code::kInternal, "timestamp_request_failed", "cannot encode the request");
  }
  return out;
}

Result<Bytes> TokenFromResponse(ByteView response_der) {
  if (response_der.empty() ||
      response_der.size() > static_cast<size_t>(std::numeric_limits<long>::max())) {
    return Malformed("empty time-stamp response");
  }
  const unsigned char* p = response_der.data();
  TsRespPtr resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(response_der.size())));
  if (!resp) return Malformed("not a DER TimeStampResp");
  if (p != response_der.data() + response_der.size()) {
    return Malformed("trailing bytes after the time-stamp response");
  }
  TS_STATUS_INFO* status = TS_RESP_get_status_info(resp.get());
  const ASN1_INTEGER* code = status ? TS_STATUS_INFO_get0_status(status) : nullptr;
  long value = code ? ASN1_INTEGER_get(code) : -1;
  if (value != 0 && value != 1) {  // granted, grantedWithMods (RFC 3161 §2.4.2)
    std::string text;
    if (const STACK_OF(ASN1_UTF8STRING)* texts = status ? TS_STATUS_INFO_get0_text(status) : nullptr) {
      for (int i = 0; i < sk_ASN1_UTF8STRING_num(texts); ++i) {
        const ASN1_UTF8STRING* s = sk_ASN1_UTF8STRING_value(texts, i);
        if (!text.empty()) text += "; ";
        text.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                    static_cast<size_t>(ASN1_STRING_length(s)));
      }
    }
    ERR_clear_error();
    return Status::FailedPrecondition(
        "timestamp_not_granted",
        "the TSA answered status " + std::to_string(value) + (text.empty() ? "" : ": " + text));
  }
  PKCS7* token = TS_RESP_get_token(resp.get());
  if (!token) return Malformed("granted response without a token");
  int len = i2d_PKCS7(token, nullptr);
  if (len <= 0) return Malformed("unencodable token");
  Bytes der(static_cast<size_t>(len));
  unsigned char* out = der.data();
  if (i2d_PKCS7(token, &out) != len) return Malformed("unencodable token");
  // The token must parse as a TSTInfo on its own: a response that is only
  // well-formed on the outside is refused here, not at verification time.
  auto info = ReadToken(der);
  if (!info.ok()) return info.status();
  return der;
}

Result<TokenInfo> ReadToken(ByteView token_der) {
  auto p7 = ParseToken(token_der);
  if (!p7.ok()) return p7.status();
  // PKCS7_to_TS_TST_INFO checks the content is SignedData with
  // eContentType id-ct-TSTInfo before decoding it.
  TstInfoPtr tst(PKCS7_to_TS_TST_INFO(p7->get()));
  if (!tst) return Malformed("not a time-stamp token");
  return InfoOf(tst.get());
}

Result<TokenInfo> VerifyToken(ByteView token_der, const Hash& digest, std::string_view ca_pem,
                              std::optional<uint64_t> nonce, std::string_view untrusted_pem) {
  auto p7 = ParseToken(token_der);
  if (!p7.ok()) return p7.status();
  TstInfoPtr tst(PKCS7_to_TS_TST_INFO(p7->get()));
  if (!tst) return Malformed("not a time-stamp token");
  auto info = InfoOf(tst.get());
  if (!info.ok()) return info.status();
  // Our own checks first, for reasons an auditor can act on; OpenSSL then
  // checks all of it again together with the signature and the chain.
  if (info->digest != digest) {
    return Status::VerificationFailed("timestamp_imprint_mismatch",
                                      "the token time-stamps " + info->digest.Hex() +
                                          ", not " + digest.Hex());
  }
  if (nonce && info->nonce != nonce) {
    return Status::VerificationFailed("timestamp_nonce_mismatch",
                                      "the token does not answer this request's nonce");
  }

  auto roots = ReadPemCertificates(ca_pem);
  if (!roots.ok()) return roots.status();
  if (sk_X509_num(roots->get()) == 0) {
    return Status::InvalidArgument("no_trusted_roots", "no pinned TSA root certificate");
  }
  auto untrusted = ReadPemCertificates(untrusted_pem);
  if (!untrusted.ok()) return untrusted.status();

  StorePtr store(X509_STORE_new());
  if (!store) return OpenSslError(Code::kInternal, "out_of_memory", "X509_STORE_new");
  for (int i = 0; i < sk_X509_num(roots->get()); ++i) {
    if (X509_STORE_add_cert(store.get(), sk_X509_value(roots->get(), i)) != 1) {
      return OpenSslError(Code::kInvalidArgument, "bad_certificate", "cannot pin a TSA root");
    }
  }
  // The chain as of genTime: the TSA vouched for the time when it signed.
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()),
                             static_cast<time_t>(info->gen_time_unix));

  VerifyCtxPtr ctx(TS_VERIFY_CTX_new());
  if (!ctx) return OpenSslError(Code::kInternal, "out_of_memory", "TS_VERIFY_CTX_new");
  // The nonce was compared above: OpenSSL 3.0 has no setter for it outside
  // TS_REQ_to_TS_VERIFY_CTX, and the request is not kept.
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_IMPRINT);
  auto* imprint = static_cast<unsigned char*>(OPENSSL_memdup(digest.bytes.data(), Hash::kSize));
  if (!imprint) return OpenSslError(Code::kInternal, "out_of_memory", "OPENSSL_memdup");
  TS_VERIFY_CTX_set_imprint(ctx.get(), imprint, static_cast<long>(Hash::kSize));  // takes it
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());                          // takes it
  TS_VERIFY_CTX_set_certs(ctx.get(), untrusted->release());                     // takes it
  if (TS_RESP_verify_token(ctx.get(), p7->get()) != 1) {
    return OpenSslError(Code::kVerificationFailed, "timestamp_signature_invalid",
                        "the token does not verify");
  }
  ERR_clear_error();
  return info;
}

}  // namespace ledger::timestamp
