// ledgerd on TLS with real processes (ledger/tls): a notary, a witness on
// https that ledgerd verifies against --witness-ca, and ledgerd requiring
// client certificates (--client-ca). The client certificate's subject is
// answered and logged as the submitting identity; a client without one, or
// trusting another CA, gets nothing; SIGHUP swaps ledgerd's certificate
// while it serves. Refusals at start (a TLS file that cannot be used, tokens
// on a plain listener off loopback) and per request (Basic credentials
// over plain HTTP off loopback) carry their stable reasons.
#include <httplib.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "ledgerd_fixture.h"
#include "test_pki.h"

namespace ledger::ledgerd::testing {
namespace {

using ledger::testing::TestPki;

class LedgerdTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A refused handshake can leave the client writing to a closed socket
    // (SSL_write does not use MSG_NOSIGNAL): an error, not the test's death.
    ::signal(SIGPIPE, SIG_IGN);
    deployment_.dir_prefix = "ledgerd-tls-test";
    deployment_.witness_count = 1;
    deployment_.witness_quorum = 1;
    deployment_.Create();
    ASSERT_FALSE(HasFatalFailure());
    ca_ = std::make_unique<TestPki>(deployment_.dir / "tls", "ca");
    other_ = std::make_unique<TestPki>(deployment_.dir / "tls", "other-ca");
    server_ = ca_->Server("ledgerd");
    client_ = ca_->Client("svc", "O=Example,CN=svc.test");
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << Slurp(deployment_.P("witness0.log"));
    ledgerd_.reset();
    witness_.reset();
    deployment_.Destroy();
  }

  // The manifest's witness on https, with a certificate of the test CA.
  std::string StartTlsWitness() {
    deployment_.StopWitness(0);  // Create started it on plain HTTP
    auto cert = ca_->Server("witness");
    witness_ = std::make_unique<Process>(
        std::vector<std::string>{WITNESS_BIN, "--listen", "127.0.0.1:0", "--data",
                                 deployment_.WitnessDb(0), "--name", Deployment::WitnessName(0),
                                 "--key", deployment_.P("witness0.key"), "--log",
                                 deployment_.origin + "=" + deployment_.vkey, "--tls-cert",
                                 cert.cert, "--tls-key", cert.key},
        deployment_.P("witness0.log"));
    EXPECT_EQ(witness_->ReadLine(), "witness " + deployment_.witness_vkeys[0]);
    const std::string line = witness_->ReadLine();
    const std::string prefix = "listening on 127.0.0.1:";
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
    return "https://127.0.0.1:" + line.substr(prefix.size());
  }

  // ledgerd on TLS with client certificates and the https witness.
  void StartMutualTls() {
    const std::string witness = StartTlsWitness();
    port_ = deployment_.StartLedgerd(
        ledgerd_,
        {"--tls-cert", server_.cert, "--tls-key", server_.key, "--client-ca", ca_->ca_file(),
         "--witness-ca", ca_->ca_file(), "--witness", Deployment::WitnessName(0) + "=" + witness});
    ASSERT_GT(port_, 0) << Slurp(deployment_.P("ledgerd.log"));
  }

  std::unique_ptr<httplib::Client> Client(const std::string& ca, const TestPki::Files* cert) {
    const std::string origin = "https://127.0.0.1:" + std::to_string(port_);
    auto c = cert ? std::make_unique<httplib::Client>(origin, cert->cert, cert->key)
                  : std::make_unique<httplib::Client>(origin);
    c->set_ca_cert_path(ca);
    c->enable_server_certificate_verification(true);
    c->set_read_timeout(30, 0);
    return c;
  }

