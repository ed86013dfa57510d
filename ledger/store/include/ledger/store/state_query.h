// State answers assembled from a LogStore (schemas/formats/map.md §9): the
// query side of the state map that ledgerd and the explorer serve.
//
// What is returned has been verified by the store's checked reads, and is
// meant to be verified again by the client (state_map::VerifyStateProof)
// with nothing but the pinned log key.
//
// Thread-safety: as LogStore's reads.
#pragma once

#include <string_view>
#include <vector>

#include "ledger/record/state_proof.h"
#include "ledger/store/log_store.h"

namespace ledger::store {

// The latest entry naming `subject` as of the stored checkpoint of `size`
// (0: the latest), with its inclusion proof, the map proof and the signed
// checkpoint; for an unknown subject the map's absence proof.
// NotFound("no_checkpoint") when no checkpoint of that size is stored.
Result<state_map::StateProof> ProveState(const LogStore& store, std::string_view subject,
                                         uint64_t size = 0);

// Every entry naming `subject` in the log of `size` entries (0: the latest),
// ascending from `start_index`, at most `limit`, each with its inclusion
// proof against that size's root. A complete history has as many entries as
// the map's version for the subject (map.md §5): a client checks that count
// against the verified state answer to tell that none was hidden.
Result<std::vector<LeafWithProof>> StateHistory(const LogStore& store, std::string_view subject,
                                                uint64_t size = 0, uint64_t start_index = 0,
                                                size_t limit = 100);

}  // namespace ledger::store
