// notary-enclave: the trusted notary process as the Nitro enclave image runs it.
//
//   notary-enclave --vsock-port N [--verify-threads T]
//
// T (default 1, at most 256) threads verify the stamps of a batch
// (notary/verify_pool.h); give the enclave's vCPU count.
// Nitro only: it links the nitro platform (AF_VSOCK, /dev/nsm) and nothing
// of the sim platform, the development PKI or the test hooks; the ctest
// notary_nitro_symbols checks the binary for them. Configuration is argv
// only; the manifest arrives from the host (notary/enclave.h).
// It boots, then serves one host connection at a time on one thread.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "ledger/note/checkpoint.h"
#include "notary/serve.h"
#include "platform/nitro_platform.h"

namespace {

int Usage(const char* why) {
  std::fprintf(stderr,
               "notary-enclave: %s\nusage: notary-enclave --vsock-port N [--verify-threads T]\n",
               why);
  return 2;
}

// The port (canonical decimal, 1 .. 2^32-2), or 0 when it is not one.
uint32_t ParsePort(std::string_view value) {
  auto port = ledger::ParseDecimalU64(value);
  return port.ok() && *port < UINT32_MAX ? static_cast<uint32_t>(*port) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t port = 0;
  size_t threads = 1;
  if (argc % 2 != 1) return Usage("bad arguments");
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--vsock-port") {
      if ((port = ParsePort(argv[i + 1])) == 0) return Usage("bad --vsock-port");
    } else if (flag == "--verify-threads") {
      if ((threads = notary::ParseVerifyThreads(argv[i + 1])) == 0) {
        return Usage("bad --verify-threads");
      }
    } else {
      return Usage("bad arguments");
    }
  }
  if (port == 0) return Usage("needs --vsock-port");
  // A host that disconnects mid-write must not kill the notary.
  std::signal(SIGPIPE, SIG_IGN);
  auto platform = notary::NitroPlatform::Create(port);
  if (!platform.ok()) return notary::LogToStderr("start: " + platform.status().ToString()), 1;
  return notary::BootAndServe(**platform, notary::LogToStderr, threads);
}
