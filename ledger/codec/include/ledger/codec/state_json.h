// The JSON form of a state answer (schemas/formats/map.md §9), as
// `GET /v1/state/{subject}` serves it and `ledgerctl verify-state` reads it:
//
//   {"subject": "svc/db",
//    "checkpoint": "<signed checkpoint note, with its map line>",
//    "map_proof": "<base64 of the proof encoding, map.md §4>",
//    "entry": {"index": 3, "leaf": "<base64 leaf bytes>",
//              "inclusion_proof": ["<base64 hash>", ...]}}     ; null when absent
//
// Reading is strict (unknown fields, duplicate keys, wrong types refused:
// InvalidArgument("malformed_state_answer")) except for two optional fields:
// "state", the server's summary (VerifiedStateToJson), which readers ignore —
// what an answer claims is only what verification derives (state_proof.h) —
// and "notary", the evidence naming the measured code behind the answer
// (notary_evidence_json.h), which a verifier that pins a PCR0 reads itself.
//
// Thread-safety: free functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "ledger/base/status.h"
#include "ledger/record/state_proof.h"

namespace ledger::codec {

inline constexpr size_t kMaxStateAnswerSize = 1024 * 1024;

nlohmann::json StateProofToJson(const state_map::StateProof& p);
Result<state_map::StateProof> StateProofFromJson(std::string_view text);

// What a verified answer says, for people and scripts:
//   {"present": true, "index": 3, "version": 2, "state_hash": "<hex>" | null,
//    "tree_size": 4, "map_root": "<hex>", "event": {...event JSON...}}
nlohmann::json VerifiedStateToJson(const state_map::VerifiedState& v);

}  // namespace ledger::codec
