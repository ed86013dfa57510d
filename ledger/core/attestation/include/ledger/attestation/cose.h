// COSE_Sign1 (RFC 9052 §4.2) with ES384 (RFC 9053 §2.1, alg -35): the
// envelope of AWS Nitro attestation documents.
//
// Parsing accepts the tagged (tag 18) and untagged forms. The signature is
// checked over the Sig_structure built from the protected header bstr and the
// payload bstr exactly as received (RFC 9052 §4.4), never over a re-encoding
// of the decoded values. The format we accept and produce is specified byte
// for byte in schemas/formats/attestation.md.
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>

#include "ledger/attestation/cbor.h"
#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/crypto/p384.h"

namespace ledger::cose {

inline constexpr int64_t kAlgEs384 = -35;   // RFC 9053 §2.1
inline constexpr uint64_t kTagSign1 = 18;   // RFC 9052 §2 (COSE_Sign1_Tagged)
inline constexpr int64_t kHeaderAlg = 1;    // RFC 9052 §3.1
inline constexpr int64_t kHeaderCrit = 2;

struct Sign1 {
  bool tagged = false;
  Bytes protected_header;  // content of the protected bstr (a CBOR map {1: -35})
  cbor::Item unprotected;  // the unprotected header map
  Bytes payload;           // content of the payload bstr
  Bytes signature;         // r || s, 96 bytes
  // RFC 9052 §4.4 Sig_structure ["Signature1", protected, h'', payload], built
  // from the received encodings of the protected and payload bstrs.
  Bytes to_be_signed;
};

// Parses a COSE_Sign1 with alg ES384 in its protected header. Errors:
// InvalidArgument "malformed_cbor" (not CBOR), "malformed_cose" (wrong
// structure: not a 4-array, detached or indefinite-length payload, signature
// not 96 bytes, alg also unprotected, critical headers), and
// "unsupported_cose_algorithm" (alg other than -35, or none).
Result<Sign1> ParseSign1(ByteView cose);

// The Sig_structure for Signature1 with empty external_aad (RFC 9052 §4.4).
// The arguments are the CONTENTS of the two bstrs; the bstr heads are the
// shortest ones, which is what ParseSign1 requires of its input.
Bytes SigStructure(ByteView protected_header, ByteView payload);

// OK, or VerificationFailed("bad_cose_signature").
Status VerifySign1(const Sign1& sign1, const P384PublicKey& key);

// An untagged (or tagged) COSE_Sign1: protected {1: -35}, unprotected {},
// the payload, and the ES384 signature by `key`.
Result<Bytes> SignSign1(ByteView payload, const P384PrivateKey& key, bool tagged = false);

}  // namespace ledger::cose
