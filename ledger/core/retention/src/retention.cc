// The retention rules (retention.h); specified in schemas/formats/retention.md.
#include "ledger/retention/retention.h"

#include <algorithm>
#include <cstdio>

#include "ledger/note/checkpoint.h"
#include "ledger/record/stamp.h"

namespace ledger {
namespace {

constexpr uint8_t kSubjectRecordTag = 0x01;
constexpr uint8_t kClassRecordTag = 0x02;

Status Refused(std::string reason, std::string message) {
  return Status::FailedPrecondition(std::move(reason), std::move(message));
}

Status BadAttribute(const Event& e, std::string_view key) {
  return Refused("bad_retention_attribute",
                 std::string(EventKindName(e.kind)) + " needs attribute " + std::string(key));
}

Result<uint64_t> U64Attribute(const Event& e, std::string_view key) {
  const std::string* v = FindAttribute(e, key);
  if (v == nullptr) return BadAttribute(e, key);
  auto n = ParseDecimalU64(*v);
  if (!n.ok()) return Refused("bad_retention_attribute", std::string(key) + " is not a decimal");
  return *n;
}

Result<std::string> RequiredAttribute(const Event& e, std::string_view key) {
  const std::string* v = FindAttribute(e, key);
  if (v == nullptr || v->empty()) return BadAttribute(e, key);
  return *v;
}

Status Malformed(std::string message) {
  return Status::InvalidArgument("malformed_retention_record", std::move(message));
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

std::string Stamper::Describe() const {
  if (empty()) return "(unstamped)";
  char id[9];
  std::snprintf(id, sizeof id, "%08x", key_id);
  return name + "+" + id;
}

Stamper StamperOf(ByteView stamp) {
  if (stamp.empty()) return {};
  auto decoded = DecodeStamp(stamp);
  if (!decoded.ok()) return {};
  return Stamper{decoded->key_name, decoded->key_id};
}

// --- records -----------------------------------------------------------------

Bytes SubjectRetention::Encode() const {
  Bytes out;
  AppendU8(out, kSubjectRecordTag);
  AppendU64BE(out, retain_until_us);
  AppendU16BE(out, static_cast<uint16_t>(holds.size()));
  for (const auto& [id, by] : holds) {  // std::map: byte order of the ids
    AppendU16BE(out, static_cast<uint16_t>(id.size()));
    Append(out, id);
    AppendU16BE(out, static_cast<uint16_t>(by.name.size()));
    Append(out, by.name);
    AppendU32BE(out, by.key_id);
  }
  return out;
}

Result<SubjectRetention> SubjectRetention::Decode(ByteView bytes) {
  ByteReader r(bytes, "malformed_retention_record");
  ASSIGN_OR_RETURN(uint8_t tag, r.U8());
  if (tag != kSubjectRecordTag) return Malformed("not a subject retention record");
  SubjectRetention s;
  ASSIGN_OR_RETURN(s.retain_until_us, r.U64BE());
  ASSIGN_OR_RETURN(uint16_t n, r.U16BE());
  std::string last;
  for (uint16_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(uint16_t id_len, r.U16BE());
    ASSIGN_OR_RETURN(ByteView id, r.Take(id_len));
    ASSIGN_OR_RETURN(uint16_t name_len, r.U16BE());
    ASSIGN_OR_RETURN(ByteView name, r.Take(name_len));
    ASSIGN_OR_RETURN(uint32_t key_id, r.U32BE());
    std::string hold_id(AsString(id));
    // One encoding per record: ids non-empty, distinct and in order.
    if (hold_id.empty() || (i > 0 && hold_id <= last)) {
      return Malformed("hold ids out of order");
    }
    if (name_len == 0 && key_id != 0) return Malformed("unstamped hold with a key ID");
    s.holds.emplace(hold_id, Stamper{std::string(AsString(name)), key_id});
    last = std::move(hold_id);
  }
  RETURN_IF_ERROR(r.ExpectEnd());
  return s;
}

Bytes ClassRetention::Encode() const {
  Bytes out;
  AppendU8(out, kClassRecordTag);
  AppendU64BE(out, period_days);
  AppendU8(out, locked ? 1 : 0);
  return out;
}

Result<ClassRetention> ClassRetention::Decode(ByteView bytes) {
  ByteReader r(bytes, "malformed_retention_record");
  ASSIGN_OR_RETURN(uint8_t tag, r.U8());
  if (tag != kClassRecordTag) return Malformed("not a class retention record");
  ClassRetention c;
  ASSIGN_OR_RETURN(c.period_days, r.U64BE());
  ASSIGN_OR_RETURN(uint8_t locked, r.U8());
  if (locked > 1) return Malformed("locked is 0 or 1");
  c.locked = locked == 1;
  RETURN_IF_ERROR(r.ExpectEnd());
  return c;
}

// --- which rule ----------------------------------------------------------------

RetentionRule RuleOf(const Event& e) {
  if (e.outcome != Outcome::kSuccess) return RetentionRule::kNone;
  switch (e.kind) {
    case EventKind::kRetentionSet:
      if (e.subject.starts_with(kRetentionClassSubjectPrefix)) {
        return FindAttribute(e, kAttrPeriodDays) ? RetentionRule::kConfigureClass
                                                 : RetentionRule::kNone;
      }
      return FindAttribute(e, kAttrRetainUntilUs) ? RetentionRule::kExtend : RetentionRule::kNone;
    case EventKind::kLegalHoldPlaced:
      return FindAttribute(e, kAttrHoldId) ? RetentionRule::kPlaceHold : RetentionRule::kNone;
    case EventKind::kLegalHoldReleased:
      return FindAttribute(e, kAttrHoldId) ? RetentionRule::kReleaseHold : RetentionRule::kNone;
    case EventKind::kRecordDisposed:
      return FindAttribute(e, kAttrRecordIndex) ? RetentionRule::kDispose : RetentionRule::kNone;
    default:
      return RetentionRule::kNone;
  }
}

std::string_view ConfiguredClass(const Event& e) {
  return std::string_view(e.subject).substr(
      std::min(e.subject.size(), kRetentionClassSubjectPrefix.size()));
}

Result<uint64_t> DisposedIndex(const Event& e) { return U64Attribute(e, kAttrRecordIndex); }

// --- transitions ---------------------------------------------------------------

Status ConfigureClass(const Event& e, std::optional<ClassRetention>& cls) {
  const std::string name(ConfiguredClass(e));
  ASSIGN_OR_RETURN(uint64_t days, U64Attribute(e, kAttrPeriodDays));
  const std::string* locked_attr = FindAttribute(e, kAttrLocked);
  if (locked_attr && *locked_attr != "true" && *locked_attr != "false") {
    return Refused("bad_retention_attribute", "locked is \"true\" or \"false\"");
  }
  const bool lock = locked_attr && *locked_attr == "true";
  if (name.empty() || days == 0 || days > kMaxRetentionPeriodDays) {
    return Refused(
        "bad_retention_attribute",
        "a class needs a name and 1.." + std::to_string(kMaxRetentionPeriodDays) + " days");
  }
  if (auto min = RegulatoryMinimumDays(name); min && days < *min) {
    return Refused("below_regulatory_minimum",
                   name + " must be kept at least " + std::to_string(*min) + " days");
  }
  if (cls && cls->locked) {
    if (!lock) return Refused("class_locked", name + " is locked: it cannot be unlocked");
    if (days < cls->period_days) {
      return Refused("class_locked", name + " is locked: its period can only be extended");
    }
  }
  // Locked or not, a configured period never decreases: records already
  // kept under it would otherwise become disposable early (retention.md §3).
  if (cls && days < cls->period_days) {
    return Refused("retention_shortened", name + " is configured for " +
                                              std::to_string(cls->period_days) +
                                              " days: its period can be extended, never shortened");
  }
  cls = ClassRetention{days, lock};
  return Status::Ok();
}

Status ExtendRetention(const Event& e, SubjectRetention& s) {
  ASSIGN_OR_RETURN(uint64_t until, U64Attribute(e, kAttrRetainUntilUs));
  if (until < s.retain_until_us) {
    return Refused("retention_shortened",
                   e.subject + ": retain-until can be extended, never shortened");
  }
  s.retain_until_us = until;
  return Status::Ok();
}

Status PlaceHold(const Event& e, const Stamper& by, SubjectRetention& s) {
  ASSIGN_OR_RETURN(std::string id, RequiredAttribute(e, kAttrHoldId));
  if (s.holds.contains(id)) return Refused("hold_exists", "hold " + id + " is already active");
  if (s.holds.size() >= UINT16_MAX) {
    return Refused("bad_retention_attribute", "too many active holds on " + e.subject);
  }
  s.holds.emplace(id, by);
  return Status::Ok();
}

Status ReleaseHold(const Event& e, const Stamper& by, SubjectRetention& s) {
  ASSIGN_OR_RETURN(std::string id, RequiredAttribute(e, kAttrHoldId));
  auto it = s.holds.find(id);
  if (it == s.holds.end())
    return Refused("no_such_hold", "no active hold " + id + " on " + e.subject);
  if (by.empty()) {
    return Refused("same_stamper_release",
                   "hold " + id + ": an unstamped release names no key other than the placer's");
  }
  if (it->second == by) {
    return Refused("same_stamper_release", "hold " + id + " was placed by key " + by.Describe() +
                                               "; another key must release it");
  }
  s.holds.erase(it);
  return Status::Ok();
}

Status CheckDisposalNames(const Event& e, const RetentionRecord& r) {
  const std::string* digest = FindAttribute(e, kAttrDisposedDigest);
  if (r.subject != e.subject || !r.payload_digest || digest == nullptr ||
      *digest != r.payload_digest->Hex()) {
    return Refused("disposal_mismatch", "the disposal does not name record " +
                                            std::to_string(r.index) + "'s subject and payload");
  }
  return Status::Ok();
}

std::optional<uint64_t> ClassPeriodDays(std::string_view retention_class,
                                        const std::optional<ClassRetention>& cls) {
  if (cls) return cls->period_days;
  return RegulatoryMinimumDays(retention_class);
}

std::optional<uint64_t> RetainUntil(const RetentionRecord& r,
                                    const std::optional<ClassRetention>& cls,
                                    const SubjectRetention& s) {
  auto days = ClassPeriodDays(r.retention_class, cls);
  if (!days) return std::nullopt;
  const uint64_t period = *days * kMicrosPerDay;
  uint64_t until = r.recorded_at_us > UINT64_MAX - period ? UINT64_MAX : r.recorded_at_us + period;
  return std::max(until, s.retain_until_us);
}

Status CheckDisposal(const RetentionRecord& r, const std::optional<ClassRetention>& cls,
                     const SubjectRetention& s, bool already_disposed, uint64_t now_us) {
  const std::string which = "record " + std::to_string(r.index) + " (" + r.subject + ")";
  if (!r.payload_digest) return Refused("no_payload", which + " has no payload body");
  if (already_disposed) return Refused("already_disposed", which + " was disposed of");
  if (r.retention_class.empty()) {
    return Refused("no_retention_class", which + " has no retention class: kept for ever");
  }
  auto until = RetainUntil(r, cls, s);
  if (!until) {
    return Refused("unknown_retention_class",
                   which + ": class " + r.retention_class + " is not configured");
  }
  if (now_us < *until) {
    return Refused("retention_not_expired", which + " must be kept until " +
                                                std::to_string(*until) + " µs (now " +
                                                std::to_string(now_us) + ")");
  }
  if (!s.holds.empty()) {
    return Refused("legal_hold_active", which + " is under legal hold " + s.holds.begin()->first);
  }
  return Status::Ok();
}

bool IsRetentionRefusal(const Status& s) {
  static constexpr std::string_view kReasons[] = {"bad_retention_attribute",
                                                  "below_regulatory_minimum",
                                                  "class_locked",
                                                  "retention_shortened",
                                                  "hold_exists",
                                                  "no_such_hold",
                                                  "same_stamper_release",
                                                  "no_payload",
                                                  "no_retention_class",
                                                  "unknown_retention_class",
                                                  "retention_not_expired",
                                                  "legal_hold_active",
                                                  "already_disposed",
                                                  "unknown_record",
                                                  "disposal_mismatch"};
  if (s.code() != Code::kFailedPrecondition) return false;
  return std::find(std::begin(kReasons), std::end(kReasons), s.reason()) != std::end(kReasons);
}

// --- the readers' fold ------------------------------------------------------------

std::optional<ClassRetention> RetentionState::Class(std::string_view name) const {
  auto it = classes_.find(name);
  if (it == classes_.end()) return std::nullopt;
  return it->second;
}

SubjectRetention RetentionState::Subject(std::string_view subject) const {
  auto it = subjects_.find(subject);
  return it == subjects_.end() ? SubjectRetention{} : it->second;
}

std::optional<uint64_t> RetentionState::PeriodDays(std::string_view retention_class) const {
  return ClassPeriodDays(retention_class, Class(retention_class));
}

bool RetentionState::Locked(std::string_view retention_class) const {
  auto c = Class(retention_class);
  return c && c->locked;
}

std::map<std::string, Stamper> RetentionState::Holds(std::string_view subject) const {
  return Subject(subject).holds;
}

std::optional<uint64_t> RetentionState::RetainUntil(const RetentionRecord& r) const {
  return ledger::RetainUntil(r, Class(r.retention_class), Subject(r.subject));
}

Status RetentionState::CheckDisposal(const RetentionRecord& r, uint64_t now_us) const {
  return ledger::CheckDisposal(r, Class(r.retention_class), Subject(r.subject),
                               disposed_.contains(r.index), now_us);
}

Status RetentionState::Apply(uint64_t, uint64_t recorded_at_us, const Event& e,
                             const RecordLookup& lookup, const Stamper& stamper) {
  switch (RuleOf(e)) {
    case RetentionRule::kNone:
      return Status::Ok();
    case RetentionRule::kConfigureClass: {
      const std::string name(ConfiguredClass(e));
      std::optional<ClassRetention> cls = Class(name);
      RETURN_IF_ERROR(ConfigureClass(e, cls));
      classes_[name] = *cls;
      return Status::Ok();
    }
    case RetentionRule::kExtend:
    case RetentionRule::kPlaceHold:
    case RetentionRule::kReleaseHold: {
      SubjectRetention s = Subject(e.subject);
      const RetentionRule rule = RuleOf(e);
      RETURN_IF_ERROR(rule == RetentionRule::kExtend      ? ExtendRetention(e, s)
                      : rule == RetentionRule::kPlaceHold ? PlaceHold(e, stamper, s)
                                                          : ReleaseHold(e, stamper, s));
      subjects_[e.subject] = std::move(s);
      return Status::Ok();
    }
    case RetentionRule::kDispose: {
      ASSIGN_OR_RETURN(uint64_t index, DisposedIndex(e));
      std::optional<RetentionRecord> record = lookup ? lookup(index) : std::nullopt;
      if (!record) {
        return Refused("unknown_record", "disposal of unknown record " + std::to_string(index));
      }
      RETURN_IF_ERROR(CheckDisposalNames(e, *record));
      Status s = CheckDisposal(*record, recorded_at_us);
      disposed_.insert(index);
      return s;
    }
  }
  return Status::Ok();
}

}  // namespace ledger
