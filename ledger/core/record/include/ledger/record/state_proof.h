// A state answer and its offline verification (schemas/formats/map.md §9):
// "the latest entry naming subject S as of this checkpoint is this one" — or
// "no entry names S" — checked with nothing but the log's pinned key.
//
// The answer chains three proofs: the checkpoint's signature (C2SP signed
// note), the map proof against the root of its "map" line (map.md §4, §6),
// and, for a present subject, the inclusion proof of the latest entry at the
// index the map records (RFC 9162 §2.1.3). A host cannot serve an older
// entry as the latest (the map records the index), hide an entry behind an
// absence proof, or answer from an old database: a stale checkpoint is
// older than the one the client last saw (compare sizes, or ask witnesses).
//
// Thread-safety: value types and free functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/state_map.h"

namespace ledger::state_map {

struct StateProof {
  std::string subject;
  std::string checkpoint_note;  // signed; must carry "map <root>"
  Proof map_proof;              // for KeyOf(subject) against that root
  // Present subjects only: the latest entry (leaf bytes) and its inclusion
  // proof against the checkpoint's root at the index the map records.
  Bytes leaf;
  std::vector<Hash> inclusion_proof;
};

struct VerifiedState {
  Checkpoint checkpoint;
  std::vector<Cosignature> cosignatures;  // of the policy's witnesses
  std::optional<Value> value;  // nullopt: no entry names the subject
  std::optional<Leaf> leaf;    // the latest entry, when present
  std::optional<Event> event;  // its event
  // When the latest entry set the state (it carries the new state hash):
  // its kind, and the key name of its stamp ("" if unstamped). The notary
  // sequenced that stamp only under a key of that name whose grant covers
  // the subject (policy.md §2), so the name says who set the state.
  std::optional<EventKind> set_by_kind;
  std::optional<std::string> set_by_stamper;
};

// Verifies `p` with the pinned log key and the witness policy (the
// checkpoint must carry policy.quorum cosignatures of policy.keys). Errors:
// those of VerifyCheckpoint (witness_quorum_not_met among them);
// FailedPrecondition("map_root_missing") for a checkpoint without a map
// line; the map proof's (map_proof_mismatch, map_proof_off_path);
// VerificationFailed("state_entry_mismatch") when the leaf is missing for a
// present subject, given for an absent one, not at the recorded index, about
// another subject, or with a new state hash other than the recorded state;
// the inclusion proof's errors; InvalidArgument("malformed_stamp") for a
// leaf whose stamp does not decode.
Result<VerifiedState> VerifyStateProof(const StateProof& p, const note::Verifier& log_key,
                                       const WitnessPolicy& witnesses = {});

}  // namespace ledger::state_map
