// PEM <-> DER of one X.509 certificate, for pinned roots given as files
// (ledgerctl's --root arguments, the export verifier's pins).
//
// Thread-safety: free functions over values.
#pragma once

#include <string>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"

namespace ledger {

// CertificateFromPemOrDer accepts either form and returns the exact DER (a PEM
// body is not re-encoded). InvalidArgument("bad_certificate").
Result<Bytes> CertificateFromPemOrDer(ByteView data);
Result<std::string> CertificateToPem(ByteView der);

}  // namespace ledger
