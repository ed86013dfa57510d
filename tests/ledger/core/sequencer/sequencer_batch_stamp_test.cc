// The sequencer and batch stamps (stamp.md §7.4): a request signed once is
// verified once, whatever the thread count, and each event is still checked
// against the policy on its own; a tampered path refuses the batch.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "ledger/record/event.h"
#include "ledger/record/stamp.h"
#include "ledger/sequencer/sequencer.h"
#include "sequencer/four_threads.h"

namespace ledger {
namespace {

using testing::FourThreads;

constexpr char kOrigin[] = "ledger.example/batch-stamps";

Ed25519PrivateKey LogKey() { return Ed25519PrivateKey::FromSeed(Bytes(32, 17)).value(); }
Ed25519PrivateKey SubmitterKey() { return Ed25519PrivateKey::FromSeed(Bytes(32, 18)).value(); }

// Counts the signature checks made with the submitter's key.
class CountingVerifier : public note::Verifier {
 public:
  explicit CountingVerifier(std::unique_ptr<note::Verifier> inner) : inner_(std::move(inner)) {}
  const std::string& name() const override { return inner_->name(); }
  uint32_t key_id() const override { return inner_->key_id(); }
  uint8_t alg() const override { return inner_->alg(); }
  Status Verify(std::string_view text, ByteView payload) const override {
    ++calls;
    return inner_->Verify(text, payload);
  }
  std::string VerifierKey() const override { return inner_->VerifierKey(); }
  mutable std::atomic<int> calls{0};

 private:
  std::unique_ptr<note::Verifier> inner_;
};


struct Fixture {
  std::shared_ptr<CountingVerifier> counter;
  Sequencer sequencer;
};

Fixture NewSequencer(bool parallel, std::vector<EventKind> kinds = {}) {
  auto counter = std::make_shared<CountingVerifier>(
      note::NewEd25519Verifier("svc-batch", SubmitterKey().public_key()));
  SubmitterPolicy policy;
  policy.submitters.push_back({counter, std::move(kinds)});
  SequencerOptions options;
  if (parallel) options.parallel_for = FourThreads;
  auto s = Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), std::move(policy),
                              [] { return uint64_t{9'000'000}; }, std::move(options))
               .value();
  return {std::move(counter), std::move(s)};
}

std::vector<Bytes> EventBytes(size_t n, size_t first = 0, EventKind kind = EventKind::kKeyRotated) {
  std::vector<Bytes> out;
  for (size_t i = first; i < first + n; ++i) {
    Event e;
    e.kind = kind;
    e.event_id = "b-" + std::to_string(i);
    e.occurred_at_us = 1000 + i;
    e.actor.id = "svc/rotator";
    e.subject = "key/k-" + std::to_string(i % 7);
    out.push_back(EncodeEvent(e).value());
  }
  return out;
}

std::vector<SubmittedEvent> Submitted(const std::vector<Bytes>& events,
                                      const std::vector<Bytes>& stamps) {
  std::vector<SubmittedEvent> out;
  for (size_t i = 0; i < events.size(); ++i) out.push_back({events[i], stamps[i]});
  return out;
}

TEST(SequencerBatchStampTest, TwoRequestsInOneBatchCostTwoSignatureChecks) {
  auto signer = note::NewEd25519Signer("svc-batch", SubmitterKey());
  const auto a = EventBytes(300, 0), b = EventBytes(200, 300);
  auto batch = Submitted(a, MakeBatchStamps(kOrigin, a, *signer).value());
  for (auto& e : Submitted(b, MakeBatchStamps(kOrigin, b, *signer).value())) batch.push_back(e);
  // and one event with a per-event stamp, which is its own check
  const auto c = EventBytes(1, 500);
  batch.push_back({c[0], MakeStamp(kOrigin, c[0], *signer).value()});
  for (bool parallel : {false, true}) {
    SCOPED_TRACE(parallel);
    Fixture f = NewSequencer(parallel);
    auto got = f.sequencer.Sequence(0, merkle::EmptyRoot(), batch);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->leaves.size(), 501u);
    EXPECT_EQ(f.counter->calls.load(), 3);
  }
}

// The host flips a byte of one event's path in the middle of a batch-stamped
// request: the batch is refused naming that event, nothing is sequenced.
TEST(SequencerBatchStampTest, ATamperedPathRefusesTheBatchNamingTheEvent) {
  auto signer = note::NewEd25519Signer("svc-batch", SubmitterKey());
  const auto events = EventBytes(64);
  auto stamps = MakeBatchStamps(kOrigin, events, *signer).value();
  stamps[37][stamps[37].size() - 5] ^= 0x01;
  for (bool parallel : {false, true}) {
    Fixture f = NewSequencer(parallel);
    const Status got = f.sequencer.Sequence(0, merkle::EmptyRoot(), Submitted(events, stamps)).status();
    EXPECT_EQ(got.reason(), "bad_stamp") << got;
    EXPECT_NE(got.message().find("event 37"), std::string::npos) << got;
    EXPECT_EQ(f.sequencer.head().size(), 0u);
  }
}

// The host drops events of a signed request, or reorders them: every event
// still verifies on its own (the submitter signed each), so what is appended
// is exactly a subset of what was signed, never anything else. An event added
// by the host is refused.
TEST(SequencerBatchStampTest, TheHostCanOnlyDropSignedEventsNotAddAny) {
  auto signer = note::NewEd25519Signer("svc-batch", SubmitterKey());
  const auto events = EventBytes(10);
  auto stamps = MakeBatchStamps(kOrigin, events, *signer).value();
  std::vector<SubmittedEvent> subset = {{events[7], stamps[7]}, {events[2], stamps[2]}};
  Fixture f = NewSequencer(true);
  ASSERT_TRUE(f.sequencer.Sequence(0, merkle::EmptyRoot(), subset).ok());
  const auto extra = EventBytes(1, 99);
  std::vector<SubmittedEvent> added = {{events[3], stamps[3]}, {extra[0], stamps[4]}};
  const Status got =
      f.sequencer.Sequence(f.sequencer.head().size(), f.sequencer.head().range.Root(), added).status();
  EXPECT_EQ(got.reason(), "bad_stamp") << got;
  EXPECT_NE(got.message().find("event 1"), std::string::npos) << got;
}

// The policy is still per event: a request whose one signature is good but
// whose events include a kind the submitter may not append is refused.
TEST(SequencerBatchStampTest, ThePolicyStillAppliesToEachEvent) {
  auto signer = note::NewEd25519Signer("svc-batch", SubmitterKey());
  auto events = EventBytes(5);
  events.push_back(EventBytes(1, 5, EventKind::kKeyCreated)[0]);
  auto stamps = MakeBatchStamps(kOrigin, events, *signer).value();
  Fixture f = NewSequencer(true, {EventKind::kKeyRotated});
  const Status got = f.sequencer.Sequence(0, merkle::EmptyRoot(), Submitted(events, stamps)).status();
  EXPECT_EQ(got.reason(), "unauthorized_kind") << got;
  EXPECT_NE(got.message().find("event 5"), std::string::npos) << got;
}

}  // namespace
}  // namespace ledger
