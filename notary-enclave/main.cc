// notary-enclave: the trusted notary process.
//
//   notary-enclave --platform sim --socket PATH --sim-pki DIR
//   notary-enclave --platform nitro --vsock-port N
//
// Configuration is argv only; the manifest arrives from the host (see
// notary/enclave.h). Single-threaded: it boots, then serves one host
// connection at a time, forever. It logs to stderr and does no other I/O.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "notary/enclave.h"
#include "notary/serve.h"
#include "platform/nitro_platform.h"
#include "platform/sim_platform.h"

namespace {

struct Args {
  std::string platform = "sim";
  std::string socket_path;
  std::string sim_pki;
  uint32_t vsock_port = 0;
};

int Usage(const char* why) {
  std::fprintf(stderr,
               "notary-enclave: %s\n"
               "usage: notary-enclave --platform sim --socket PATH --sim-pki DIR\n"
               "       notary-enclave --platform nitro --vsock-port N\n",
               why);
  return 2;
}

void Log(std::string_view line) {
  std::fprintf(stderr, "notary-enclave: %.*s\n", static_cast<int>(line.size()), line.data());
}

bool ParseArgs(int argc, char** argv, Args& args) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--platform") {
      args.platform = value;
    } else if (flag == "--socket") {
      args.socket_path = value;
    } else if (flag == "--sim-pki") {
      args.sim_pki = value;
    } else if (flag == "--vsock-port") {
      char* end = nullptr;
      unsigned long port = std::strtoul(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || port == 0 || port > UINT32_MAX) return false;
      args.vsock_port = static_cast<uint32_t>(port);
    } else {
      return false;
    }
  }
  return argc % 2 == 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) return Usage("bad arguments");
  // A host that disconnects mid-write must not kill the notary.
  std::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<notary::Platform> platform;
  if (args.platform == "sim") {
    if (args.socket_path.empty() || args.sim_pki.empty()) {
      return Usage("--platform sim needs --socket and --sim-pki");
    }
    auto sim = notary::SimPlatform::Create(args.socket_path, args.sim_pki);
    if (!sim.ok()) return Log("start: " + sim.status().ToString()), 1;
    platform = std::move(sim).value();
  } else if (args.platform == "nitro") {
    if (args.vsock_port == 0) return Usage("--platform nitro needs --vsock-port");
    auto nitro = notary::NitroPlatform::Create(args.vsock_port);
    if (!nitro.ok()) return Log("start: " + nitro.status().ToString()), 1;
    platform = std::move(nitro).value();
  } else {
    return Usage("unknown platform");
  }

  auto enclave = notary::Enclave::Boot(*platform);
  if (!enclave.ok()) return Log("boot: " + enclave.status().ToString()), 1;
  Log("booted on " + std::string(platform->name()) + ", ephemeral key " +
      (*enclave)->ephemeral_public_key().Hex());
  ledger::Status s = notary::Serve(*platform, **enclave, Log);
  Log("stopped: " + s.ToString());
  return 1;
}
