// A development PKI shaped like AWS Nitro's: root -> intermediate -> leaf, all
// ECDSA P-384 with ecdsa-with-SHA384, CA basicConstraints and keyCertSign on
// the CAs, digitalSignature on the leaf. The simulated NSM signs attestation
// documents with the leaf key; verifiers pin the dev root instead of AWS's.
// NOT a production trust anchor: the keys exist outside any enclave.
//
// Sim only (ledger::attestation_dev), and no I/O: the PKI converts to and
// from PEM text here, and ledger/cli writes and reads the files
// (`ledgerctl dev-pki --out DIR`).
//
// Thread-safety: free functions over values.
#pragma once

#include <cstdint>
#include <string>

#include "ledger/attestation/certificate.h"
#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/crypto/p384.h"

namespace ledger {

struct DevPki {
  Bytes root_der;
  Bytes intermediate_der;
  Bytes leaf_der;
  P384PrivateKey leaf_key;  // the key of leaf_der
};

struct DevPkiOptions {
  std::string name = "ledger-dev";  // common-name prefix. Default: "ledger-dev"
  // Unix seconds of every certificate's notBefore. Default: 0 = an hour ago.
  uint64_t not_before_unix = 0;
  uint64_t validity_days = 3650;  // Default: 10 years for all three certificates
};

// A fresh PKI with fresh keys (the CA keys are discarded after signing).
Result<DevPki> CreateDevPki(const DevPkiOptions& options = {});

// File names in a PKI folder, and their PEM contents.
inline constexpr char kDevPkiRootFile[] = "root.pem";
inline constexpr char kDevPkiIntermediateFile[] = "intermediate.pem";
inline constexpr char kDevPkiLeafFile[] = "leaf.pem";
inline constexpr char kDevPkiLeafKeyFile[] = "leaf.key.pem";

struct DevPkiPem {
  std::string root, intermediate, leaf, leaf_key;  // the key is PKCS#8 PEM
};
Result<DevPkiPem> DevPkiToPem(const DevPki& pki);
// InvalidArgument("bad_dev_pki") unless three P-384 certificates chaining
// root -> intermediate -> leaf and the leaf's private key.
Result<DevPki> DevPkiFromPem(const DevPkiPem& pem);

}  // namespace ledger
