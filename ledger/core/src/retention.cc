// RetentionState (retention.h); the rules are specified in
// schemas/formats/retention.md.
#include "ledger/retention.h"

#include <algorithm>

#include "ledger/checkpoint.h"

namespace ledger {
namespace {

constexpr uint64_t kMaxPeriodDays = 100 * kDaysPerYear;

Status Refused(std::string reason, std::string message) {
  return Status::FailedPrecondition(std::move(reason), std::move(message));
}

Result<uint64_t> U64Attribute(const Event& e, std::string_view key) {
  const std::string* v = FindAttribute(e, key);
  if (v == nullptr) {
    return Refused("bad_retention_attribute",
                   std::string(EventKindName(e.kind)) + " needs attribute " + std::string(key));
  }
  auto n = ParseDecimalU64(*v);
  if (!n.ok()) return Refused("bad_retention_attribute", std::string(key) + " is not a decimal");
  return *n;
}

const std::string* RequiredAttribute(const Event& e, std::string_view key, Status& error) {
  const std::string* v = FindAttribute(e, key);
  if (v == nullptr || v->empty()) {
    error = Refused("bad_retention_attribute",
                    std::string(EventKindName(e.kind)) + " needs attribute " + std::string(key));
  }
  return v;
}

}  // namespace

const std::string* FindAttribute(const Event& event, std::string_view key) {
  for (const auto& [k, v] : event.attributes) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::optional<uint64_t> RegulatoryMinimumDays(std::string_view c) {
  if (c == "SEC-17a-4-6y" || c == "FINRA-4511-6y") return 6 * kDaysPerYear;
  if (c == "SEC-17a-4-3y") return 3 * kDaysPerYear;
  if (c == "CFTC-1.31-5y" || c == "MiCA-5y") return 5 * kDaysPerYear;
  return std::nullopt;
}

std::optional<uint64_t> RetentionState::PeriodDays(std::string_view retention_class) const {
  auto it = classes_.find(retention_class);
  if (it != classes_.end()) return it->second.period_days;
  return RegulatoryMinimumDays(retention_class);
}

bool RetentionState::Locked(std::string_view retention_class) const {
  auto it = classes_.find(retention_class);
  return it != classes_.end() && it->second.locked;
}

std::map<std::string, std::string> RetentionState::Holds(std::string_view subject) const {
  auto it = holds_.find(subject);
  return it == holds_.end() ? std::map<std::string, std::string>{} : it->second;
}

std::optional<uint64_t> RetentionState::RetainUntil(const RetentionRecord& r) const {
  auto days = PeriodDays(r.retention_class);
  if (!days) return std::nullopt;
  uint64_t period = *days * kMicrosPerDay;
  uint64_t until = r.recorded_at_us > UINT64_MAX - period ? UINT64_MAX : r.recorded_at_us + period;
  auto ext = retain_until_.find(r.subject);
  if (ext != retain_until_.end()) until = std::max(until, ext->second);
  return until;
}

Status RetentionState::CheckDisposal(const RetentionRecord& r, uint64_t now_us) const {
  const std::string which = "record " + std::to_string(r.index) + " (" + r.subject + ")";
  if (!r.payload_digest) return Refused("no_payload", which + " has no payload body");
  if (disposed_.contains(r.index)) return Refused("already_disposed", which + " was disposed of");
  if (r.retention_class.empty()) {
    return Refused("no_retention_class", which + " has no retention class: kept for ever");
  }
  auto until = RetainUntil(r);
  if (!until) {
    return Refused("unknown_retention_class",
                   which + ": class " + r.retention_class + " is not configured");
  }
  if (now_us < *until) {
    return Refused("retention_not_expired", which + " must be kept until " +
                                                std::to_string(*until) + " µs (now " +
                                                std::to_string(now_us) + ")");
  }
  auto holds = Holds(r.subject);
  if (!holds.empty()) {
    return Refused("legal_hold_active", which + " is under legal hold " + holds.begin()->first);
  }
  return Status::Ok();
}

Status RetentionState::ApplyRetentionSet(const Event& e) {
  if (e.subject.starts_with(kRetentionClassSubjectPrefix)) {
    std::string name = e.subject.substr(kRetentionClassSubjectPrefix.size());
    ASSIGN_OR_RETURN(uint64_t days, U64Attribute(e, kAttrPeriodDays));
    const std::string* locked_attr = FindAttribute(e, kAttrLocked);
    if (locked_attr && *locked_attr != "true" && *locked_attr != "false") {
      return Refused("bad_retention_attribute", "locked is \"true\" or \"false\"");
    }
    bool lock = locked_attr && *locked_attr == "true";
    if (name.empty() || days == 0 || days > kMaxPeriodDays) {
      return Refused("bad_retention_attribute", "a class needs a name and 1.." +
                                                    std::to_string(kMaxPeriodDays) + " days");
    }
    if (auto min = RegulatoryMinimumDays(name); min && days < *min) {
      return Refused("below_regulatory_minimum", name + " must be kept at least " +
                                                     std::to_string(*min) + " days");
    }
    auto it = classes_.find(name);
    if (it != classes_.end() && it->second.locked) {
      if (!lock) return Refused("class_locked", name + " is locked: it cannot be unlocked");
      if (days < it->second.period_days) {
        return Refused("class_locked", name + " is locked: its period can only be extended");
      }
    }
    classes_[name] = {days, lock};
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(uint64_t until, U64Attribute(e, kAttrRetainUntilUs));
  auto it = retain_until_.find(e.subject);
  if (it != retain_until_.end() && until < it->second) {
    return Refused("retention_shortened",
                   e.subject + ": retain-until can be extended, never shortened");
  }
  retain_until_[e.subject] = until;
  return Status::Ok();
}

Status RetentionState::ApplyHold(const Event& e) {
  Status error;
  const std::string* id = RequiredAttribute(e, kAttrHoldId, error);
  const std::string* role = RequiredAttribute(e, kAttrRole, error);
  RETURN_IF_ERROR(error);
  auto& holds = holds_[e.subject];
  if (e.kind == EventKind::kLegalHoldPlaced) {
    if (holds.contains(*id)) return Refused("hold_exists", "hold " + *id + " is already active");
    holds[*id] = *role;
    return Status::Ok();
  }
  auto it = holds.find(*id);
  if (it == holds.end()) return Refused("no_such_hold", "no active hold " + *id + " on " + e.subject);
  if (it->second == *role) {
    return Refused("same_role_release", "hold " + *id + " was placed by role " + *role +
                                            "; another role must release it");
  }
  holds.erase(it);
  if (holds.empty()) holds_.erase(e.subject);
  return Status::Ok();
}

Status RetentionState::ApplyDisposal(uint64_t recorded_at_us, const Event& e,
                                     const RecordLookup& lookup) {
  ASSIGN_OR_RETURN(uint64_t index, U64Attribute(e, kAttrRecordIndex));
  std::optional<RetentionRecord> record = lookup ? lookup(index) : std::nullopt;
  if (!record) return Refused("unknown_record", "disposal of unknown record " + std::to_string(index));
  const std::string* digest = FindAttribute(e, kAttrDisposedDigest);
  if (record->subject != e.subject || !record->payload_digest || digest == nullptr ||
      *digest != record->payload_digest->Hex()) {
    return Refused("disposal_mismatch", "the disposal does not name record " +
                                            std::to_string(index) + "'s subject and payload");
  }
  Status s = CheckDisposal(*record, recorded_at_us);
  disposed_.insert(index);
  return s;
}

Status RetentionState::Apply(uint64_t, uint64_t recorded_at_us, const Event& e,
                             const RecordLookup& lookup) {
  // Refusals (DENIED) and failures (ERROR) are on record but change nothing.
  if (e.outcome != Outcome::kSuccess) return Status::Ok();
  // An entry of these kinds without its rule's key attribute is informational
  // (a source system reporting its own retention decision): no rule.
  const char* key = nullptr;
  switch (e.kind) {
    case EventKind::kRetentionSet:
      key = e.subject.starts_with(kRetentionClassSubjectPrefix) ? kAttrPeriodDays
                                                                : kAttrRetainUntilUs;
      break;
    case EventKind::kLegalHoldPlaced:
    case EventKind::kLegalHoldReleased: key = kAttrHoldId; break;
    case EventKind::kRecordDisposed: key = kAttrRecordIndex; break;
    default: return Status::Ok();
  }
  if (FindAttribute(e, key) == nullptr) return Status::Ok();
  switch (e.kind) {
    case EventKind::kRetentionSet: return ApplyRetentionSet(e);
    case EventKind::kLegalHoldPlaced:
    case EventKind::kLegalHoldReleased: return ApplyHold(e);
    case EventKind::kRecordDisposed: return ApplyDisposal(recorded_at_us, e, lookup);
    default: return Status::Ok();
  }
}

}  // namespace ledger
