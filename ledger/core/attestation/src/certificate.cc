// PEM and DER forms of one certificate (the pinned roots ledgerctl and the
// export verifier read).
#include "ledger/attestation/certificate.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <cstring>
#include <string_view>

#include "attestation_internal.h"
#include "ledger/crypto/openssl_error.h"

namespace ledger {

using internal::BioPtr;
using internal::ParseDer;
using internal::X509Ptr;

Result<std::string> CertificateToPem(ByteView der) {
  X509Ptr cert = ParseDer(der);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!cert) {
    return OpenSslError(Code::kInvalidArgument, "bad_certificate", "not a DER certificate");
  }
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) return OpenSslError("PEM_write");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<Bytes> CertificateFromPemOrDer(ByteView data) {
  auto bad = [] {
    return OpenSslError(Code::kInvalidArgument, "bad_certificate", "not a PEM or DER certificate");
  };
  constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  const std::string_view text = AsString(data);
  Bytes der;
  if (text.find(kBegin) != std::string_view::npos) {
    // PEM_read_bio returns the exact DER inside the armour, not a re-encoding:
    // the pinned root is compared byte for byte.
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* body = nullptr;
    long len = 0;
    if (!bio || PEM_read_bio(bio.get(), &name, &header, &body, &len) != 1) return bad();
    const bool is_cert = std::strcmp(name, "CERTIFICATE") == 0;
    der.assign(body, body + len);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(body);
    if (!is_cert) return bad();
  } else {
    der.assign(data.begin(), data.end());
  }
  if (!ParseDer(der)) return bad();
  return der;
}

}  // namespace ledger
