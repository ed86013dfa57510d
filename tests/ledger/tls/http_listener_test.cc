// ledger::tls against real listeners on 127.0.0.1: certificates generated
// by the test (test_pki.h), clients that verify, refusals with their
// reasons, and a certificate swapped by Reload while the server serves.
#include "ledger/tls/http_listener.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "ledger/tls/client_tls.h"
#include "ledger/tls/plaintext_credentials.h"
#include "test_pki.h"

namespace ledger::tls {
namespace {

namespace fs = std::filesystem;
using testing::TestPki;

ClientTls Trust(const std::string& ca, const std::string& cert = "", const std::string& key = "") {
  ClientTls t;
  t.ca_file = ca;
  t.cert_file = cert;
  t.key_file = key;
  return t;
}

class Running {
 public:
  Running(std::unique_ptr<HttpListener> l, const std::string& host) : l_(std::move(l)) {
    l_->http().Get("/who", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("subject=" + ClientSubject(req), "text/plain");
    });
    HttpListener* raw = l_.get();
    l_->http().set_pre_routing_handler([raw](const httplib::Request& req, httplib::Response& res) {
      Status s = raw->CheckCredentials(req);
      if (s.ok()) return httplib::Server::HandlerResponse::Unhandled;
      res.status = 403;
      res.set_content(s.reason(), "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    });
    port_ = l_->http().bind_to_any_port(host);
    thread_ = std::thread([this] { l_->http().listen_after_bind(); });
    while (!l_->http().is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Running() {
    l_->http().stop();
    thread_.join();
  }
  HttpListener& listener() { return *l_; }
  std::string origin(bool https = true) const {
    return std::string(https ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
  }

 private:
  std::unique_ptr<HttpListener> l_;
  std::thread thread_;
  int port_ = 0;
};

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A refused handshake can leave the client writing to a closed socket
    // (SSL_write does not use MSG_NOSIGNAL): an error, not the test's death.
    ::signal(SIGPIPE, SIG_IGN);
    dir_ = fs::temp_directory_path() /
           ("ledger_tls_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    ca_ = std::make_unique<TestPki>(dir_, "ca-one");
    other_ = std::make_unique<TestPki>(dir_, "ca-two");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Running> Start(const ServerTls& tls, const std::string& host = "127.0.0.1") {
    auto l = HttpListener::Create(tls, host);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return std::make_unique<Running>(std::move(l).value(), host);
  }
  // GET /who: the body, or "error: ..." when no answer came.
  static std::string Who(const std::string& origin, const ClientTls& tls,
                         const httplib::Headers& headers = {}) {
    auto c = MakeClient(origin, tls);
    if (!c.ok()) return "client: " + c.status().reason();
    (*c)->set_connection_timeout(5, 0);
    auto res = (*c)->Get("/who", headers);
    if (!res) return "error: " + httplib::to_string(res.error());
    return std::to_string(res->status) + " " + res->body;
  }

  fs::path dir_;
  std::unique_ptr<TestPki> ca_, other_;
};

TEST_F(TlsTest, ClientWithTheServersCaIsServed) {
  auto server = ca_->Server("server");
  auto r = Start({server.cert, server.key, ""});
  EXPECT_EQ(Who(r->origin(), Trust(ca_->ca_file())), "200 subject=");
}

TEST_F(TlsTest, ClientWithAnotherCaRefusesTheServer) {
  auto server = ca_->Server("server");
  auto r = Start({server.cert, server.key, ""});
  EXPECT_EQ(Who(r->origin(), Trust(other_->ca_file())), "error: SSLServerVerification");
}

TEST_F(TlsTest, ExpiredServerCertificateIsRefused) {
  auto server = ca_->Server("expired", -2 * 86400, -86400);
  auto r = Start({server.cert, server.key, ""});
  EXPECT_EQ(Who(r->origin(), Trust(ca_->ca_file())), "error: SSLServerVerification");
}

TEST_F(TlsTest, ClientCertificateRequiredByClientCa) {
  auto server = ca_->Server("server");
  auto r = Start({server.cert, server.key, ca_->ca_file()});
  // No certificate: the handshake fails (with TLS 1.3 the client learns it
  // at its first write or read, from the server's alert).
  EXPECT_THAT(Who(r->origin(), Trust(ca_->ca_file())), ::testing::StartsWith("error: "));
  // One from another CA: refused as well.
  auto stranger = other_->Client("stranger", "CN=stranger");
  EXPECT_THAT(Who(r->origin(), Trust(ca_->ca_file(), stranger.cert, stranger.key)),
              ::testing::StartsWith("error: "));
  // A certificate of the client CA: its subject is the identity.
  auto svc = ca_->Client("svc", "O=Example,CN=kms.frontend");
  EXPECT_EQ(Who(r->origin(), Trust(ca_->ca_file(), svc.cert, svc.key)),
            "200 subject=CN=kms.frontend,O=Example");
}

TEST_F(TlsTest, ReloadSwapsTheCertificate) {
  auto first = ca_->Server("server");
  auto r = Start({first.cert, first.key, ""});
  ASSERT_EQ(Who(r->origin(), Trust(ca_->ca_file())), "200 subject=");
  EXPECT_EQ(Who(r->origin(), Trust(other_->ca_file())), "error: SSLServerVerification");
  // The operator replaces the files in place, then signals.
  auto second = other_->Server("next");
  fs::copy_file(second.cert, first.cert, fs::copy_options::overwrite_existing);
  fs::copy_file(second.key, first.key, fs::copy_options::overwrite_existing);
  ASSERT_TRUE(r->listener().Reload().ok());
  EXPECT_EQ(Who(r->origin(), Trust(other_->ca_file())), "200 subject=");
  EXPECT_EQ(Who(r->origin(), Trust(ca_->ca_file())), "error: SSLServerVerification");
}

TEST_F(TlsTest, FailedReloadKeepsTheCertificate) {
  auto server = ca_->Server("server");
  auto r = Start({server.cert, server.key, ""});
  fs::remove(server.key);
  Status s = r->listener().Reload();
  EXPECT_EQ(s.reason(), "tls_key_invalid") << s.ToString();
  EXPECT_EQ(Who(r->origin(), Trust(ca_->ca_file())), "200 subject=");
}

TEST_F(TlsTest, StartupErrorsHaveStableReasons) {
  auto server = ca_->Server("server");
  auto reason = [](const ServerTls& tls) {
    auto l = HttpListener::Create(tls, "127.0.0.1");
    return l.ok() ? std::string("ok") : l.status().reason();
  };
  EXPECT_EQ(reason({server.cert, "", ""}), "tls_option");
  EXPECT_EQ(reason({"", "", ca_->ca_file()}), "tls_option");
  EXPECT_EQ(reason({(dir_ / "missing.crt").string(), server.key, ""}), "tls_cert_invalid");
  EXPECT_EQ(reason({server.key, server.key, ""}), "tls_cert_invalid");  // no certificate in it
  EXPECT_EQ(reason({server.cert, (dir_ / "missing.key").string(), ""}), "tls_key_invalid");
  EXPECT_EQ(reason({server.cert, server.cert, ""}), "tls_key_invalid");  // no key in it
  auto other = other_->Server("other");
  EXPECT_EQ(reason({server.cert, other.key, ""}), "tls_key_mismatch");
  EXPECT_EQ(reason({server.cert, server.key, (dir_ / "missing-ca.crt").string()}),
            "tls_client_ca_invalid");
  ::chmod(server.key.c_str(), 0644);
  EXPECT_EQ(reason({server.cert, server.key, ""}), "tls_key_invalid");
}

TEST_F(TlsTest, ClientErrorsHaveStableReasons) {
  auto reason = [](const std::string& origin, const ClientTls& tls) {
    auto c = MakeClient(origin, tls);
    return c.ok() ? std::string("ok") : c.status().reason();
  };
  EXPECT_EQ(reason("https://127.0.0.1:1", Trust((dir_ / "missing.crt").string())),
            "tls_ca_invalid");
  EXPECT_EQ(reason("https://127.0.0.1:1", Trust("", "a.crt", "")), "tls_option");
  EXPECT_EQ(reason("ftp://127.0.0.1:1", {}), "bad_url");
  EXPECT_EQ(reason("https://127.0.0.1:1", Trust(ca_->ca_file())), "ok");
}

TEST(PlaintextCredentialsTest, LoopbackDecision) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"}) {
    EXPECT_TRUE(IsLoopbackHost(h)) << h;
  }
  for (const char* h : {"0.0.0.0", "::", "192.0.2.2", "10.0.0.1", "", "example.com", "128.0.0.1"}) {
    EXPECT_FALSE(IsLoopbackHost(h)) << h;
  }
  const ServerTls plain;
  const ServerTls tls{"c.crt", "c.key", ""};
  EXPECT_TRUE(RefusesPlaintextCredentials(plain, "0.0.0.0"));
  EXPECT_FALSE(RefusesPlaintextCredentials(plain, "127.0.0.1"));
  EXPECT_FALSE(RefusesPlaintextCredentials(tls, "0.0.0.0"));
  EXPECT_EQ(CheckCredentialsListener(plain, "0.0.0.0", true, "export tokens").reason(),
            "credentials_over_plaintext");
  EXPECT_TRUE(CheckCredentialsListener(plain, "0.0.0.0", false, "tokens").ok());
  EXPECT_TRUE(CheckCredentialsListener(tls, "0.0.0.0", true, "tokens").ok());
  EXPECT_TRUE(CheckCredentialsListener(plain, "127.0.0.1", true, "tokens").ok());
  EXPECT_EQ(CheckRequestCredentials(true, "Basic YTpi").reason(), "credentials_over_plaintext");
  EXPECT_EQ(CheckRequestCredentials(true, "basic YTpi").reason(), "credentials_over_plaintext");
  EXPECT_TRUE(CheckRequestCredentials(true, "Bearer x").ok());
  EXPECT_TRUE(CheckRequestCredentials(true, "").ok());
  EXPECT_TRUE(CheckRequestCredentials(false, "Basic YTpi").ok());
}

// A plain listener on every interface (0.0.0.0; reached here through
// 127.0.0.1) refuses Basic credentials; on loopback it takes them.
TEST_F(TlsTest, PlainNonLoopbackListenerRefusesBasicCredentials) {
  const httplib::Headers basic = {{"Authorization", "Basic YXVkaXRvcjp0b2tlbg=="}};
  auto wide = Start({}, "0.0.0.0");
  EXPECT_EQ(Who(wide->origin(false), {}, basic), "403 credentials_over_plaintext");
  EXPECT_EQ(Who(wide->origin(false), {}), "200 subject=");
  auto local = Start({}, "127.0.0.1");
  EXPECT_EQ(Who(local->origin(false), {}, basic), "200 subject=");
}

}  // namespace
}  // namespace ledger::tls
