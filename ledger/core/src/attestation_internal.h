// Shared between attestation.cc, attestation_verify.cc and dev_pki.cc.
#pragma once

#include <openssl/x509.h>

#include <memory>

#include "ledger/attestation.h"

namespace ledger::internal {

// The AttestationDocument map alone (the COSE payload), strictly checked.
Result<AttestationDocument> ParseAttestationPayload(ByteView payload);

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

// A DER certificate that must span all of `der`; nullptr otherwise.
inline X509Ptr ParseDer(ByteView der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert && p != der.data() + der.size()) cert.reset();
  return cert;
}

}  // namespace ledger::internal
