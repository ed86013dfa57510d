// The audit of the notary's own records in a store (ledger/record/ownership.h):
// every ENCLAVE_BOOTED and POLICY_CHANGED entry, and every entry about the
// notary's subjects, must carry the log key's stamp. The notary sequences no
// other (Sequencer::CheckEvent); a log written before that rule, or by a
// notary that did not keep it, may hold a look-alike that a submitter
// stamped, which readers must not take as boot or policy history.
//
// Thread-safety: as LogStore's const reads.
#pragma once

#include "ledger/base/status.h"
#include "ledger/store/log_store.h"

namespace ledger::store {

// O(number of such entries). VerificationFailed("forged_notary_record")
// naming the first entry found (through the kind and subject indexes, whose
// hits are checked against the verified leaves) without the log key's stamp.
Status AuditNotaryRecords(const LogStore& st);

}  // namespace ledger::store
