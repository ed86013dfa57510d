// The host reaches the notary over vsock (a Nitro enclave from its parent):
// the same frames as on a Unix socket. Needs vsock loopback in the kernel
// (vsock_loopback, CID 1); where there is none the test says so and skips.
#include <gtest/gtest.h>
#include <linux/vm_sockets.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "enclave_fixture.h"
#include "ledger/notary_client/notary_client.h"
#include "notary/serve.h"

namespace notary::testing {
namespace {

// A listening vsock socket on any CID and a free port, or -1 with `why`.
int ListenVsock(uint32_t& port, std::string& why) {
  int fd = ::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return why = std::string("socket(AF_VSOCK): ") + std::strerror(errno), -1;
  sockaddr_vm addr{};
  addr.svm_family = AF_VSOCK;
  addr.svm_cid = VMADDR_CID_ANY;
  addr.svm_port = VMADDR_PORT_ANY;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    why = std::string("bind/listen on vsock: ") + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  port = addr.svm_port;
  return fd;
}

// Whether a connection to CID 1 (local loopback) goes through within a
// second; `why` says what the kernel answered when it does not.
bool LoopbackWorks(uint32_t port, std::string& why) {
  int fd = ::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return why = std::strerror(errno), false;
  timeval timeout{1, 0};
  ::setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &timeout, sizeof timeout);
  sockaddr_vm addr{};
  addr.svm_family = AF_VSOCK;
  addr.svm_cid = VMADDR_CID_LOCAL;
  addr.svm_port = port;
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (!ok) why = std::strerror(errno);
  ::close(fd);
  return ok;
}

TEST_F(EnclaveFixture, TheHostReachesTheNotaryOverVsock) {
  uint32_t port = 0;
  std::string why;
  const int listener = ListenVsock(port, why);
  if (listener < 0) GTEST_SKIP() << "no vsock here: " << why;
  if (!LoopbackWorks(port, why)) {
    ::close(listener);
    GTEST_SKIP() << "no vsock loopback (CID 1) in this kernel: " << why;
  }
  // The probe's connection is waiting in the backlog: take it and drop it.
  ::close(::accept(listener, nullptr, nullptr));
  auto enclave = Boot();
  std::thread server([&] {
    int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) return;
    (void)ServeConnection(fd, *enclave, [](std::string_view) {});
    ::close(fd);
  });
  {
    auto client = ledger::notary_client::NotaryClient::Connect("vsock:1:" + std::to_string(port));
    ASSERT_TRUE(client.ok()) << client.status();
    auto status = (*client)->GetStatus();
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_EQ(status->state(), pb::StatusInfo::BOOTED) << status->DebugString();
  }
  server.join();
  ::close(listener);
}

}  // namespace
}  // namespace notary::testing