  // GET /healthz until it serves (the witness confirms the head first).
  void WaitHealthy(httplib::Client& c) {
    for (int i = 0; i < 300; ++i) {
      auto r = c.Get("/healthz");
      if (r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "ledgerd not healthy: " << Slurp(deployment_.P("ledgerd.log"));
  }

  // Starts ledgerd with `flags` and expects it to refuse: exit status 2 and
  // `reason` in what it logged.
  void ExpectRefused(std::vector<std::string> flags, const std::string& reason) {
    std::vector<std::string> argv = {LEDGERD_BIN, "--data", deployment_.P("log")};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const std::string log = deployment_.P("refused-" + std::to_string(++refusals_) + ".log");
    Process p(argv, log);
    EXPECT_EQ(p.Wait(), 2) << Slurp(log);
    EXPECT_NE(Slurp(log).find(reason), std::string::npos) << Slurp(log);
  }

  Deployment deployment_;
  std::unique_ptr<TestPki> ca_, other_;
  TestPki::Files server_, client_;
  std::unique_ptr<Process> ledgerd_, witness_;
  int port_ = 0;
  int refusals_ = 0;
};

TEST_F(LedgerdTlsTest, ClientCertificateSubjectIsTheSubmittingIdentity) {
  StartMutualTls();
  ASSERT_FALSE(HasFatalFailure());
  auto c = Client(ca_->ca_file(), &client_);
  WaitHealthy(*c);
  ASSERT_FALSE(HasFatalFailure());
  auto r = c->Post("/v1/entries", deployment_.StampedBatch("id", 2).dump(), "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  auto body = nlohmann::json::parse(r->body);
  EXPECT_EQ(body["client_identity"], "CN=svc.test,O=Example");
  // The receipts went through the https witness (quorum 1).
  EXPECT_EQ(body["results"].size(), 2u);
  const std::string log = Slurp(deployment_.P("ledgerd.log"));
  EXPECT_NE(log.find(R"("client_identity":"CN=svc.test,O=Example")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("msg":"entries submitted")"), std::string::npos) << log;
}

TEST_F(LedgerdTlsTest, RefusesClientsWithoutCertificateOrTrust) {
  StartMutualTls();
  ASSERT_FALSE(HasFatalFailure());
  WaitHealthy(*Client(ca_->ca_file(), &client_));
  ASSERT_FALSE(HasFatalFailure());
  // No client certificate: the handshake fails, nothing is answered.
  auto anonymous = Client(ca_->ca_file(), nullptr)->Get("/healthz");
  EXPECT_FALSE(anonymous);
  // A certificate of another CA: the same.
  auto stranger = other_->Client("stranger", "CN=stranger");
  EXPECT_FALSE(Client(ca_->ca_file(), &stranger)->Get("/healthz"));
  // A client that does not trust ledgerd's CA refuses ledgerd.
  auto untrusting = Client(other_->ca_file(), &client_)->Get("/healthz");
  ASSERT_FALSE(untrusting);
  EXPECT_EQ(untrusting.error(), httplib::Error::SSLServerVerification);
}

TEST_F(LedgerdTlsTest, SighupSwapsTheCertificate) {
  StartMutualTls();
  ASSERT_FALSE(HasFatalFailure());
  WaitHealthy(*Client(ca_->ca_file(), &client_));
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_FALSE(Client(other_->ca_file(), &client_)->Get("/healthz"));
  // The operator replaces the files in place, then signals.
  auto next = other_->Server("ledgerd-next");
  std::filesystem::copy_file(next.cert, server_.cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(next.key, server_.key,
                             std::filesystem::copy_options::overwrite_existing);
  ::kill(ledgerd_->pid(), SIGHUP);
  for (int i = 0; i < 100; ++i) {
    if (Slurp(deployment_.P("ledgerd.log")).find("TLS certificate reloaded") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto pinned_new = Client(other_->ca_file(), &client_)->Get("/healthz");
  ASSERT_TRUE(pinned_new) << httplib::to_string(pinned_new.error());
  EXPECT_EQ(pinned_new->status, 200);
  auto pinned_old = Client(ca_->ca_file(), &client_)->Get("/healthz");
  ASSERT_FALSE(pinned_old);
  EXPECT_EQ(pinned_old.error(), httplib::Error::SSLServerVerification);
}

TEST_F(LedgerdTlsTest, RefusesUnusableTlsFilesAndPlaintextCredentials) {
  const std::string missing = deployment_.P("tls/missing.crt");
  ExpectRefused({"--listen", "127.0.0.1:0", "--tls-cert", missing, "--tls-key", server_.key},
                "tls_cert_invalid");
  auto other = other_->Server("mismatch");
  ExpectRefused({"--listen", "127.0.0.1:0", "--tls-cert", server_.cert, "--tls-key", other.key},
                "tls_key_mismatch");
  ExpectRefused({"--listen", "127.0.0.1:0", "--tls-cert", server_.cert}, "tls_option");
  // Tokens on a plain listener on every interface would cross the network
  // in clear.
  std::ofstream(deployment_.P("export-tokens")) << "auditor:" << std::string(64, '0') << "\n";
  ExpectRefused({"--listen", "0.0.0.0:0", "--export-tokens", deployment_.P("export-tokens")},
                "credentials_over_plaintext");
  // Such a listener without tokens refuses a Basic header before any route.
  Process plain({LEDGERD_BIN, "--data", deployment_.P("log"), "--listen", "0.0.0.0:0", "--witness",
                 Deployment::WitnessName(0) + "=http://127.0.0.1:1"},
                deployment_.P("plain.log"));
  const std::string line = plain.ReadLine();
  const std::string prefix = "listening on 0.0.0.0:";
  ASSERT_EQ(line.rfind(prefix, 0), 0u) << line << Slurp(deployment_.P("plain.log"));
  httplib::Client c("127.0.0.1", std::stoi(line.substr(prefix.size())));
  auto r = c.Get("/v1/export", {{"Authorization", "Basic YXVkaXRvcjp0b2tlbg=="}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("credentials_over_plaintext"), std::string::npos) << r->body;
  auto healthz = c.Get("/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_NE(healthz->status, 403);
}

}  // namespace
}  // namespace ledger::ledgerd::testing
