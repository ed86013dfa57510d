// The JSON form of NotaryEvidence (ledger/trust/notary_evidence.h), the "notary"
// member of a receipt (receipt.md §4) and of a state answer (map.md §9):
//
//   {"pcr0": "<hex>",
//    "batch": {"checkpoint": "<note as the notary signed it>",
//              "first_index": 7, "count": 3,
//              "consistency_proof": ["<base64 hash>", ...]},
//    "app_proof": {"payload": "<app-proof.md payload>",
//                  "signature": "<base64 r||s>", "public_key": "<base64 SEC1>"},
//    "boot": {"index": 4, "leaf": "<base64 leaf>",
//             "inclusion_proof": ["<base64 hash>", ...],
//             "attestation": "<base64 COSE_Sign1>"}}
//
// Reading is strict: unknown or missing fields, wrong types, bad base64 and
// proofs longer than 64 hashes are InvalidArgument("malformed_notary_evidence").
//
// Thread-safety: free functions.
#pragma once

#include <nlohmann/json.hpp>

#include "ledger/base/status.h"
#include "ledger/trust/notary_evidence.h"

namespace ledger::codec {

nlohmann::json NotaryEvidenceToJson(const NotaryEvidence& e);
Result<NotaryEvidence> NotaryEvidenceFromJson(const nlohmann::json& j);

}  // namespace ledger::codec
