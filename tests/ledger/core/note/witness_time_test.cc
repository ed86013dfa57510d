// The witnesses' time bounds the notary's clock and recorded_at
// (witness_time.h), and the sequencer refuses a clock moved back or away
// from the witnesses' time.
#include "ledger/note/witness_time.h"

#include <gtest/gtest.h>

#include <memory>

#include "ledger/note/cosignature.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/sequencer/sequencer.h"

namespace ledger {
namespace {

constexpr uint64_t kSecond = 1'000'000;
constexpr uint64_t kNow = 1'800'000'000;                    // seconds
constexpr uint64_t kSevenYears = 7 * 365 * 24 * 3600;       // seconds
constexpr uint64_t kBound = kMaxClockSkewSeconds;

std::vector<Cosignature> Times(std::initializer_list<uint64_t> ts) {
  std::vector<Cosignature> out;
  for (uint64_t t : ts) out.push_back({"w" + std::to_string(out.size()), t});
  return out;
}

TEST(QuorumTimeTest, IsTheQuorumThLatestTimedCosignature) {
  EXPECT_EQ(QuorumTime(Times({30, 10, 20}), 1), 30u);
  EXPECT_EQ(QuorumTime(Times({30, 10, 20}), 2), 20u);
  EXPECT_EQ(QuorumTime(Times({30, 10, 20}), 3), 10u);
  EXPECT_EQ(QuorumTime(Times({30, 10, 20}), 0), 30u);  // no quorum: one witness's word
  EXPECT_EQ(QuorumTime(Times({30, 10}), 3), std::nullopt);
  EXPECT_EQ(QuorumTime({}, 0), std::nullopt);
  // A cosignature without a time (another algorithm) does not count.
  EXPECT_EQ(QuorumTime(Times({0, 10}), 2), std::nullopt);
  // One lying witness cannot move a quorum of 2 past the honest times.
  EXPECT_EQ(QuorumTime(Times({kNow, kNow + kSevenYears, kNow - 1}), 2), kNow);
}

TEST(CheckClockTest, RefusesAClockMovedForwardOrBackBeyondTheBound) {
  EXPECT_TRUE(CheckClockAgainstWitnesses(kNow * kSecond, kNow).ok());
  EXPECT_TRUE(CheckClockAgainstWitnesses((kNow + kBound) * kSecond + 999'999, kNow).ok());
  EXPECT_TRUE(CheckClockAgainstWitnesses((kNow - kBound) * kSecond, kNow).ok());
  Status ahead = CheckClockAgainstWitnesses((kNow + kBound + 1) * kSecond, kNow);
  EXPECT_EQ(ahead.reason(), "clock_skew");
  EXPECT_EQ(ahead.code(), Code::kFailedPrecondition);
  EXPECT_EQ(CheckClockAgainstWitnesses((kNow + kSevenYears) * kSecond, kNow).reason(),
            "clock_skew");
  EXPECT_EQ(CheckClockAgainstWitnesses((kNow - kBound - 1) * kSecond, kNow).reason(),
            "clock_skew");
  EXPECT_EQ(CheckClockAgainstWitnesses(0, note::kMaxCosignatureTimestamp).reason(), "clock_skew");
}

TEST(CheckRecordedAtTest, RefusesAnEntryRecordedAfterItsCosignatures) {
  const auto cosigned = Times({kNow, kNow + 2, kNow + 1});
  EXPECT_TRUE(CheckRecordedAt(kNow * kSecond, cosigned, 2).ok());
  EXPECT_TRUE(CheckRecordedAt((kNow + 1 + kBound) * kSecond, cosigned, 2).ok());
  Status late = CheckRecordedAt((kNow + 1 + kBound) * kSecond + 1, cosigned, 2);
  EXPECT_EQ(late.reason(), "recorded_after_cosignature");
  EXPECT_EQ(late.code(), Code::kVerificationFailed);
  // Seven years ahead of the witnesses: the F8 attack's entries.
  EXPECT_EQ(CheckRecordedAt((kNow + kSevenYears) * kSecond, cosigned, 3).reason(),
            "recorded_after_cosignature");
  // One witness that lies about the time does not rescue it under a quorum of 2.
  const auto one_liar = Times({kNow, kNow + kSevenYears + 10});
  EXPECT_EQ(CheckRecordedAt((kNow + kSevenYears) * kSecond, one_liar, 2).reason(),
            "recorded_after_cosignature");
  // Nothing to compare with: the quorum check decides (not this one).
  EXPECT_TRUE(CheckRecordedAt((kNow + kSevenYears) * kSecond, {}, 0).ok());
  // Timestamps near 2^63 do not overflow.
  EXPECT_TRUE(CheckRecordedAt(UINT64_MAX, Times({note::kMaxCosignatureTimestamp}), 1).ok());
}

// A sequencer whose clock the test moves.
class SequencerClockTest : public ::testing::Test {
 protected:
  static constexpr char kOrigin[] = "ledger.example/clock";

  SequencerClockTest()
      : seq_(Sequencer::Genesis(
                 kOrigin,
                 note::NewEd25519Signer(kOrigin,
                                        Ed25519PrivateKey::FromSeed(Bytes(32, 9)).value()),
                 {}, [now = now_] { return *now; })
                 .value()) {}

  Result<SequencedBatch> Append() {
    Event e;
    e.kind = EventKind::kKeyRotated;
    e.event_id = "e-" + std::to_string(seq_.head().size());
    e.occurred_at_us = *now_;
    e.actor.id = "svc/rotator";
    e.subject = "key/k-1";
    std::vector<SubmittedEvent> batch{{EncodeEvent(e).value(), {}}};
    return seq_.Sequence(seq_.head().size(), seq_.head().range.Root(), batch);
  }

  std::shared_ptr<uint64_t> now_ = std::make_shared<uint64_t>(kNow * kSecond);
  Sequencer seq_;
};

TEST_F(SequencerClockTest, AClockMovedSevenYearsAheadOfTheWitnessesIsRefused) {
  seq_.SetWitnessTime(kNow);
  ASSERT_TRUE(Append().ok());
  *now_ += kSevenYears * kSecond;
  auto refused = Append();
  EXPECT_EQ(refused.status().reason(), "clock_skew") << refused.status();
  EXPECT_EQ(seq_.head().size(), 1u);
  // An older quorum time does not lower the one held.
  seq_.SetWitnessTime(kNow - 1000);
  EXPECT_EQ(seq_.witness_time(), kNow);
  // Witnesses that really are seven years on let it continue.
  seq_.SetWitnessTime(kNow + kSevenYears);
  EXPECT_TRUE(Append().ok());
}

TEST_F(SequencerClockTest, AClockMovedBehindTheWitnessesIsRefused) {
  seq_.SetWitnessTime(kNow);
  *now_ -= (kBound + 1) * kSecond;
  EXPECT_EQ(Append().status().reason(), "clock_skew");
  *now_ += 2 * kSecond;
  EXPECT_TRUE(Append().ok());
}

TEST_F(SequencerClockTest, AClockMovedBackIsRefusedNotPinned) {
  // Without witnesses (K = 0) nothing bounds a forward jump, but a jump back
  // beyond the bound is refused rather than pinned to the future value.
  *now_ += kSevenYears * kSecond;
  auto ahead = Append();
  ASSERT_TRUE(ahead.ok());
  const uint64_t future = DecodeLeaf(ahead->leaves[0]).value().recorded_at_us;
  *now_ = kNow * kSecond;
  EXPECT_EQ(Append().status().reason(), "clock_skew");
  // A small step back (an NTP correction) keeps the last recorded_at.
  *now_ = future - kBound * kSecond;
  auto pinned = Append();
  ASSERT_TRUE(pinned.ok()) << pinned.status();
  EXPECT_EQ(DecodeLeaf(pinned->leaves[0]).value().recorded_at_us, future);
}

}  // namespace
}  // namespace ledger
