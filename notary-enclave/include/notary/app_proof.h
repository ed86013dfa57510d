// The batch app proof (schemas/formats/app-proof.md): a JSON payload that
// binds a signed checkpoint and the batch it closes to an attested notary
// instance, signed ECDSA P-256 / SHA-256 by the notary's ephemeral key.
//
//   {"scheme":"audit-ledger/app-proof/v1","origin":"<origin>","size":<n>,
//    "root":"<hex>","first_index":<n>,"count":<n>,"checkpoint_digest":"<hex>"}
//
// on one line, keys in exactly that order, no spaces, integers in decimal
// without leading zeros, hashes in lowercase hex. The notary formats it by
// hand (no JSON library in the trusted code); a verifier recomputes the
// payload from the checkpoint it holds and compares bytes, so it never needs
// to parse JSON either.
//
// Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace notary {

inline constexpr std::string_view kAppProofScheme = "audit-ledger/app-proof/v1";

struct AppProofFields {
  std::string origin;     // a checkpoint origin (ledger::ValidateOrigin)
  uint64_t size = 0;      // tree size after the batch
  ledger::Hash root;      // root at that size
  uint64_t first_index = 0;
  uint64_t count = 0;     // leaves in the batch
  ledger::Hash checkpoint_digest;  // SHA-256 of the signed checkpoint note bytes
};

// The payload bytes. InvalidArgument("invalid_origin") if the origin is not
// a valid checkpoint origin (so every payload is plain printable ASCII).
ledger::Result<std::string> AppProofPayload(const AppProofFields& fields);

// Recomputes the payload for a signed checkpoint note and the batch range,
// and checks `payload` equals it and `signature` (raw r || s) verifies with
// `public_key` (SEC1 uncompressed P-256). Errors: InvalidArgument for a bad
// note or key; VerificationFailed("app_proof_mismatch") when the payload is
// not the one expected; VerificationFailed("bad_signature").
ledger::Status VerifyAppProof(std::string_view checkpoint_note, uint64_t first_index,
                              uint64_t count, ledger::ByteView payload,
                              ledger::ByteView signature, ledger::ByteView public_key);

}  // namespace notary
