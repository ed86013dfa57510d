// SequencerOptions::parallel_for: the per-event checks of a batch may run on
// several threads (the notary's verification pool), and the answer is the
// same as on one: the same leaves and checkpoint for a good batch, the same
// refusal (the first bad event in batch order) for a bad one, whatever order
// the checks happen to run in.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "ledger/record/event.h"
#include "ledger/record/stamp.h"
#include "ledger/sequencer/sequencer.h"
#include "sequencer/four_threads.h"

namespace ledger {
namespace {

using testing::FourThreads;

constexpr char kOrigin[] = "ledger.example/parallel";

Ed25519PrivateKey LogKey() { return Ed25519PrivateKey::FromSeed(Bytes(32, 7)).value(); }
Ed25519PrivateKey SubmitterKey() { return Ed25519PrivateKey::FromSeed(Bytes(32, 8)).value(); }

using ParallelFor = std::function<void(size_t, const std::function<void(size_t)>&)>;

// Last index first: a refusal found early must still not win over an
// earlier event's.
void Reversed(size_t n, const std::function<void(size_t)>& body) {
  for (size_t i = n; i-- > 0;) body(i);
}


Sequencer NewSequencer(ParallelFor parallel_for) {
  SubmitterPolicy policy;
  policy.submitters.push_back(
      {std::shared_ptr<const note::Verifier>(
           note::NewEd25519Verifier("svc-kms", SubmitterKey().public_key())),
       {}});
  SequencerOptions options;
  options.parallel_for = std::move(parallel_for);
  return Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), std::move(policy),
                            [] { return uint64_t{7'000'000}; }, std::move(options))
      .value();
}

// n stamped events; the stamps at `forged` are made by a key the policy does
// not know, the one at `unstamped` is missing.
std::vector<SubmittedEvent> Batch(size_t n, std::vector<size_t> forged = {},
                                  std::optional<size_t> unstamped = std::nullopt) {
  auto good = note::NewEd25519Signer("svc-kms", SubmitterKey());
  auto stranger = note::NewEd25519Signer("svc-kms", Ed25519PrivateKey::FromSeed(Bytes(32, 9)).value());
  std::vector<SubmittedEvent> out;
  for (size_t i = 0; i < n; ++i) {
    Event e;
    e.kind = EventKind::kKeyRotated;
    e.event_id = "p-" + std::to_string(i);
    e.occurred_at_us = 1000 + i;
    e.actor.id = "svc/rotator";
    e.subject = "key/k-" + std::to_string(i % 5);
    Bytes bytes = EncodeEvent(e).value();
    const bool forge = std::find(forged.begin(), forged.end(), i) != forged.end();
    Bytes stamp = unstamped == i ? Bytes{} : MakeStamp(kOrigin, bytes, forge ? *stranger : *good).value();
    out.push_back({std::move(bytes), std::move(stamp)});
  }
  return out;
}

TEST(SequencerParallelTest, AGoodBatchGivesTheSameLeavesAndCheckpointOnAnyThreads) {
  const auto batch = Batch(200);
  Sequencer one = NewSequencer(nullptr);
  auto expected = one.Sequence(0, merkle::EmptyRoot(), batch);
  ASSERT_TRUE(expected.ok()) << expected.status();
  for (ParallelFor pf : {ParallelFor(Reversed), ParallelFor(FourThreads)}) {
    Sequencer s = NewSequencer(pf);
    auto got = s.Sequence(0, merkle::EmptyRoot(), batch);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->leaves, expected->leaves);
    EXPECT_EQ(got->checkpoint_note, expected->checkpoint_note);
  }
}

// A submitter (or the host) slips forged stamps into a large batch: the batch
// is refused as a whole, naming the first one, exactly as on one thread, and
// nothing is sequenced.
TEST(SequencerParallelTest, AForgedStampAnywhereRefusesTheBatchNamingTheFirst) {
  const auto batch = Batch(200, {137, 41, 180}, 90);
  Sequencer one = NewSequencer(nullptr);
  const Status expected = one.Sequence(0, merkle::EmptyRoot(), batch).status();
  ASSERT_EQ(expected.code(), Code::kVerificationFailed);
  EXPECT_NE(expected.message().find("event 41"), std::string::npos) << expected;
  for (ParallelFor pf : {ParallelFor(Reversed), ParallelFor(FourThreads)}) {
    Sequencer s = NewSequencer(pf);
    const Status got = s.Sequence(0, merkle::EmptyRoot(), batch).status();
    EXPECT_EQ(got.ToString(), expected.ToString());
    EXPECT_EQ(s.head().size(), 0u);
  }
  // The missing stamp, when it comes first, is the refusal.
  const auto missing_first = Batch(200, {137}, 12);
  Sequencer s = NewSequencer(FourThreads);
  const Status got = s.Sequence(0, merkle::EmptyRoot(), missing_first).status();
  EXPECT_EQ(got.reason(), "missing_stamp");
  EXPECT_NE(got.message().find("event 12"), std::string::npos) << got;
}

}  // namespace
}  // namespace ledger
