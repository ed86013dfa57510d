// The check of an app proof kept with a stored checkpoint (LogStore::Append,
// receipt.md §4), shared by the reads that serve or audit checkpoints.
#pragma once

#include <cstdint>

#include "ledger/base/status.h"
#include "ledger/note/note.h"
#include "ledger/v1/store.pb.h"

namespace ledger::store {

// OK when `rec` keeps no app proof, or when the note it keeps verifies under
// the log key, has the stored note's text, closes a non-empty batch at
// `rec.size()`, and the app proof verifies over it (notary::VerifyAppProof).
// Corruption("bad_checkpoint") otherwise: the record was altered, and is
// never served.
Status CheckStoredAppProof(const ledger::v1::StoredCheckpoint& rec, const note::Verifier& log_key);

}  // namespace ledger::store
