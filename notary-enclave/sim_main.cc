// notary-enclave-sim: the notary on the simulated platform, for local
// deployments (ops/local) and tests; never part of the enclave image.
//
//   notary-enclave-sim --socket PATH --sim-pki DIR [--verify-threads T]
//
// The same enclave state machine as notary-enclave, on an AF_UNIX socket with
// a software NSM whose attestation documents chain to the development PKI in
// DIR (platform/sim_platform.h): they prove nothing to anyone who does not
// trust that PKI.
#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>

#include "notary/serve.h"
#include "platform/sim_platform.h"

namespace {

int Usage(const char* why) {
  std::fprintf(stderr,
               "notary-enclave-sim: %s\n"
               "usage: notary-enclave-sim --socket PATH --sim-pki DIR [--verify-threads T]\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path, sim_pki;
  size_t threads = 1;
  if (argc % 2 != 1) return Usage("bad arguments");
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--socket") {
      socket_path = argv[i + 1];
    } else if (flag == "--sim-pki") {
      sim_pki = argv[i + 1];
    } else if (flag == "--verify-threads") {
      if ((threads = notary::ParseVerifyThreads(argv[i + 1])) == 0) {
        return Usage("bad --verify-threads");
      }
    } else {
      return Usage("bad arguments");
    }
  }
  if (socket_path.empty() || sim_pki.empty()) return Usage("needs --socket and --sim-pki");
  // A host that disconnects mid-write must not kill the notary.
  std::signal(SIGPIPE, SIG_IGN);
  auto platform = notary::SimPlatform::Create(socket_path, sim_pki);
  if (!platform.ok()) return notary::LogToStderr("start: " + platform.status().ToString()), 1;
  return notary::BootAndServe(**platform, notary::LogToStderr, threads);
}
