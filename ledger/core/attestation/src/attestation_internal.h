// Shared between attestation.cc, attestation_verify.cc and, in
// ledger::attestation_dev, dev_pki.cc and sign_attestation.cc.
#pragma once

#include <openssl/bio.h>
#include <openssl/x509.h>

#include <memory>

#include "ledger/attestation/attestation.h"

namespace ledger::internal {

// The AttestationDocument map alone (the COSE payload), strictly checked.
Result<AttestationDocument> ParseAttestationPayload(ByteView payload);

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free_all(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// A DER certificate that must span all of `der`; nullptr otherwise.
inline X509Ptr ParseDer(ByteView der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert && p != der.data() + der.size()) cert.reset();
  return cert;
}

}  // namespace ledger::internal
