// The retention rules (ledger/retention.h, schemas/formats/retention.md):
// regulatory minimums, locked classes, extend-only retain-until, legal holds
// released by another role, disposal only after expiry and without hold.
#include "ledger/retention.h"

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
  Status Apply(const Event& e, uint64_t at = kT0) { return state_.Apply(100, at, e, lookup_); }
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
  ASSERT_TRUE(Apply(Class("TEST-2d", 5)).ok());
  ASSERT_TRUE(Apply(Class("TEST-2d", 2)).ok());  // unlocked: may still change
  ASSERT_TRUE(Apply(Class("TEST-2d", 2, true)).ok());
  EXPECT_TRUE(state_.Locked("TEST-2d"));
  EXPECT_EQ(Apply(Class("TEST-2d", 1, true)).reason(), "class_locked");
  EXPECT_EQ(Apply(Class("TEST-2d", 3, false)).reason(), "class_locked");
  EXPECT_TRUE(Apply(Class("TEST-2d", 3, true)).ok());
  EXPECT_EQ(*state_.PeriodDays("TEST-2d"), 3u);
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

  ASSERT_TRUE(Apply(Hold(true, "case-1", "legal")).ok());
  EXPECT_EQ(Apply(Hold(true, "case-1", "legal")).reason(), "hold_exists");
  EXPECT_EQ(state_.CheckDisposal(record_, kT0 + 3 * kDay).reason(), "legal_hold_active");
  EXPECT_EQ(Apply(Dispose(), kT0 + 3 * kDay).reason(), "legal_hold_active");

  EXPECT_EQ(Apply(Hold(false, "case-1", "legal")).reason(), "same_role_release");
  EXPECT_EQ(Apply(Hold(false, "case-2", "compliance")).reason(), "no_such_hold");
  ASSERT_TRUE(Apply(Hold(false, "case-1", "compliance")).ok());
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

TEST_F(RetentionTest, MalformedRequestsAreRefused) {
  // Without the rule's key attribute an entry is informational.
  EXPECT_TRUE(Apply(Ev(EventKind::kRetentionSet, "retention-class/X", {})).ok());
  EXPECT_TRUE(Apply(Ev(EventKind::kRetentionSet, "key/k-1", {})).ok());
  EXPECT_FALSE(state_.PeriodDays("X"));
  EXPECT_EQ(Apply(Ev(EventKind::kRetentionSet, "key/k-1", {{kAttrRetainUntilUs, "soon"}})).reason(),
            "bad_retention_attribute");
  EXPECT_EQ(Apply(Class("X", 0)).reason(), "bad_retention_attribute");
  EXPECT_EQ(Apply(Ev(EventKind::kLegalHoldPlaced, "record/r-1", {{kAttrHoldId, "h"}})).reason(),
            "bad_retention_attribute");
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
