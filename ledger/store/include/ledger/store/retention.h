// Retention on a LogStore: the host side of the rules in ledger/retention/retention.h.
//
// The notary's sequencer enforces the rules (on a log with the state map:
// retention.md §5) at the recorded_at it assigns; the host checks a request
// first against the history replayed from the verified store, appends it as
// a SUCCESS entry, or, when it or the notary refuses it, appends a DENIED
// entry carrying the reason, so that the refusal is itself on record. A
// disposal erases only the payload body, once its RECORD_DISPOSED entry is
// durable and the rules hold at that entry's recorded_at (the notary's
// clock, not the host's): leaves, hashes and proofs are untouched.
// AuditRetention replays the whole log and flags any entry the history
// forbids, and any body stored at append that is gone without a disposal.
//
// Thread-safety: as LogStore; callers serialise SubmitRetentionEvent.
#pragma once

#include <functional>

#include "ledger/retention/retention.h"
#include "ledger/sequencer/types.h"
#include "ledger/store/log_store.h"

namespace ledger::store {

// Appends one event as one batch (stamped and sequenced by the caller's log).
using AppendEventFn = std::function<Result<SequencedBatch>(const Event&)>;

// The retention facts of the entry at `index` (verified read).
Result<RetentionRecord> LoadRecord(const LogStore& st, uint64_t index);

// Replays every RETENTION_SET, LEGAL_HOLD_* and RECORD_DISPOSED entry in
// order. Corruption if a stored entry breaks a rule.
Result<RetentionState> LoadRetentionState(const LogStore& st);

struct RetentionOutcome {
  uint64_t index = 0;  // of the appended entry
  Status refusal;      // OK: applied; otherwise the rule that refused it (logged as DENIED)
};

// `request` must be a RETENTION_SET, LEGAL_HOLD_PLACED/RELEASED or
// RECORD_DISPOSED event with outcome SUCCESS; InvalidArgument otherwise.
// `stamper` is the key `append` stamps with (a hold is released by another
// key than the one that placed it). `now_us` is the host's time for its own
// first check; the notary judges again at the recorded_at it assigns, and a
// refusal of a retention rule by the notary (IsRetentionRefusal) is
// appended as DENIED too. A disposal's body is erased only when the
// replayed history, the sequenced disposal at its leaf's recorded_at
// included, allows it, and (on a store with the map) the record's disposal
// key names the sequenced entry; otherwise Corruption("retention_violation")
// and the body stays.
Result<RetentionOutcome> SubmitRetentionEvent(LogStore& st, Event request, uint64_t now_us,
                                              const AppendEventFn& append,
                                              const Stamper& stamper = {});

// O(n). Corruption("retention_violation") naming the first entry that
// breaks the history (an early or held disposal, a shortened retain-until or
// class period, a hold released by the key that placed it, ...).
Status AuditRetention(const LogStore& st);

}  // namespace ledger::store
