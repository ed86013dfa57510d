// Who may write what (schemas/formats/policy.md §2, map.md §5): the records
// only the notary writes, the subjects a submitter's grant covers, and which
// entries are a compare-and-swap of their subject's state.
//
// The notary's own records are ENCLAVE_BOOTED and POLICY_CHANGED entries and
// every entry whose subject starts with "notary" (it writes "notary/<origin>"
// and "notary-policy/<origin>"). The sequencer admits them only when stamped
// by the log key, no grant may name them, and every reader of boot or policy
// history (explorer, export, verify-bundle, verify store) checks the stamp
// with StampedByLogKey: a look-alike stamped by a submitter is not evidence.
//
// Thread-safety: free functions.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "ledger/note/note.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"

namespace ledger {

inline constexpr std::string_view kNotarySubjectPrefix = "notary";

// ENCLAVE_BOOTED and POLICY_CHANGED.
bool IsNotaryKind(EventKind kind);
// Starts with "notary" ("notary/<origin>", "notary-policy/<origin>", ...).
bool IsNotarySubject(std::string_view subject);
// A notary kind or a notary subject: written only by the notary.
bool IsNotaryRecord(const Event& event);

// Whether a grant of these subject prefixes covers `subject`: some prefix
// starts it. A notary subject is never covered, whatever the prefixes.
bool SubjectGranted(std::span<const std::string> prefixes, std::string_view subject);

// Whether the entry is a compare-and-swap of its subject's state (map.md §5):
// every STATE_NOTARIZED entry, and every other entry that carries a new state
// hash, except the notary's own records (only the log key writes them, and
// the notary orders them itself: one boot entry per boot, policy versions
// that grow by one).
bool IsCompareAndSwap(const Event& event);

// Whether the leaf carries a valid stamp by the log key itself (its name is
// the origin): the test every reader applies before taking an entry as the
// notary's record.
bool StampedByLogKey(const Leaf& leaf, const note::Verifier& log_key);

}  // namespace ledger
