// Notary records, subject grants and compare-and-swap entries (ownership.h).
#include "ledger/record/ownership.h"

#include "ledger/record/stamp.h"

namespace ledger {

bool IsNotaryKind(EventKind kind) {
  return kind == EventKind::kEnclaveBooted || kind == EventKind::kPolicyChanged;
}

bool IsNotarySubject(std::string_view subject) { return subject.starts_with(kNotarySubjectPrefix); }

bool IsNotaryRecord(const Event& event) {
  return IsNotaryKind(event.kind) || IsNotarySubject(event.subject);
}

bool SubjectGranted(std::span<const std::string> prefixes, std::string_view subject) {
  if (IsNotarySubject(subject)) return false;
  for (const std::string& p : prefixes) {
    if (subject.starts_with(p)) return true;
  }
  return false;
}

bool IsCompareAndSwap(const Event& event) {
  if (event.kind == EventKind::kStateNotarized) return true;
  return event.new_state_hash.has_value() && !IsNotaryRecord(event);
}

bool StampedByLogKey(const Leaf& leaf, const note::Verifier& log_key) {
  const note::Verifier* known[] = {&log_key};
  return VerifyStamp(log_key.name(), leaf.event, leaf.stamp, known).ok();
}

}  // namespace ledger
