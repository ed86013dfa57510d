// The tlog-witness client against a real witness server over HTTP: the first
// contact learns the witness's size from a 409, later requests carry the
// consistency proof from it, a witness ahead of the log or holding another
// history is reported as rollback_detected (with its latest checkpoint as
// evidence), a lying witness (a fake server on 127.0.0.1: 409 with a huge
// size, 422) as faulty unless what it holds is evidence, an unreachable one as
// down, and every cosignature is verified against the manifest's key.
#include "ledger/witness_client/witness_client.h"

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "ledger/note/cosignature.h"
#include "lying_witness.h"
#include "memory_state_store.h"
#include "witness/server.h"
#include "witness/witness.h"
#include "witness_test_util.h"

namespace ledger::witness_client {
namespace {

using anchor::witness::testing::TestLog;
using ledger::testing::LyingWitness;

class WitnessClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto signer = note::NewCosignatureV1Signer("w1.test", Ed25519PrivateKey::Generate().value());
    witness_vkey_ = signer->VerifierKey();
    anchor::witness::LogConfig cfg{log_.origin(), {note::ParseVerifierKey(log_.vkey()).value()}};
    witness_ = anchor::witness::Witness::Create(&store_, std::move(signer), {cfg}).value();
    server_ = std::make_unique<anchor::witness::Server>(witness_.get());
    port_ = server_->Bind("127.0.0.1", 0).value();
    thread_ = std::thread([this] {
      (void)server_->Serve();
      served_ = true;
    });
  }
  void TearDown() override {
    // httplib's stop() is a no-op until the server thread is listening, so a
    // test that never used the server could stop it too early and hang:
    // stop until the serving thread has returned.
    while (!served_) {
      server_->Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    thread_.join();
  }
  std::atomic<bool> served_{false};

  WitnessConfig Config(const std::string& vkey) {
    return {"w1.test", "http://127.0.0.1:" + std::to_string(port_),
            note::ParseVerifierKey(vkey).value()};
  }
  ProofSource Proofs(TestLog& log) {
    return [&log](uint64_t a, uint64_t b) -> Result<std::vector<Hash>> { return log.Proof(a, b); };
  }
  Answer Ask(WitnessClient& c, TestLog& log, uint64_t size) {
    return c.AddCheckpoint(log.Note(size), log.CheckpointAt(size), Proofs(log), *LogKey(log));
  }
  static std::unique_ptr<note::Verifier> LogKey(const TestLog& log) {
    return note::ParseVerifierKey(log.vkey()).value();
  }

  anchor::witness::testing::MemoryStateStore store_;
  TestLog log_{"example.com/wc-log"};
  std::string witness_vkey_;
  std::unique_ptr<anchor::witness::Witness> witness_;
  std::unique_ptr<anchor::witness::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(WitnessClientTest, CosignsWithProofsFromTheSizeTheWitnessHolds) {
  WitnessClient c(Config(witness_vkey_));
  Answer a = Ask(c, log_, 5);
  ASSERT_EQ(a.outcome, Outcome::kCosigned) << a.status;
  EXPECT_EQ(c.known_size(), 5u);
  // The returned line makes the checkpoint verify with the witness as cosigner.
  auto cosigned = AddSignatures(log_.Note(5), std::span(&a.cosignature, 1)).value();
  auto log_key = note::ParseVerifierKey(log_.vkey()).value();
  auto w = note::ParseVerifierKey(witness_vkey_).value();
  const note::Verifier* ws[] = {w.get()};
  EXPECT_TRUE(VerifyCheckpoint(cosigned, *log_key, ws, 1).ok());

  ASSERT_EQ(Ask(c, log_, 9).outcome, Outcome::kCosigned);
  ASSERT_EQ(Ask(c, log_, 9).outcome, Outcome::kCosigned);  // same head again
  // A new client (a restarted ledgerd) knows nothing: the 409 tells it 9.
  WitnessClient fresh(Config(witness_vkey_));
  Answer b = Ask(fresh, log_, 12);
  ASSERT_EQ(b.outcome, Outcome::kCosigned) << b.status;
  EXPECT_EQ(fresh.known_size(), 12u);
}

TEST_F(WitnessClientTest, AWitnessAheadOrOnAnotherHistoryIsRollbackEvidence) {
  WitnessClient c(Config(witness_vkey_));
  ASSERT_EQ(Ask(c, log_, 10).outcome, Outcome::kCosigned);
  // The log shows an older head (a store restored from a backup).
  WitnessClient restarted(Config(witness_vkey_));
  Answer older = Ask(restarted, log_, 6);
  EXPECT_EQ(older.outcome, Outcome::kConflict);
  EXPECT_EQ(older.witness_size, 10u);
  EXPECT_EQ(older.status.reason(), "rollback_detected");
  EXPECT_TRUE(older.evidence.starts_with(log_.Note(10))) << older.evidence;
  // The same log key signing another history from index 4 on (a fork).
  TestLog fork("example.com/wc-log", "fork", 4);
  auto forked_note = log_.Sign(fork.CheckpointAt(12));
  Answer forked =
      restarted.AddCheckpoint(forked_note, fork.CheckpointAt(12), Proofs(fork), *LogKey(log_));
  EXPECT_EQ(forked.outcome, Outcome::kConflict) << forked.status;
  EXPECT_EQ(forked.status.reason(), "rollback_detected");
  // Another history at the witness's own size: another root.
  auto same_size = log_.Sign(fork.CheckpointAt(10));
  WitnessClient third(Config(witness_vkey_));
  Answer at_ten = third.AddCheckpoint(same_size, fork.CheckpointAt(10), Proofs(fork), *LogKey(log_));
  EXPECT_EQ(at_ten.outcome, Outcome::kConflict) << at_ten.status;
}

TEST_F(WitnessClientTest, AClaimWithoutEvidenceMakesTheWitnessFaultyNotARollback) {
  LyingWitness liar;
  WitnessConfig cfg = Config(witness_vkey_);
  cfg.url = liar.url();
  const uint64_t huge = uint64_t{1} << 62;
  TestLog other("example.com/wc-log");  // same origin, another key
  struct Case {
    int status;
    std::string latest;
    const char* why;
  };
  const Case cases[] = {
      {409, "", "409 with a huge size and no latest checkpoint"},
      {422, "", "422 and no latest checkpoint"},
      {409, "not a note", "a latest checkpoint that does not parse"},
      {409, other.Note(20), "a larger checkpoint signed by another key"},
      {422, log_.Note(6), "a checkpoint our head extends"},
      {422, log_.Note(8), "our very head"},
  };
  for (const Case& c : cases) {
    liar.Answer(c.status, huge, c.latest);
    WitnessClient client(cfg);
    Answer a = Ask(client, log_, 8);
    EXPECT_EQ(a.outcome, Outcome::kFaulty) << c.why << ": " << a.status;
    EXPECT_EQ(a.status.reason(), "witness_faulty") << c.why;
  }
  EXPECT_EQ(liar.latest_asked(), 6);
}

TEST_F(WitnessClientTest, ALyingWitnessHoldingRealEvidenceStillShowsTheRollback) {
  // Whoever serves it, a checkpoint signed by the log key that our head does
  // not extend is evidence: the log's store is behind.
  LyingWitness liar;
  WitnessConfig cfg = Config(witness_vkey_);
  cfg.url = liar.url();
  liar.Answer(409, uint64_t{1} << 62, log_.Note(12));
  WitnessClient client(cfg);
  Answer a = Ask(client, log_, 8);
  EXPECT_EQ(a.outcome, Outcome::kConflict) << a.status;
  EXPECT_EQ(a.status.reason(), "rollback_detected");
  EXPECT_EQ(a.evidence, log_.Note(12));
  TestLog fork("example.com/wc-log", "fork", 3);
  liar.Answer(422, 0, log_.Sign(fork.CheckpointAt(6)));
  WitnessClient again(cfg);
  Answer b = Ask(again, log_, 8);
  EXPECT_EQ(b.outcome, Outcome::kConflict) << b.status;
}

TEST_F(WitnessClientTest, CosignaturesAreCheckedAgainstTheManifestKey) {
  // The manifest names another key for this witness: its answer does not count.
  auto other = note::NewCosignatureV1Signer("w1.test", Ed25519PrivateKey::Generate().value());
  WitnessClient c(Config(other->VerifierKey()));
  Answer a = Ask(c, log_, 3);
  EXPECT_EQ(a.outcome, Outcome::kRefused);
  EXPECT_EQ(a.status.reason(), "witness_refused");
  // A checkpoint the witness cannot verify (unknown log) is refused, not down.
  TestLog stranger("example.com/other");
  WitnessClient c2(Config(witness_vkey_));
  EXPECT_EQ(Ask(c2, stranger, 3).outcome, Outcome::kRefused);
}

TEST_F(WitnessClientTest, AnUnreachableWitnessIsDown) {
  // A port that is bound but not listening: connections are refused.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  WitnessConfig cfg = Config(witness_vkey_);
  cfg.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  ClientOptions o;
  o.connect_timeout = std::chrono::milliseconds(200);
  o.timeout = std::chrono::milliseconds(200);
  WitnessClient c(cfg, o);
  Answer a = Ask(c, log_, 3);
  EXPECT_EQ(a.outcome, Outcome::kDown);
  EXPECT_EQ(a.status.reason(), "witness_unavailable");
  ::close(fd);
}

TEST(ResolveWitnessesTest, NamesMustBeManifestWitnessesOnce) {
  auto w1 = note::NewCosignatureV1Signer("w1.test", Ed25519PrivateKey::Generate().value());
  auto w2 = note::NewCosignatureV1Signer("w2.test", Ed25519PrivateKey::Generate().value());
  auto log_key = note::NewEd25519Signer("w3.test", Ed25519PrivateKey::Generate().value());
  std::vector<std::string> manifest = {w1->VerifierKey(), w2->VerifierKey(),
                                       log_key->VerifierKey()};
  std::vector<std::string> ok = {"w1.test=http://127.0.0.1:1", "w2.test=https://h:2/prefix/"};
  auto resolved = ResolveWitnesses(ok, manifest);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  ASSERT_EQ(resolved->size(), 2u);
  EXPECT_EQ((*resolved)[1].key->VerifierKey(), w2->VerifierKey());
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"w9.test=http://127.0.0.1:1"},                          // not in the manifest
           {"w1.test=http://127.0.0.1:1", "w1.test=http://x:2"},    // twice
           {"w1.test=ftp://127.0.0.1:1"},                           // not http(s)://
           {"w1.test=http://127.0.0.1"},                            // no port
           {"http://127.0.0.1:1"},                                  // no name
           {"w3.test=http://127.0.0.1:1"}}) {                       // not a cosigner key
    auto r = ResolveWitnesses(bad, manifest);
    ASSERT_FALSE(r.ok()) << bad[0];
    EXPECT_EQ(r.status().reason(), "bad_witness_config");
  }
}

}  // namespace
}  // namespace ledger::witness_client
