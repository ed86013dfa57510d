// Duplicate stamped events in an existing log (map.md §5a): a log written by
// a notary without the rule (here a sequencer without the state map, whose
// replay window is gone after a restart) holds the same stamped event twice;
// the store keeps the first entry under the event's stamp key and Audit
// reports the second as duplicate_stamp. A log whose sequencer keeps the map
// never holds one (sequencer_replay_test.cc).
#include <gtest/gtest.h>

#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"
#include "ledger/store/log_store.h"
#include "test_log.h"

namespace ledger::store {
namespace {

using testing::kOrigin;
using testing::LogKey;
using testing::LogVerifier;

std::unique_ptr<note::Signer> Submitter() {
  return note::NewEd25519Signer("svc-stamper", Ed25519PrivateKey::FromSeed(Bytes(32, 9)).value());
}

SubmitterPolicy Policy() {
  SubmitterPolicy p;
  p.submitters.push_back({std::shared_ptr<const note::Verifier>(
                              note::ParseVerifierKey(Submitter()->VerifierKey()).value()),
                          {}});
  p.require_stamps = false;  // unstamped events too (a trusted host's)
  return p;
}

SubmittedEvent Stamped(uint64_t n) {
  Bytes ev = EncodeEvent(testing::MakeEvent(n)).value();
  return {ev, MakeStamp(kOrigin, ev, *Submitter()).value()};
}

class StampAuditTest : public ::testing::Test {
 protected:
  StampAuditTest() {
    store_ = LogStore::Create(std::make_unique<MemoryKv>(), seq_.head().checkpoint_note,
                              LogVerifier())
                 .value();
  }
  // A sequencer without the map and with no window: what a notary without
  // the rule does after a restart.
  static Sequencer NoRule() {
    SequencerOptions o;
    o.replay_window = 0;
    return Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), Policy(),
                              testing::FixedClock(1'700'000'000'000'000ull), o)
        .value();
  }
  Status Append(std::vector<SubmittedEvent> events) {
    auto b = seq_.Sequence(seq_.head().size(), seq_.head().range.Root(), events);
    if (!b.ok()) return b.status();
    return store_->Append(*b);
  }

  Sequencer seq_ = NoRule();
  std::unique_ptr<LogStore> store_;
};

TEST_F(StampAuditTest, AuditReportsAStampedEventSequencedTwice) {
  ASSERT_TRUE(Append({Stamped(1), Stamped(2)}).ok());
  ASSERT_TRUE(store_->Audit().ok());
  EXPECT_EQ(store_->FindStamp(Stamped(2).event).value(), std::optional<uint64_t>(1));
  EXPECT_EQ(store_->FindStamp(Stamped(3).event).value(), std::nullopt);
  ASSERT_TRUE(Append({Stamped(3)}).ok());
  ASSERT_TRUE(Append({Stamped(1)}).ok());  // the replay the rule forbids
  Status audit = store_->Audit();
  EXPECT_EQ(audit.reason(), "duplicate_stamp") << audit;
  EXPECT_NE(audit.message().find("entry 3 repeats the stamped event of entry 0"),
            std::string::npos)
      << audit;
  // The retry finds the first entry.
  EXPECT_EQ(store_->FindStamp(Stamped(1).event).value(), std::optional<uint64_t>(0));
}

TEST_F(StampAuditTest, UnstampedEventsAreNotStampedEvents) {
  auto same = testing::MakeBatch(5, 1);
  ASSERT_TRUE(Append(same).ok());
  ASSERT_TRUE(Append(same).ok());  // a trusted host's log: no stamp, no rule
  EXPECT_TRUE(store_->Audit().ok());
}

}  // namespace
}  // namespace ledger::store
