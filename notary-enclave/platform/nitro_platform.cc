// The Nitro platform (see nitro_platform.h).
#include "platform/nitro_platform.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace notary {

using ledger::Bytes;
using ledger::ByteView;
using ledger::Result;
using ledger::Status;

namespace {

// The NSM driver's one ioctl (aws-nitro-enclaves-nsm-api, driver
// nsm.h): request and response buffers as iovecs, magic 0x0A, number 0.
struct NsmMessage {
  iovec request;
  iovec response;
};
constexpr unsigned long kNsmIoctlRequest = _IOWR(0x0A, 0, NsmMessage);
// Largest NSM response (NSM_RESPONSE_MAX_SIZE in the driver).
constexpr size_t kNsmResponseMax = 0x3000;

Status IoError(const std::string& what) {
  return Status::Unavailable("io_error", what + ": " + std::strerror(errno));
}

}  // namespace

Result<std::unique_ptr<NitroPlatform>> NitroPlatform::Create(uint32_t vsock_port) {
  std::unique_ptr<NitroPlatform> p(new NitroPlatform());
  p->nsm_fd_ = ::open("/dev/nsm", O_RDWR | O_CLOEXEC);
  if (p->nsm_fd_ < 0) return IoError("open /dev/nsm");
  p->listen_fd_ = ::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (p->listen_fd_ < 0) return IoError("socket(AF_VSOCK)");
  sockaddr_vm addr{};
  addr.svm_family = AF_VSOCK;
  addr.svm_cid = VMADDR_CID_ANY;
  addr.svm_port = vsock_port;
  if (::bind(p->listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return IoError("bind vsock port " + std::to_string(vsock_port));
  }
  // Backlog 1: the notary serves one host connection at a time.
  if (::listen(p->listen_fd_, 1) != 0) return IoError("listen");
  return p;
}

NitroPlatform::~NitroPlatform() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (nsm_fd_ >= 0) ::close(nsm_fd_);
}

Result<Bytes> NitroPlatform::Call(ByteView request) {
  Bytes response(kNsmResponseMax);
  NsmMessage msg{};
  msg.request.iov_base = const_cast<uint8_t*>(request.data());
  msg.request.iov_len = request.size();
  msg.response.iov_base = response.data();
  msg.response.iov_len = response.size();
  if (::ioctl(nsm_fd_, kNsmIoctlRequest, &msg) != 0) return IoError("ioctl /dev/nsm");
  if (msg.response.iov_len > response.size()) {
    return Status::Internal("nsm_response_too_large", "NSM response overflows its buffer");
  }
  response.resize(msg.response.iov_len);
  return response;
}

// PENDING_NSM_CODEC
Result<Bytes> NitroPlatform::GetRandom(size_t) {
  return Status::Unavailable("nsm_unavailable", "NSM codec not built");
}
Result<Bytes> NitroPlatform::Attest(ByteView, ByteView, ByteView) {
  return Status::Unavailable("nsm_unavailable", "NSM codec not built");
}
Result<Bytes> NitroPlatform::DescribePcr(uint16_t) {
  return Status::Unavailable("nsm_unavailable", "NSM codec not built");
}

Result<int> NitroPlatform::AcceptHost() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) return fd;
    if (errno != EINTR && errno != ECONNABORTED) return IoError("accept");
  }
}

}  // namespace notary
