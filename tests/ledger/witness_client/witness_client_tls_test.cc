// The tlog-witness client against the real witness server on https: the
// witness's certificate verified against the configured CA (ClientOptions::
// tls), a client trusting another CA gets no cosignature (the witness is
// down for it, never cosigning in clear), and the witness refuses Basic
// credentials on a plain listener off loopback.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "ledger/note/cosignature.h"
#include "ledger/witness_client/witness_client.h"
#include "memory_state_store.h"
#include "test_pki.h"
#include "witness/server.h"
#include "witness/witness.h"
#include "witness_test_util.h"

namespace ledger::witness_client {
namespace {

namespace fs = std::filesystem;
using anchor::witness::testing::TestLog;

class WitnessClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);  // a refused handshake is an error, not the test's death
    dir_ = fs::temp_directory_path() / ("witness-client-tls-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    ca_ = std::make_unique<ledger::testing::TestPki>(dir_, "ca");
    other_ = std::make_unique<ledger::testing::TestPki>(dir_, "other-ca");
    auto signer = note::NewCosignatureV1Signer("w1.test", Ed25519PrivateKey::Generate().value());
    witness_vkey_ = signer->VerifierKey();
    anchor::witness::LogConfig cfg{log_.origin(), {note::ParseVerifierKey(log_.vkey()).value()}};
    witness_ = anchor::witness::Witness::Create(&store_, std::move(signer), {cfg}).value();
  }
  void Serve(const ledger::tls::ServerTls& tls, const std::string& host) {
    server_ = std::make_unique<anchor::witness::Server>(witness_.get(), tls);
    auto port = server_->Bind(host, 0);
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    thread_ = std::thread([this] {
      (void)server_->Serve();
      served_ = true;
    });
  }
  void TearDown() override {
    while (server_ && !served_) {
      server_->Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (thread_.joinable()) thread_.join();
    fs::remove_all(dir_);
  }
  Answer Ask(const std::string& ca) {
    ClientOptions o;
    o.tls.ca_file = ca;
    WitnessClient c({"w1.test", "https://127.0.0.1:" + std::to_string(port_),
                     note::ParseVerifierKey(witness_vkey_).value()},
                    o);
    auto key = note::ParseVerifierKey(log_.vkey()).value();
    return c.AddCheckpoint(
        log_.Note(5), log_.CheckpointAt(5),
        [this](uint64_t a, uint64_t b) -> Result<std::vector<Hash>> { return log_.Proof(a, b); },
        *key);
  }

  fs::path dir_;
  std::unique_ptr<ledger::testing::TestPki> ca_, other_;
  anchor::witness::testing::MemoryStateStore store_;
  TestLog log_{"example.com/wc-tls-log"};
  std::string witness_vkey_;
  std::unique_ptr<anchor::witness::Witness> witness_;
  std::unique_ptr<anchor::witness::Server> server_;
  std::thread thread_;
  std::atomic<bool> served_{false};
  int port_ = 0;
};

TEST_F(WitnessClientTlsTest, CosignsOverHttpsVerifiedAgainstTheCa) {
  auto cert = ca_->Server("witness");
  Serve({cert.cert, cert.key, ""}, "127.0.0.1");
  ASSERT_FALSE(HasFatalFailure());
  Answer a = Ask(ca_->ca_file());
  EXPECT_EQ(a.outcome, Outcome::kCosigned) << a.status;
}

TEST_F(WitnessClientTlsTest, AWitnessOfAnotherCaIsNotTrusted) {
  auto cert = ca_->Server("witness");
  Serve({cert.cert, cert.key, ""}, "127.0.0.1");
  ASSERT_FALSE(HasFatalFailure());
  Answer a = Ask(other_->ca_file());
  EXPECT_EQ(a.outcome, Outcome::kDown);
  EXPECT_EQ(a.status.reason(), "witness_unavailable") << a.status;
  EXPECT_NE(a.status.message().find("SSLServerVerification"), std::string::npos) << a.status;
  // An unusable CA file is a refusal (configuration), not an outage.
  Answer b = Ask((dir_ / "missing.crt").string());
  EXPECT_EQ(b.outcome, Outcome::kRefused);
  EXPECT_EQ(b.status.reason(), "tls_ca_invalid") << b.status;
}

TEST_F(WitnessClientTlsTest, PlainListenerOffLoopbackRefusesBasicCredentials) {
  Serve({}, "0.0.0.0");
  ASSERT_FALSE(HasFatalFailure());
  httplib::Client c("127.0.0.1", port_);
  auto r = c.Get("/metrics", {{"Authorization", "Basic dzE6c2VjcmV0"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->body, "credentials_over_plaintext\n");
  auto plain = c.Get("/metrics");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
}

}  // namespace
}  // namespace ledger::witness_client
