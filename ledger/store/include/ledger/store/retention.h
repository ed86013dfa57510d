// Retention on a LogStore: the host side of the rules in ledger/retention.h.
//
// The host enforces the schedule: a retention request (class configuration,
// retain-until extension, legal hold, disposal) is checked against the
// history replayed from the verified store, then appended as a SUCCESS entry,
// or, when refused, appended as a DENIED entry carrying the reason, so that
// the refusal is itself on record. A disposal erases only the payload body,
// after its RECORD_DISPOSED entry is durable: leaves, hashes and proofs are
// untouched. AuditRetention replays the whole log and flags any disposal the
// history forbids.
//
// Why the host and not the notary: the rules need a record's history, and the
// notary keeps no store (only the tree's frontier). The host is untrusted, so
// the rules are also checked by everyone who reads the log (AuditRetention,
// `verify-bundle`), from the log's own entries.
//
// Thread-safety: as LogStore; callers serialise SubmitRetentionEvent.
#pragma once

#include <functional>

#include "ledger/retention.h"
#include "ledger/sequencer.h"
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
// `now_us` is the time the rules are checked at (a disposal's leaf carries
// the notary's recorded_at, which audits use).
Result<RetentionOutcome> SubmitRetentionEvent(LogStore& st, Event request, uint64_t now_us,
                                              const AppendEventFn& append);

// O(n). Corruption("retention_violation") naming the first entry that
// breaks the history (an early or held disposal, a shortened retain-until, a
// hold released by the role that placed it, ...). A body missing without a
// disposal is not flagged: the log cannot tell it from a body that was never
// uploaded (a digest may be logged without its body); WORM storage of the
// bodies (README "Scale") is the control for that.
Status AuditRetention(const LogStore& st);

}  // namespace ledger::store
