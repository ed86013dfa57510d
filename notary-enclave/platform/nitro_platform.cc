// The Nitro platform (see nitro_platform.h).
#include "platform/nitro_platform.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include "platform/nsm_codec.h"

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

// GetRandom returns what the NSM gives per call (it may be fewer bytes than
// asked for), so it is called until n bytes are gathered.
Result<Bytes> NitroPlatform::GetRandom(size_t n) {
  Bytes out;
  while (out.size() < n) {
    ASSIGN_OR_RETURN(Bytes response, Call(nsm::EncodeGetRandomRequest()));
    ASSIGN_OR_RETURN(Bytes random, nsm::ParseGetRandomResponse(response));
    size_t take = std::min(random.size(), n - out.size());
    out.insert(out.end(), random.begin(), random.begin() + static_cast<std::ptrdiff_t>(take));
    OPENSSL_cleanse(random.data(), random.size());
  }
  return out;
}

Result<Bytes> NitroPlatform::Attest(ByteView public_key, ByteView user_data, ByteView nonce) {
  ASSIGN_OR_RETURN(Bytes response,
                   Call(nsm::EncodeAttestationRequest(user_data, nonce, public_key)));
  return nsm::ParseAttestationResponse(response);
}

Result<Bytes> NitroPlatform::DescribePcr(uint16_t index) {
  ASSIGN_OR_RETURN(Bytes response, Call(nsm::EncodeDescribePcrRequest(index)));
  ASSIGN_OR_RETURN(nsm::PcrDescription pcr, nsm::ParseDescribePcrResponse(response));
  return pcr.data;
}

Result<int> NitroPlatform::AcceptHost() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) return fd;
    if (errno != EINTR && errno != ECONNABORTED) return IoError("accept");
  }
}

}  // namespace notary
