// The witness state machine in-process, on a state store in memory
// (memory_state_store.h: failing writes, tampering).
#include "witness/witness.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "ledger/note/cosignature.h"
#include "memory_state_store.h"
#include "witness_test_util.h"

namespace anchor::witness {
namespace {

using ledger::Checkpoint;
using testing::MemoryStateStore;
using testing::TestLog;
namespace note = ledger::note;

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = ledger::Ed25519PrivateKey::Generate().value();
    auto signer = note::NewCosignatureV1Signer("witness.example", std::move(key), [] {
      return uint64_t{1700000000};
    });
    witness_vkey_ = signer->VerifierKey();
    witness_ = Make(std::move(signer));
  }

  std::unique_ptr<Witness> Make(std::unique_ptr<note::CosignatureV1Signer> signer) {
    LogConfig cfg{log_.origin(), {note::ParseVerifierKey(log_.vkey()).value()}};
    return Witness::Create(&store_, std::move(signer), {cfg}).value();
  }

  // The checkpoint with the returned cosignature attached verifies with the
  // log key and the witness as a cosigner.
  void ExpectCosigned(const std::string& checkpoint, const Reply& reply) {
    ASSERT_EQ(reply.status, 200) << reply.body;
    auto log_key = note::ParseVerifierKey(log_.vkey()).value();
    auto wit_key = note::ParseVerifierKey(witness_vkey_).value();
    const note::Verifier* witnesses[] = {wit_key.get()};
    auto v = ledger::VerifyCheckpoint(checkpoint + reply.body, *log_key, witnesses, 1);
    ASSERT_TRUE(v.ok()) << v.status();
    ASSERT_EQ(v->cosignatures.size(), 1u);
    EXPECT_EQ(v->cosignatures[0].timestamp, 1700000000u);
  }

  Reply Add(const std::string& body) { return witness_->AddCheckpoint(body); }
  std::string OriginHash() { return ledger::Sha256::Digest(log_.origin()).Hex(); }

  MemoryStateStore store_;
  TestLog log_{"example.com/log"};
  std::string witness_vkey_;
  std::unique_ptr<Witness> witness_;
};

TEST_F(WitnessTest, CosignsAFirstCheckpointAndConsistentSuccessors) {
  EXPECT_EQ(witness_->LatestCheckpoint(OriginHash()).status, 404);
  ExpectCosigned(log_.Note(5), Add(log_.Body(0, 5)));
  ExpectCosigned(log_.Note(13), Add(log_.Body(5, 13)));
  // The same checkpoint again: old == size, empty proof, same root.
  ExpectCosigned(log_.Note(13), Add(log_.Body(13, 13)));
  Reply latest = witness_->LatestCheckpoint(OriginHash());
  ASSERT_EQ(latest.status, 200);
  EXPECT_TRUE(latest.body.starts_with(log_.CheckpointAt(13).ToText() + "\n"));
  auto wit_key = note::ParseVerifierKey(witness_vkey_).value();
  const note::Verifier* witnesses[] = {wit_key.get()};
  auto log_key = note::ParseVerifierKey(log_.vkey()).value();
  EXPECT_TRUE(ledger::VerifyCheckpoint(latest.body, *log_key, witnesses, 1).ok());
}

TEST_F(WitnessTest, AcceptsTheEmptyTreeOnlyWithTheEmptyRoot) {
  ExpectCosigned(log_.Note(0), Add(log_.Body(0, 0)));
  Checkpoint bad{log_.origin(), 0, log_.Root(1), {}};
  Reply r = Add(FormatAddCheckpoint({0, {}, log_.Sign(bad)}));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body, "bad_empty_root\n");
  ExpectCosigned(log_.Note(3), Add(log_.Body(0, 3)));
}

TEST_F(WitnessTest, AnswersAnOldSizeMismatchWithItsLatestSize) {
  ASSERT_EQ(Add(log_.Body(0, 8)).status, 200);
  for (const auto& body : {log_.Body(0, 9), log_.Body(4, 9), log_.Body(4, 4)}) {
    Reply r = Add(body);
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(r.content_type, "text/x.tlog.size");
    EXPECT_EQ(r.body, "8\n");
  }
}

