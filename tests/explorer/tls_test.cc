// The explorer binary on https (--tls-cert, --tls-key): served to a client
// that trusts its CA, refused by one that does not, the certificate swapped
// by SIGHUP while it serves, an unusable key refused at start with its
// reason (docs/operations.md, "TLS").
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <iterator>
#include <thread>

#include "../support/test_pki.h"
#include "explorer_fixture.h"

namespace explorer::testing {
namespace {

using ledger::testing::TestPki;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

httplib::Result Get(int port, const std::string& ca) {
  httplib::Client c("https://127.0.0.1:" + std::to_string(port));
  c.set_ca_cert_path(ca);
  c.enable_server_certificate_verification(true);
  c.set_read_timeout(10, 0);
  return c.Get("/checkpoint");
}

TEST(ExplorerTlsTest, ServesHttpsAndReloadsOnSighup) {
  ::signal(SIGPIPE, SIG_IGN);  // a refused handshake is an error, not the test's death
  TestLog log("tls");
  log.Append(3);
  TestPki ca(log.dir() + "/tls", "ca"), other(log.dir() + "/tls", "other-ca");
  auto cert = ca.Server("explorer");
  ExplorerProcess explorer(log.dir(), {"--tls-cert", cert.cert, "--tls-key", cert.key});
  ASSERT_GT(explorer.port(), 0) << Slurp(log.dir() + "/explorer.log");
  auto served = Get(explorer.port(), ca.ca_file());
  ASSERT_TRUE(served) << httplib::to_string(served.error());
  EXPECT_EQ(served->status, 200);
  auto refused = Get(explorer.port(), other.ca_file());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), httplib::Error::SSLServerVerification);

  auto next = other.Server("explorer-next");
  std::filesystem::copy_file(next.cert, cert.cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(next.key, cert.key, std::filesystem::copy_options::overwrite_existing);
  ::kill(explorer.pid(), SIGHUP);
  bool swapped = false;
  for (int i = 0; i < 100 && !swapped; ++i) {
    swapped = static_cast<bool>(Get(explorer.port(), other.ca_file()));
    if (!swapped) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(swapped) << Slurp(log.dir() + "/explorer.log");
  EXPECT_FALSE(Get(explorer.port(), ca.ca_file()));
}

TEST(ExplorerTlsTest, AnUnusableKeyStopsItAtStart) {
  TestLog log("tls-refused");
  log.Append(1);
  TestPki ca(log.dir() + "/tls", "ca");
  auto cert = ca.Server("explorer");
  ::chmod(cert.key.c_str(), 0644);  // a key others can read
  ledger::testing::ChildProcess p({EXPLORER_BIN, "--data", log.dir(), "--listen", "127.0.0.1:0",
                                   "--tls-cert", cert.cert, "--tls-key", cert.key},
                                  log.dir() + "/refused.log");
  EXPECT_EQ(p.Wait(), 2);
  EXPECT_NE(Slurp(log.dir() + "/refused.log").find("tls_key_invalid"), std::string::npos)
      << Slurp(log.dir() + "/refused.log");
}

}  // namespace
}  // namespace explorer::testing
