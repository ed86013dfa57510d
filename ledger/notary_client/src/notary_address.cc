// Notary addresses (see notary_address.h).
#include "ledger/notary_client/notary_address.h"

#include <cerrno>
#include <cstring>
#include <linux/vm_sockets.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ledger/note/checkpoint.h"

namespace ledger::notary_client {
namespace {

constexpr std::string_view kVsockPrefix = "vsock:";

Status Bad(const std::string& what) {
  return Status::InvalidArgument("bad_notary_address", what);
}

// A canonical decimal (ParseDecimalU64: no sign, no leading zeros) below 2^32.
bool ParseU32(std::string_view s, uint32_t& out) {
  auto v = ParseDecimalU64(s);
  if (!v.ok() || *v > UINT32_MAX) return false;
  out = static_cast<uint32_t>(*v);
  return true;
}

Result<int> Connected(int fd, const sockaddr* addr, socklen_t len, const std::string& name) {
  if (fd < 0) return Status::Unavailable("connect_failed", name + ": " + std::strerror(errno));
  if (::connect(fd, addr, len) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return Status::Unavailable("connect_failed", name + ": " + why);
  }
  return fd;
}

}  // namespace

std::string NotaryAddress::ToString() const {
  if (kind == Kind::kUnix) return path;
  return std::string(kVsockPrefix) + std::to_string(cid) + ":" + std::to_string(port);
}

Result<NotaryAddress> ParseNotaryAddress(std::string_view text) {
  NotaryAddress a;
  if (!text.starts_with(kVsockPrefix)) {
    if (text.empty() || text.size() >= sizeof(sockaddr_un{}.sun_path)) {
      return Bad("a Unix socket path is non-empty and under 108 bytes");
    }
    if (text.find('\0') != std::string_view::npos) return Bad("a NUL byte in the socket path");
    a.path = std::string(text);
    return a;
  }
  std::string_view rest = text.substr(kVsockPrefix.size());
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return Bad("vsock addresses are vsock:CID:PORT");
  a.kind = NotaryAddress::Kind::kVsock;
  if (!ParseU32(rest.substr(0, colon), a.cid) || !ParseU32(rest.substr(colon + 1), a.port)) {
    return Bad("vsock CID and port are plain decimal numbers below 2^32");
  }
  // CID 0 is the hypervisor and -1 means "any" (a listener's, not a peer's);
  // port -1 means "any" too.
  if (a.cid == 0 || a.cid == VMADDR_CID_ANY) return Bad("vsock CID 0 and 4294967295 name no peer");
  if (a.port == 0 || a.port == VMADDR_PORT_ANY) return Bad("vsock port 0 and 4294967295 name no port");
  return a;
}

Result<int> ConnectNotary(const NotaryAddress& address) {
  if (address.kind == NotaryAddress::Kind::kUnix) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (address.path.empty() || address.path.size() >= sizeof addr.sun_path) {
      return Bad("a Unix socket path is non-empty and under 108 bytes");
    }
    std::memcpy(addr.sun_path, address.path.data(), address.path.size());
    return Connected(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0),
                     reinterpret_cast<const sockaddr*>(&addr), sizeof addr, address.ToString());
  }
  sockaddr_vm addr{};
  addr.svm_family = AF_VSOCK;
  addr.svm_cid = address.cid;
  addr.svm_port = address.port;
  return Connected(::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0),
                   reinterpret_cast<const sockaddr*>(&addr), sizeof addr, address.ToString());
}

}  // namespace ledger::notary_client
