// Producing AWS Nitro Enclaves attestation documents, as the simulated NSM
// does: sim-only (ledger::attestation_dev), never linked by the Nitro notary.
// The format: schemas/formats/attestation.md.
//
// Thread-safety: free functions over values.
#pragma once

#include "ledger/attestation/attestation.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/crypto/p384.h"

namespace ledger {

// Produces a document the way the Nitro hypervisor does: the payload map
// (deterministically encoded, absent optional fields as null) signed as an
// untagged COSE_Sign1/ES384 by `leaf_key`. Refuses (InvalidArgument
// "malformed_attestation") a document ParseAttestation would reject, and
// ("key_certificate_mismatch") a key that is not document.certificate's.
Result<Bytes> SignAttestation(const AttestationDocument& document, const P384PrivateKey& leaf_key);

// Encodes the payload map alone (what SignAttestation signs).
Result<Bytes> EncodeAttestationPayload(const AttestationDocument& document);

}  // namespace ledger
