// Where the host reaches its notary: a Unix socket path (the sim platform,
// notary-enclave-sim) or "vsock:CID:PORT" (a Nitro enclave from its parent
// instance: the enclave's CID from `nitro-cli run-enclave`, the port given
// to `notary-enclave --vsock-port`). Every notary address ledgerd, ledgerctl
// and a log's config take is one of these; the frames are the same on both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace ledger::notary_client {

struct NotaryAddress {
  enum class Kind { kUnix, kVsock };
  Kind kind = Kind::kUnix;
  std::string path;   // kUnix
  uint32_t cid = 0;   // kVsock: 1 (local loopback), 2 (the host) or a guest's, >= 3
  uint32_t port = 0;  // kVsock: 1 .. 2^32-2

  std::string ToString() const;
};

// Text starting "vsock:" is CID:PORT in plain decimal (no sign, no leading
// zeros, no spaces); anything else is a Unix socket path, non-empty and
// shorter than sockaddr_un's 108 bytes. Errors: InvalidArgument
// "bad_notary_address" naming what is wrong.
Result<NotaryAddress> ParseNotaryAddress(std::string_view text);

// A connected stream socket to the address (close-on-exec). Errors:
// Unavailable("connect_failed") with the address and the system's reason.
Result<int> ConnectNotary(const NotaryAddress& address);

}  // namespace ledger::notary_client
