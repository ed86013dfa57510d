// Retention classes, retain-until, legal holds and disposal: the rules, as a
// fold over the log's own entries (docs/compliance.md "Retention").
//
// The schedule is log state: RETENTION_SET entries configure classes and
// extend records' retain-until, LEGAL_HOLD_PLACED/RELEASED entries hold and
// release subjects, RECORD_DISPOSED entries record disposals (SUCCESS) and
// refused attempts (DENIED). The host checks a request against the state
// before it appends (and appends the denial when refused); anyone holding the
// entries, the store audit and the offline bundle verifier alike, replays
// them through this same code and flags a disposal the history forbids.
// Attribute names and reasons are stable (retention.md).
//
// Thread-safety: value type; not synchronised.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "ledger/event.h"
#include "ledger/hash.h"
#include "ledger/status.h"

namespace ledger {

inline constexpr uint64_t kMicrosPerDay = 86'400'000'000ULL;
// A regulatory "year" counted as 366 days, so that N "years" are never less
// than N calendar years whatever the leap days.
inline constexpr uint64_t kDaysPerYear = 366;

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
inline constexpr char kAttrRole[] = "role";
inline constexpr char kAttrRecordIndex[] = "record_index";
inline constexpr char kAttrDisposedDigest[] = "disposed_digest";

// What the rules need to know about a record whose payload may be disposed.
struct RetentionRecord {
  uint64_t index = 0;
  uint64_t recorded_at_us = 0;
  std::string subject;
  std::string retention_class;
  std::optional<Hash> payload_digest;
};

class RetentionState {
 public:
  // Looks up a record by leaf index (for disposals); nullopt if unknown.
  using RecordLookup = std::function<std::optional<RetentionRecord>(uint64_t index)>;

  // Folds one entry, in log order. Returns OK, or FailedPrecondition with the
  // rule it breaks (the entry is then not applied, except that a violating
  // successful disposal still counts as disposed). Entries of other kinds,
  // and entries of these kinds without their rule's key attribute
  // (period_days / retain_until_us / hold_id / record_index), are ignored.
  Status Apply(uint64_t index, uint64_t recorded_at_us, const Event& event,
               const RecordLookup& lookup);

  // Whether `record`'s payload may be disposed at `now_us`: OK, or
  // FailedPrecondition "no_payload", "no_retention_class",
  // "unknown_retention_class", "retention_not_expired", "legal_hold_active",
  // "already_disposed".
  Status CheckDisposal(const RetentionRecord& record, uint64_t now_us) const;

  // The record's retain-until (µs); nullopt when its class is unknown.
  std::optional<uint64_t> RetainUntil(const RetentionRecord& record) const;
  // The class's period in days (configured, else the regulatory minimum).
  std::optional<uint64_t> PeriodDays(std::string_view retention_class) const;
  bool Locked(std::string_view retention_class) const;
  // Active hold ids of a subject, with the role that placed each.
  std::map<std::string, std::string> Holds(std::string_view subject) const;
  bool Disposed(uint64_t record_index) const { return disposed_.contains(record_index); }

 private:
  Status ApplyRetentionSet(const Event& e);
  Status ApplyHold(const Event& e);
  Status ApplyDisposal(uint64_t recorded_at_us, const Event& e, const RecordLookup& lookup);

  struct ClassConfig {
    uint64_t period_days = 0;
    bool locked = false;
  };
  std::map<std::string, ClassConfig, std::less<>> classes_;
  std::map<std::string, uint64_t, std::less<>> retain_until_;  // by subject, extend-only
  std::map<std::string, std::map<std::string, std::string>, std::less<>> holds_;  // subject -> id -> role
  std::set<uint64_t> disposed_;
};

// The value of an attribute, or nullptr.
const std::string* FindAttribute(const Event& event, std::string_view key);

}  // namespace ledger
