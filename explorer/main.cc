// explorer --data DIR [--listen HOST:PORT] [--vkey VKEY] [--secondary DIR]
//          [--web DIR] [--lib DIR] [--refresh-ms N] [--http-threads N]
//          [--export-url URL] [--tls-cert FILE --tls-key FILE]
// SIGHUP reloads the TLS certificate and key.
// Prints "listening on HOST:PORT" on stdout once it serves. Exit status: 0
// after SIGINT/SIGTERM, 2 for bad usage, 4 when the store cannot be opened
// (or does not verify with the pinned key) or the address cannot be bound.
// --tamper tile|checkpoint|entry|state is fault injection for the browser tests,
// in builds with LEDGER_TEST_HOOKS only (src/tamper.h).
#include <signal.h>

#include <charconv>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

#include "explorer/server.h"

namespace {

bool ParseNumber(std::string_view s, uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

int Usage(const std::string& why) {
  std::cerr << "explorer: " << why
            << "\nusage: explorer --data DIR [--listen HOST:PORT] [--vkey VKEY] "
               "[--secondary DIR] [--web DIR] [--lib DIR] [--refresh-ms N] [--http-threads N] "
               "[--export-url http(s)://LEDGERD] [--tls-cert FILE --tls-key FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  explorer::ServerOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return Usage("missing value for " + flag);
    std::string value = argv[++i];
    uint64_t n = 0;
    if (flag == "--data") {
      o.data_dir = value;
    } else if (flag == "--listen") {
      size_t colon = value.rfind(':');
      if (colon == std::string::npos || !ParseNumber(value.substr(colon + 1), n) || n > 65535) {
        return Usage("--listen takes HOST:PORT");
      }
      o.host = value.substr(0, colon);
      o.port = static_cast<int>(n);
    } else if (flag == "--vkey") {
      o.vkey = value;
    } else if (flag == "--secondary") {
      o.secondary_dir = value;
    } else if (flag == "--tls-cert") {
      o.tls.cert_file = value;
    } else if (flag == "--tls-key") {
      o.tls.key_file = value;
    } else if (flag == "--web") {
      o.web_dir = value;
    } else if (flag == "--lib") {
      o.lib_dir = value;
    } else if (flag == "--refresh-ms" && ParseNumber(value, n) && n <= 60000) {
      o.refresh_interval = std::chrono::milliseconds(n);
    } else if (flag == "--http-threads" && ParseNumber(value, n) && n >= 1 && n <= 1024) {
      o.http_threads = n;
    } else if (flag == "--export-url" &&
               (value.starts_with("http://") || value.starts_with("https://"))) {
      o.export_url = value;
      while (!o.export_url.empty() && o.export_url.back() == '/') o.export_url.pop_back();
#ifdef LEDGER_TEST_HOOKS
    } else if (flag == "--tamper" &&
               (value == "tile" || value == "checkpoint" || value == "entry" || value == "state")) {
      o.tamper = value;
#endif
    } else {
      return Usage("bad option " + flag + " " + value);
    }
  }
  if (o.data_dir.empty()) return Usage("--data is required");

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  explorer::Server server(o);
  ledger::Status st = server.Start();
  if (!st.ok()) {
    std::cerr << "explorer: " << st.ToString() << "\n";
    return st.reason().starts_with("tls_") ? 2 : 4;
  }
  std::cout << "listening on " << o.host << ":" << server.port() << std::endl;
  std::thread signals([&] {
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
      ledger::Status reloaded = server.ReloadTls();
      std::cerr << "explorer: "
                << (reloaded.ok() ? "TLS certificate reloaded"
                                  : "TLS certificate not reloaded, the previous one serves: " +
                                        reloaded.ToString())
                << "\n";
    }
    server.Stop();
  });
  server.Wait();
  signals.detach();
  return 0;
}
