// RFC 3161 time-stamp tokens: the request the ledger sends a Time Stamping
// Authority for a SHA-256 digest, the TSA's answer, and offline verification
// of a token against CA certificates the verifier pins.
//
// OpenSSL's TS API does the ASN.1, CMS and X.509 work; this module adds
// what an auditor needs on top of it: one digest algorithm (SHA-256, the
// ledger's), stable error reasons for each way a token can be wrong, and
// chain validation AT the token's genTime (RFC 3161 §4.3: a token stays
// valid evidence after its TSA certificate expires), so that a bundle
// exported today still verifies in ten years.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace ledger::timestamp {

// A DER TimeStampReq (RFC 3161 §2.4.1): version 1, SHA-256 message imprint of
// `digest`, a random 64-bit nonce, certReq TRUE (the TSA embeds its
// certificate, so a verifier needs only the pinned root).
struct Request {
  Bytes der;
  Hash digest;
  uint64_t nonce = 0;
};
Result<Request> MakeRequest(const Hash& digest);

// The token (a DER CMS ContentInfo) out of a DER TimeStampResp, whose status
// must be granted or grantedWithMods (§2.4.2). Errors:
// InvalidArgument("timestamp_malformed"), FailedPrecondition
// ("timestamp_not_granted") with the TSA's status text.
Result<Bytes> TokenFromResponse(ByteView response_der);

// What a token says (TSTInfo, §2.4.2), read without verifying it.
struct TokenInfo {
  Hash digest;                  // messageImprint.hashedMessage (SHA-256 only)
  uint64_t gen_time_unix = 0;   // genTime, whole seconds (UTC)
  std::string gen_time;         // RFC 3339, e.g. "2026-11-21T21:10:23Z"
  std::string serial_hex;       // serialNumber, lowercase hex
  std::string policy;           // TSA policy OID, dotted
  std::optional<uint64_t> nonce;
  std::string tsa_name;         // the tsa field as a one-line DN, "" if absent
};
// InvalidArgument("timestamp_malformed") for anything but a CMS SignedData
// carrying a TSTInfo; InvalidArgument("timestamp_unsupported_digest") for an
// imprint other than SHA-256.
Result<TokenInfo> ReadToken(ByteView token_der);

// Verifies `token_der` as evidence that `digest` existed at its genTime:
//  - the imprint is `digest` (VerificationFailed "timestamp_imprint_mismatch");
//  - with `nonce`, the token answers that request ("timestamp_nonce_mismatch");
//  - the CMS signature, the ESS signing-certificate(-v2) binding and the
//    signer's chain to one of `ca_pem` (PEM certificates, the pinned roots)
//    with the critical timeStamping EKU, all checked as of genTime
//    ("timestamp_signature_invalid", OpenSSL's reason in the message).
// `untrusted_pem` may supply intermediates or the TSA certificate when the
// token does not embed it. No network access.
Result<TokenInfo> VerifyToken(ByteView token_der, const Hash& digest, std::string_view ca_pem,
                              std::optional<uint64_t> nonce = std::nullopt,
                              std::string_view untrusted_pem = {});

}  // namespace ledger::timestamp
