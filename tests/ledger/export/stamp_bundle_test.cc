// verify-bundle reports a stamped event sequenced twice (entries.stamps,
// duplicate_stamp; map.md §5a), in a bundle honestly exported from a log that
// a notary without the rule wrote (a sequencer without the state map whose
// replay window is gone, as after a restart).
#include <gtest/gtest.h>

#include "export_fixture.h"
#include "ledger/record/stamp.h"

namespace ledger::testing {
namespace {

std::unique_ptr<note::Signer> Submitter() {
  return note::NewEd25519Signer("svc-stamper", Ed25519PrivateKey::FromSeed(Bytes(32, 11)).value());
}

class StampBundleTest : public ExportTest {
 protected:
  void SetUp() override {
    SubmitterPolicy policy;
    policy.submitters.push_back({std::shared_ptr<const note::Verifier>(
                                     note::ParseVerifierKey(Submitter()->VerifierKey()).value()),
                                 {}});
    policy.require_stamps = false;  // the exporter's EXPORT_CREATED is unstamped here
    SequencerOptions o;
    o.replay_window = 0;
    seq_ = Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()),
                              std::move(policy), FixedClock(1'700'000'000'000'000ull), o)
               .value();
    ExportTest::SetUp();
  }
  void AppendStamped(uint64_t n) {
    Bytes ev = EncodeEvent(MakeEvent(n)).value();
    std::vector<SubmittedEvent> events{{ev, MakeStamp(kOrigin, ev, *Submitter()).value()}};
    auto b = seq_.Sequence(seq_.head().size(), seq_.head().range.Root(), events);
    ASSERT_TRUE(b.ok()) << b.status();
    ASSERT_TRUE(store_->Append(*b).ok());
  }
};

TEST_F(StampBundleTest, OnceEachPasses) {
  for (uint64_t n : {1, 2, 3}) AppendStamped(n);
  auto r = Verify(Export(Request()));
  EXPECT_TRUE(r.ok()) << Failed(r);
  ASSERT_NE(r.Find("entries.stamps"), nullptr);
  EXPECT_NE(r.Find("entries.stamps")->detail.find("3 stamped events"), std::string::npos);
}

TEST_F(StampBundleTest, AReplayedStampedEventFails) {
  for (uint64_t n : {1, 2, 1}) AppendStamped(n);
  auto r = Verify(Export(Request()));
  EXPECT_TRUE(Fails(r, "entries.stamps")) << Failed(r);
  EXPECT_NE(r.Find("entries.stamps")->detail.find(
                "duplicate_stamp: entry 2 repeats the stamped event of entry 0"),
            std::string::npos)
      << Failed(r);
  // Everything else about the bundle is in order: only the duplicate fails.
  for (const auto& c : r.checks) {
    if (c.name != "entries.stamps") {
      EXPECT_TRUE(c.ok) << c.name << ": " << c.detail;
    }
  }
}

}  // namespace
}  // namespace ledger::testing
