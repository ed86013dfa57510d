// The notary evidence a server attaches to a receipt or a state answer
// (ledger/trust/notary_evidence.h, receipt.md §4), gathered from the store.
//
// Thread-safety: as LogStore's reads.
#pragma once

#include <cstdint>

#include "ledger/base/status.h"
#include "ledger/store/log_store.h"
#include "ledger/trust/notary_evidence.h"

namespace ledger::store {

// The evidence for entry `index` in an answer as of `tree_size`: the app
// proof of its batch (LogStore::AppProofFor) with the consistency proof from
// the batch's size to tree_size, and the latest ENCLAVE_BOOTED entry at or
// before the batch that records the app proof's key, with its inclusion
// proof at tree_size and its attestation document. NotFound
// ("no_app_proof", "no_boot_entry", "no_attestation") when the store lacks
// a piece (a log written before app proofs were kept, a disposed body);
// the answer is then served without it and a verifier that pins a PCR0
// refuses it. InvalidArgument("index_out_of_range") unless
// index < tree_size <= size().
Result<NotaryEvidence> NotaryEvidenceFor(const LogStore& store, uint64_t index,
                                         uint64_t tree_size);

}  // namespace ledger::store
