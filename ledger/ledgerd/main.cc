// ledgerd [--config FILE] --data DIR [--listen 127.0.0.1:PORT] [--max-batch N]
//         [--max-delay-ms N] [--queue-limit N] [--max-body BYTES] [--http-threads N]
//         [--witness NAME=URL]... [--witness-timeout-ms N] [--witness-request-timeout-ms N]
//         [--witness-refresh-ms N]
//         [--audit-on-start on|off] [--host-key FILE] [--export-tokens FILE]
//         [--anchor-tokens FILE] [--verify-every SECONDS] [--verify-backup DIR]
//         [--tsa-url URL --tsa-ca CERT] [--tls-cert FILE --tls-key FILE [--client-ca FILE]]
//         [--witness-ca FILE]
// (ledger/ledgerd/config.h: every flag is also a config-file key.)
// SIGHUP reloads the TLS certificate, key and client CA (a failure is
// logged and keeps the previous ones).
// Prints "listening on HOST:PORT" on stdout once it serves; logs one JSON
// object per line on stderr. Exit status: 0 after SIGINT/SIGTERM, 2 for bad
// usage or a configuration that cannot work, 4 when the store cannot be opened or the address bound. A notary
// that cannot be brought to the store's head does not stop it: it serves
// /healthz with 503 and the reason (ledger/ledgerd/include/ledger/ledgerd/server.h).
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/json_log/json_log.h"
#include "ledger/ledgerd/config.h"
#include "ledger/ledgerd/server.h"

namespace {

int Usage(const std::string& why) {
  std::cerr << "ledgerd: " << why
            << "\nusage: ledgerd [--config FILE] --data DIR [--listen HOST:PORT] [--max-batch N] "
               "[--max-delay-ms N] [--queue-limit N] [--max-body BYTES] [--http-threads N] "
               "[--witness NAME=URL]... [--witness-timeout-ms N] "
               "[--witness-request-timeout-ms N] [--witness-refresh-ms N] "
               "[--audit-on-start on|off] [--host-key FILE] "
               "[--export-tokens FILE] [--anchor-tokens FILE] [--verify-every SECONDS] "
               "[--verify-backup DIR] "
               "[--tsa-url URL --tsa-ca CERT] "
               "[--tls-cert FILE --tls-key FILE [--client-ca FILE]] [--witness-ca FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  ledger::ledgerd::ServerOptions o;
  ledger::Status parsed =
      ledger::ledgerd::ParseCommandLine(std::vector<std::string>(argv + 1, argv + argc), o);
  if (!parsed.ok()) return Usage(parsed.message());
  if (o.data_dir.empty()) return Usage("--data is required");

  // Signals are taken synchronously by this thread; the server's threads
  // inherit the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  ledger::ledgerd::Server server(o);
  ledger::Status st = server.Start();
  if (!st.ok()) {
    ledger::json_log::LogEvent("error", "cannot start", {{"reason", st.reason()}});
    std::cerr << st.ToString() << "\n";
    // A configuration that cannot work or is unsafe (witnesses vs the
    // manifest, anchoring without --anchor-tokens) is a usage error; a
    // store or address that fails is 4.
    return st.code() == ledger::Code::kInvalidArgument ? 2 : 4;
  }
  std::cout << "listening on " << o.host << ":" << server.port() << std::endl;
  int sig = 0;
  while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
    ledger::Status reloaded = server.ReloadTls();
    if (reloaded.ok()) {
      ledger::json_log::LogEvent("info", "TLS certificate reloaded");
    } else {
      ledger::json_log::LogEvent("error", "TLS certificate not reloaded; the previous one serves",
                                 ledger::json_log::StatusFields(reloaded));
    }
  }
  ledger::json_log::LogEvent("info", "stopping");
  server.Stop();
  return 0;
}
