// AWS Nitro Enclaves attestation documents: parse and verify.
//
// A document is a COSE_Sign1/ES384 (ledger/attestation/cose.h) whose payload is a CBOR
// map (aws-nitro-enclaves-nsm-api docs/attestation_process.md §2-§3):
// module_id, digest "SHA384", timestamp (ms), pcrs, certificate (the leaf),
// cabundle [root, intermediates...], and optional public_key, user_data and
// nonce. VerifyAttestation checks the COSE signature with the leaf key, the
// chain leaf -> cabundle[N-1] -> ... -> cabundle[0] == the PINNED root at one
// point in time, and the policy's PCRs, user_data and nonce. The exact format
// and the order of the checks: schemas/formats/attestation.md.
//
// Producing documents (SignAttestation, the development PKI) is the sim-only
// ledger::attestation_dev (ledger/attestation_dev/sign_attestation.h).
//
// Thread-safety: free functions over values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/crypto/p384.h"

namespace ledger {

struct AttestationDocument {
  std::string module_id;
  std::string digest;  // always "SHA384"
  uint64_t timestamp_ms = 0;
  std::map<uint32_t, Bytes> pcrs;  // index 0..31 -> 32, 48 or 64 bytes
  Bytes certificate;               // leaf certificate, DER
  std::vector<Bytes> cabundle;     // [root, intermediate_1, ..., intermediate_n], DER
  // Optional fields: empty = absent or null. (A zero-length user_data or nonce
  // is therefore indistinguishable from an absent one, as in the AWS SDKs.)
  Bytes public_key, user_data, nonce;
};

// Limits from the AWS semantic checks (nsm-api attestation_process.md §3.2).
inline constexpr size_t kMaxPcrs = 32;
inline constexpr size_t kMaxCertSize = 1024;
inline constexpr size_t kMaxPublicKeySize = 1024;
inline constexpr size_t kMaxUserDataSize = 512;  // user_data and nonce

// Parses and checks the structure only: no signature or chain checks.
// InvalidArgument "malformed_cbor" / "malformed_cose" /
// "unsupported_cose_algorithm" for the envelope, "malformed_attestation" for
// a payload that breaks the AWS CDDL or semantic checks (missing, unknown or
// mistyped fields, sizes out of range, digest other than SHA384, ...).
Result<AttestationDocument> ParseAttestation(ByteView cose);

struct AttestationPolicy {
  Bytes root_der;  // the pinned root certificate, DER (e.g. AWS Nitro Enclaves Root-G1)
  // Unix seconds at which every certificate must be valid.
  // Default: the document's own timestamp (floor(timestamp_ms / 1000)).
  std::optional<uint64_t> at_unix;
  std::map<uint32_t, Bytes> expected_pcrs;  // each must be present and equal
  std::optional<Bytes> expected_user_data;  // Default: not checked
  std::optional<Bytes> expected_nonce;      // Default: not checked
};

struct VerifiedAttestation {
  AttestationDocument document;
  Bytes public_key;  // document.public_key (empty if absent)
};

// Verifies a document; OK only if every check passes. Failure reasons
// (stable): the parse reasons above; VerificationFailed "untrusted_root"
// (cabundle[0] is not the pinned root), "bad_cose_signature",
// "certificate_expired", "certificate_not_yet_valid", "chain_invalid" (any
// other path failure: signature, names, CA constraints, key usage, algorithm
// other than ecdsa-with-SHA384 on P-384, bundle order), "pcr_mismatch",
// "user_data_mismatch", "nonce_mismatch"; InvalidArgument "bad_root" if
// policy.root_der is not a certificate.
Result<VerifiedAttestation> VerifyAttestation(ByteView cose, const AttestationPolicy& policy);

}  // namespace ledger
