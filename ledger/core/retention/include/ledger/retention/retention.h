// Retention classes, retain-until, legal holds and disposal: the rules
// (schemas/formats/retention.md, docs/compliance.md "Retention").
//
// The schedule is log state: RETENTION_SET entries configure classes and
// extend records' retain-until, LEGAL_HOLD_PLACED/RELEASED entries hold and
// release subjects, RECORD_DISPOSED entries record disposals (SUCCESS) and
// refused attempts (DENIED). The rules are written once, as transitions of
// two small records — a subject's (retain-until, active holds with the
// stamper key that placed each) and a class's (period, lock) — and a check
// of a disposal against them. The notary's sequencer applies them to the
// records the host proves from the state map (retention_map.h), at the
// recorded_at it assigns, and refuses what they forbid; every reader (the
// store audit, the offline bundle verifier) folds the log's own entries
// through the same transitions (RetentionState) and flags a disposal the
// history forbids. Attribute names and reasons are stable (retention.md §3).
//
// Thread-safety: value types and free functions; not synchronised.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/record/event.h"

namespace ledger {

inline constexpr uint64_t kMicrosPerDay = 86'400'000'000ULL;
// A regulatory "year" counted as 366 days, so that N "years" are never less
// than N calendar years whatever the leap days.
inline constexpr uint64_t kDaysPerYear = 366;
inline constexpr uint64_t kMaxRetentionPeriodDays = 100 * kDaysPerYear;

// The regulatory minimum for a built-in class name; nullopt for a custom class.
//   SEC-17a-4-6y, FINRA-4511-6y: 6 years (17a-4(a), FINRA 4511(b));
//   SEC-17a-4-3y: 3 years (17a-4(b)); CFTC-1.31-5y: 5 years (1.31(b)(1));
//   MiCA-5y: 5 years (MiCA art. 68(9), 76(15)).
std::optional<uint64_t> RegulatoryMinimumDays(std::string_view retention_class);

// Subject prefix of a class configuration entry ("retention-class/SEC-17a-4-6y").
inline constexpr std::string_view kRetentionClassSubjectPrefix = "retention-class/";

// Attributes (retention.md §2).
inline constexpr char kAttrPeriodDays[] = "period_days";
inline constexpr char kAttrLocked[] = "locked";
inline constexpr char kAttrRetainUntilUs[] = "retain_until_us";
inline constexpr char kAttrHoldId[] = "hold_id";
inline constexpr char kAttrRole[] = "role";  // informational since v2: the stamper key decides
inline constexpr char kAttrRecordIndex[] = "record_index";
inline constexpr char kAttrDisposedDigest[] = "disposed_digest";

// The key that stamped an entry (stamp.md: key name and key ID); empty for
// an unstamped entry. Holds are compared by it, never by free text.
struct Stamper {
  std::string name;
  uint32_t key_id = 0;
  bool empty() const { return name.empty(); }
  bool operator==(const Stamper&) const = default;
  // "name+xxxxxxxx" (key ID in hex), or "(unstamped)".
  std::string Describe() const;
};
// The stamper named by stamp bytes; empty when there are none or they do
// not decode (the sequencer has verified every stamp it accepts).
Stamper StamperOf(ByteView stamp);

// What the rules need to know about a record whose payload may be disposed.
struct RetentionRecord {
  uint64_t index = 0;
  uint64_t recorded_at_us = 0;
  std::string subject;
  std::string retention_class;
  std::optional<Hash> payload_digest;
};

// A subject's retention record (retention.md §5): the retain-until its
// extensions set (0: none) and its active holds, each with the key that
// placed it.
struct SubjectRetention {
  uint64_t retain_until_us = 0;
  std::map<std::string, Stamper> holds;  // hold id -> placer
  bool operator==(const SubjectRetention&) const = default;