TEST_F(WitnessTest, RefusesInconsistentCheckpoints) {
  ASSERT_EQ(Add(log_.Body(0, 8)).status, 200);
  TestLog fork(log_.origin(), "fork ");
  // Same key: a log that signed a different tree.
  auto forked = [&](uint64_t old_size, uint64_t size) {
    return FormatAddCheckpoint({old_size, fork.Proof(old_size, size),
                                log_.Sign(fork.CheckpointAt(size))});
  };
  EXPECT_EQ(Add(forked(8, 12)).body, "inconsistent_proof\n");
  EXPECT_EQ(Add(forked(8, 12)).status, 422);
  // Same size, different root.
  Reply same = Add(FormatAddCheckpoint({8, {}, log_.Sign(fork.CheckpointAt(8))}));
  EXPECT_EQ(same.status, 422);
  EXPECT_EQ(same.body, "root_mismatch\n");
  // A wrong proof for the right checkpoint.
  auto proof = log_.Proof(8, 12);
  proof[0].bytes[0] ^= 1;
  EXPECT_EQ(Add(FormatAddCheckpoint({8, proof, log_.Note(12)})).status, 422);
  EXPECT_EQ(Add(FormatAddCheckpoint({8, {}, log_.Note(12)})).status, 422);
  // Nothing was cosigned: the honest successor still is.
  ExpectCosigned(log_.Note(12), Add(log_.Body(8, 12)));
}

TEST_F(WitnessTest, RefusesAProofFromSizeZero) {
  Reply r = Add(FormatAddCheckpoint({0, {log_.Root(1)}, log_.Note(4)}));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body, "unexpected_proof\n");
}

TEST_F(WitnessTest, MapsOriginSignatureAndSizeErrors) {
  TestLog other("other.example/log");
  EXPECT_EQ(Add(other.Body(0, 3)).status, 404);
  EXPECT_EQ(Add(other.Body(0, 3)).body, "unknown_origin\n");
  EXPECT_EQ(witness_->LatestCheckpoint(ledger::Sha256::Digest(other.origin()).Hex()).status, 404);
  // Right origin, signed by another key (unknown key ID): 403.
  TestLog impostor(log_.origin());
  Reply unsigned_reply = Add(impostor.Body(0, 3));
  EXPECT_EQ(unsigned_reply.status, 403);
  EXPECT_EQ(unsigned_reply.body, "unverified_checkpoint\n");
  // The log's key ID with a broken signature: 403.
  std::string note = log_.Note(3);
  size_t sig = note.rfind(' ') + 10;
  note[sig] = note[sig] == 'A' ? 'B' : 'A';
  Reply bad = Add(FormatAddCheckpoint({0, {}, note}));
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(bad.body, "bad_signature\n");
  // old > size: 400.
  EXPECT_EQ(Add(FormatAddCheckpoint({4, {}, log_.Note(3)})).status, 400);
  // Malformed request and checkpoint: 400; oversize: 413.
  EXPECT_EQ(Add("old 0\n").status, 400);
  EXPECT_EQ(Add("old 0\n\nnot a note\n").status, 400);
  EXPECT_EQ(Add("old 0\n\n" + std::string(kMaxAddCheckpointBody, 'x')).status, 413);
  EXPECT_EQ(witness_->LatestCheckpoint(OriginHash()).status, 404);
}

TEST_F(WitnessTest, ReleasesNoCosignatureWhenTheWriteFails) {
  ASSERT_EQ(Add(log_.Body(0, 4)).status, 200);
  store_.FailWrites();
  Reply r = Add(log_.Body(4, 9));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "store_unavailable\n");
  EXPECT_EQ(Add(log_.Body(4, 9)).status, 503);
  // Its state is still 4.
  EXPECT_EQ(Add(log_.Body(9, 9)).body, "4\n");
}

TEST_F(WitnessTest, StateSurvivesANewInstanceAndRefusesAnotherKey) {
  ASSERT_EQ(Add(log_.Body(0, 6)).status, 200);
  witness_.reset();
  auto key = ledger::Ed25519PrivateKey::Generate().value();
  auto other = Make(note::NewCosignatureV1Signer("witness.example", std::move(key)));
  // Its stored state carries no valid cosignature by this key: refused.
  EXPECT_EQ(other->AddCheckpoint(log_.Body(6, 7)).status, 500);
  EXPECT_EQ(other->LatestCheckpoint(OriginHash()).body, "corrupt_state\n");
}

TEST_F(WitnessTest, DetectsATamperedState) {
  ASSERT_EQ(Add(log_.Body(0, 6)).status, 200);
  std::string text = store_.Get(log_.origin()).value();
  text.replace(text.find("\n6\n"), 3, "\n2\n");
  store_.Overwrite(log_.origin(), text);
  EXPECT_EQ(Add(log_.Body(2, 7)).status, 500);
}

TEST_F(WitnessTest, CosignsOnlyOneOfConcurrentConflictingSuccessors) {
  ASSERT_EQ(Add(log_.Body(0, 4)).status, 200);
  // Both successors of size 10 extend the cosigned size 4, but not each other.
  TestLog fork(log_.origin(), "fork ", 4);
  const std::string bodies[] = {
      log_.Body(4, 10),
      FormatAddCheckpoint({4, fork.Proof(4, 10), log_.Sign(fork.CheckpointAt(10))})};
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      if (witness_->AddCheckpoint(bodies[t % 2]).status == 200) accepted.fetch_add(1);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(Add(log_.Body(4, 10)).body, "10\n");
}

}  // namespace
}  // namespace anchor::witness
