// The retention rules (ledger/retention/retention.h, schemas/formats/retention.md):
// regulatory minimums, locked classes, periods and retain-until that only
// extend, legal holds released by another stamper key, disposal only after
// expiry and without hold; the retention records' encodings.
#include "ledger/retention/retention.h"

#include <gtest/gtest.h>

namespace ledger {
namespace {

constexpr uint64_t kDay = kMicrosPerDay;
constexpr uint64_t kT0 = 1'700'000'000'000'000ULL;

Event Ev(EventKind kind, std::string subject,
         std::vector<std::pair<std::string, std::string>> attributes) {
  Event e;
  e.kind = kind;
  e.event_id = "e";
  e.occurred_at_us = kT0;
  e.actor.id = "someone";
  e.subject = std::move(subject);
  e.attributes = std::move(attributes);
  return e;
}

class RetentionTest : public ::testing::Test {
 protected:
  RetentionRecord record_{7, kT0, "record/r-1", "TEST-2d", Sha256::Digest("body")};
  RetentionState::RecordLookup lookup_ = [this](uint64_t i) -> std::optional<RetentionRecord> {
    if (i == record_.index) return record_;
    return std::nullopt;
  };
  Status Apply(const Event& e, uint64_t at = kT0, const Stamper& by = {}) {
    return state_.Apply(100, at, e, lookup_, by);
  }
  Event Class(const std::string& name, uint64_t days, bool lock = false) {
    std::vector<std::pair<std::string, std::string>> attrs = {{kAttrPeriodDays, std::to_string(days)}};
    if (lock) attrs.push_back({kAttrLocked, "true"});
    return Ev(EventKind::kRetentionSet, "retention-class/" + name, attrs);
  }
  Event Hold(bool place, const std::string& id, const std::string& role) {
    return Ev(place ? EventKind::kLegalHoldPlaced : EventKind::kLegalHoldReleased, record_.subject,
              {{kAttrHoldId, id}, {kAttrRole, role}});
  }
  Event Dispose() {
    return Ev(EventKind::kRecordDisposed, record_.subject,
              {{kAttrDisposedDigest, record_.payload_digest->Hex()}, {kAttrRecordIndex, "7"}});
  }
  RetentionState state_;
};

TEST_F(RetentionTest, RegulatoryMinimums) {
  EXPECT_EQ(*RegulatoryMinimumDays("SEC-17a-4-6y"), 6 * kDaysPerYear);
  EXPECT_EQ(*RegulatoryMinimumDays("SEC-17a-4-3y"), 3 * kDaysPerYear);
  EXPECT_EQ(*RegulatoryMinimumDays("FINRA-4511-6y"), 6 * kDaysPerYear);
  EXPECT_EQ(*RegulatoryMinimumDays("CFTC-1.31-5y"), 5 * kDaysPerYear);
  EXPECT_EQ(*RegulatoryMinimumDays("MiCA-5y"), 5 * kDaysPerYear);
  EXPECT_FALSE(RegulatoryMinimumDays("TEST-2d"));
  EXPECT_EQ(Apply(Class("SEC-17a-4-6y", 365)).reason(), "below_regulatory_minimum");
  EXPECT_TRUE(Apply(Class("SEC-17a-4-6y", 7 * kDaysPerYear)).ok());
  EXPECT_EQ(*state_.PeriodDays("SEC-17a-4-6y"), 7 * kDaysPerYear);
}

TEST_F(RetentionTest, LockedClassOnlyExtends) {
  ASSERT_TRUE(Apply(Class("TEST-2d", 2)).ok());
  ASSERT_TRUE(Apply(Class("TEST-2d", 5)).ok());  // unlocked: may be extended...
  // ...but never shortened, locked or not: records kept under it would
  // become disposable early.
  EXPECT_EQ(Apply(Class("TEST-2d", 2)).reason(), "retention_shortened");
  EXPECT_EQ(*state_.PeriodDays("TEST-2d"), 5u);
  EXPECT_EQ(Apply(Class("TEST-2d", 2, true)).reason(), "retention_shortened");
  ASSERT_TRUE(Apply(Class("TEST-2d", 5, true)).ok());
  EXPECT_TRUE(state_.Locked("TEST-2d"));
  EXPECT_EQ(Apply(Class("TEST-2d", 1, true)).reason(), "class_locked");
  EXPECT_EQ(Apply(Class("TEST-2d", 6, false)).reason(), "class_locked");
  EXPECT_TRUE(Apply(Class("TEST-2d", 6, true)).ok());
  EXPECT_EQ(*state_.PeriodDays("TEST-2d"), 6u);
}

TEST_F(RetentionTest, RetainUntilExtendsNeverShortens) {
  ASSERT_TRUE(Apply(Class("TEST-2d", 2)).ok());
  EXPECT_EQ(*state_.RetainUntil(record_), kT0 + 2 * kDay);
  auto extend = [&](uint64_t until) {
    return Apply(Ev(EventKind::kRetentionSet, record_.subject,
                    {{kAttrRetainUntilUs, std::to_string(until)}}));
  };
  ASSERT_TRUE(extend(kT0 + 10 * kDay).ok());
  EXPECT_EQ(*state_.RetainUntil(record_), kT0 + 10 * kDay);
  EXPECT_EQ(extend(kT0 + 5 * kDay).reason(), "retention_shortened");
  EXPECT_EQ(*state_.RetainUntil(record_), kT0 + 10 * kDay);
}

TEST_F(RetentionTest, DisposalOnlyAfterExpiryAndWithoutHold) {
  EXPECT_EQ(state_.CheckDisposal(record_, kT0 + 100 * kDay).reason(), "unknown_retention_class");
  ASSERT_TRUE(Apply(Class("TEST-2d", 2)).ok());
  EXPECT_EQ(state_.CheckDisposal(record_, kT0 + kDay).reason(), "retention_not_expired");
  EXPECT_TRUE(state_.CheckDisposal(record_, kT0 + 2 * kDay).ok());

  const Stamper legal{"legal.example", 0x11111111}, compliance{"compliance.example", 0x22222222};
  ASSERT_TRUE(Apply(Hold(true, "case-1", "legal"), kT0, legal).ok());
  EXPECT_EQ(Apply(Hold(true, "case-1", "legal"), kT0, legal).reason(), "hold_exists");
  EXPECT_EQ(state_.Holds(record_.subject).at("case-1"), legal);
  EXPECT_EQ(state_.CheckDisposal(record_, kT0 + 3 * kDay).reason(), "legal_hold_active");
  EXPECT_EQ(Apply(Dispose(), kT0 + 3 * kDay).reason(), "legal_hold_active");

  // The stamper key decides, not the free-text role: the placing key cannot
  // release whatever role it claims, nor can an unstamped release.
  EXPECT_EQ(Apply(Hold(false, "case-1", "compliance"), kT0, legal).reason(),
            "same_stamper_release");
  EXPECT_EQ(Apply(Hold(false, "case-1", "compliance"), kT0, {}).reason(), "same_stamper_release");
  // Same name, another key: another key.
  EXPECT_EQ(Apply(Hold(false, "case-2", "compliance"), kT0, compliance).reason(), "no_such_hold");
  ASSERT_TRUE(Apply(Hold(false, "case-1", "legal"), kT0, compliance).ok());
  EXPECT_TRUE(state_.Holds(record_.subject).empty());
}

TEST_F(RetentionTest, SuccessfulDisposalIsCheckedRefusalsAreNot) {
  ASSERT_TRUE(Apply(Class("TEST-2d", 2)).ok());
  Event early = Dispose();
  EXPECT_EQ(Apply(early, kT0 + kDay).reason(), "retention_not_expired");
  // The violating disposal still counts as done: a second one is refused.
  EXPECT_EQ(state_.CheckDisposal(record_, kT0 + 3 * kDay).reason(), "already_disposed");

  RetentionState fresh;
  Event denied = Dispose();
  denied.outcome = Outcome::kDenied;
  EXPECT_TRUE(fresh.Apply(100, kT0, denied, lookup_).ok());  // a refusal on record
  EXPECT_FALSE(fresh.Disposed(7));
}

TEST_F(RetentionTest, RecordsHaveOneEncoding) {
  SubjectRetention s;
  s.retain_until_us = kT0;
  s.holds = {{"b", {"k2", 2}}, {"a", {"k1", 1}}, {"c", {}}};
  const Bytes enc = s.Encode();
  EXPECT_EQ(SubjectRetention::Decode(enc).value(), s);
  // 0x01, retain-until, 3 holds in id order.
  EXPECT_EQ(enc[0], 0x01);
  EXPECT_EQ(enc[10], 3);
  EXPECT_EQ(enc[13], 'a');
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_EQ(SubjectRetention::Decode(trailing).status().reason(), "malformed_retention_record");
  // Out of order: the same holds written b, a.
  SubjectRetention two;
  two.holds = {{"a", {"k", 1}}, {"b", {"k", 1}}};
  Bytes swapped = two.Encode();
  // Each hold is 2+1+2+1+4 = 10 bytes after the 11-byte header.
  std::swap_ranges(swapped.begin() + 11, swapped.begin() + 21, swapped.begin() + 21);
  EXPECT_EQ(SubjectRetention::Decode(swapped).status().reason(), "malformed_retention_record");

  ClassRetention c{2, true};
  EXPECT_EQ(ClassRetention::Decode(c.Encode()).value(), c);
  Bytes bad = c.Encode();
  bad.back() = 2;
  EXPECT_EQ(ClassRetention::Decode(bad).status().reason(), "malformed_retention_record");
  EXPECT_EQ(SubjectRetention::Decode(c.Encode()).status().reason(), "malformed_retention_record");
}

TEST_F(RetentionTest, MalformedRequestsAreRefused) {
  // Without the rule's key attribute an entry is informational.
  EXPECT_TRUE(Apply(Ev(EventKind::kRetentionSet, "retention-class/X", {})).ok());
  EXPECT_TRUE(Apply(Ev(EventKind::kRetentionSet, "key/k-1", {})).ok());
  EXPECT_FALSE(state_.PeriodDays("X"));
  EXPECT_EQ(Apply(Ev(EventKind::kRetentionSet, "key/k-1", {{kAttrRetainUntilUs, "soon"}})).reason(),
            "bad_retention_attribute");
  EXPECT_EQ(Apply(Class("X", 0)).reason(), "bad_retention_attribute");
  EXPECT_EQ(Apply(Ev(EventKind::kLegalHoldPlaced, "record/r-1", {{kAttrHoldId, ""}})).reason(),
            "bad_retention_attribute");
  // The role is informational: the stamper key is what holds compare.
  EXPECT_TRUE(Apply(Ev(EventKind::kLegalHoldPlaced, "record/r-1", {{kAttrHoldId, "h"}})).ok());
  Event wrong = Dispose();
  wrong.attributes[0].second = Sha256::Digest("other").Hex();
  ASSERT_TRUE(Apply(Class("TEST-2d", 2)).ok());
  EXPECT_EQ(Apply(wrong, kT0 + 9 * kDay).reason(), "disposal_mismatch");
  Event unknown = Dispose();
  unknown.attributes[1].second = "8";
  EXPECT_EQ(Apply(unknown, kT0 + 9 * kDay).reason(), "unknown_record");
}

}  // namespace
}  // namespace ledger