  // 0x01 || retain_until_us:u64 || n:u16 || n × (id_len:u16 id name_len:u16 name key_id:u32),
  // holds in id order.
  Bytes Encode() const;
  // Strict inverse: InvalidArgument("malformed_retention_record").
  static Result<SubjectRetention> Decode(ByteView bytes);
};

// A configured class (retention.md §5): 0x02 || period_days:u64 || locked:u8.
struct ClassRetention {
  uint64_t period_days = 0;
  bool locked = false;
  bool operator==(const ClassRetention&) const = default;
  Bytes Encode() const;
  static Result<ClassRetention> Decode(ByteView bytes);
};

// Which rule an entry invokes: none for another kind, an outcome other than
// SUCCESS (refusals and failures are on record but change nothing) or an
// entry without its rule's key attribute (period_days / retain_until_us /
// hold_id / record_index: informational, a source system reporting its own
// decision).
enum class RetentionRule { kNone, kConfigureClass, kExtend, kPlaceHold, kReleaseHold, kDispose };
RetentionRule RuleOf(const Event& event);
// The class a kConfigureClass entry names (its subject after the prefix).
std::string_view ConfiguredClass(const Event& event);
// The record_index of a kDispose entry; FailedPrecondition("bad_retention_attribute").
Result<uint64_t> DisposedIndex(const Event& event);

// The transitions. Each checks its rule and, when it holds, updates the
// record; on a refusal (FailedPrecondition with the stable reason) the record
// is unchanged.
//   ConfigureClass: bad_retention_attribute, below_regulatory_minimum,
//     class_locked (unlocking or shortening a locked class),
//     retention_shortened (shortening an unlocked one: a configured period
//     never decreases).
//   ExtendRetention: bad_retention_attribute, retention_shortened.
//   PlaceHold: bad_retention_attribute, hold_exists.
//   ReleaseHold: bad_retention_attribute, no_such_hold, same_stamper_release
//     (the releasing key is the one that placed the hold, or the release is
//     unstamped).
Status ConfigureClass(const Event& event, std::optional<ClassRetention>& cls);
Status ExtendRetention(const Event& event, SubjectRetention& subject);
Status PlaceHold(const Event& event, const Stamper& by, SubjectRetention& subject);
Status ReleaseHold(const Event& event, const Stamper& by, SubjectRetention& subject);

// That a disposal names `record`'s subject and payload digest:
// FailedPrecondition("disposal_mismatch") otherwise.
Status CheckDisposalNames(const Event& disposal, const RetentionRecord& record);
// The class period in days: the configured one, else the regulatory minimum
// of a built-in class; nullopt for an unconfigured custom class.
std::optional<uint64_t> ClassPeriodDays(std::string_view retention_class,
                                        const std::optional<ClassRetention>& cls);
// The record's retain-until (µs); nullopt when its class is unknown.
std::optional<uint64_t> RetainUntil(const RetentionRecord& record,
                                    const std::optional<ClassRetention>& cls,
                                    const SubjectRetention& subject);
// Whether `record`'s payload may be disposed at `now_us`: OK, or
// FailedPrecondition "no_payload", "already_disposed", "no_retention_class",
// "unknown_retention_class", "retention_not_expired", "legal_hold_active".
Status CheckDisposal(const RetentionRecord& record, const std::optional<ClassRetention>& cls,
                     const SubjectRetention& subject, bool already_disposed, uint64_t now_us);

// Whether `s` is a refusal by one of the rules (a FailedPrecondition with a
// reason of retention.md §3), as the sequencer returns it.
bool IsRetentionRefusal(const Status& s);

// The whole-log fold the readers use: the same transitions over every entry.
class RetentionState {
 public:
  // Looks up a record by leaf index (for disposals); nullopt if unknown.
  using RecordLookup = std::function<std::optional<RetentionRecord>(uint64_t index)>;

  // Folds one entry, in log order; `stamper` is its stamp's key. Returns OK,
  // or FailedPrecondition with the rule it breaks (the entry is then not
  // applied, except that a violating successful disposal still counts as
  // disposed). Entries that invoke no rule (RuleOf) are ignored.
  Status Apply(uint64_t index, uint64_t recorded_at_us, const Event& event,
               const RecordLookup& lookup, const Stamper& stamper = {});

  Status CheckDisposal(const RetentionRecord& record, uint64_t now_us) const;
  std::optional<uint64_t> RetainUntil(const RetentionRecord& record) const;
  std::optional<uint64_t> PeriodDays(std::string_view retention_class) const;
  bool Locked(std::string_view retention_class) const;
  // Active hold ids of a subject, with the key that placed each.
  std::map<std::string, Stamper> Holds(std::string_view subject) const;
  bool Disposed(uint64_t record_index) const { return disposed_.contains(record_index); }

  std::optional<ClassRetention> Class(std::string_view name) const;
  SubjectRetention Subject(std::string_view subject) const;

 private:
  std::map<std::string, ClassRetention, std::less<>> classes_;
  std::map<std::string, SubjectRetention, std::less<>> subjects_;
  std::set<uint64_t> disposed_;
};

// The value of an attribute, or nullptr.
const std::string* FindAttribute(const Event& event, std::string_view key);

}  // namespace ledger
