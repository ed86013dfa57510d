// ledgerd --data DIR [--listen 127.0.0.1:PORT] [--max-batch N] [--max-delay-ms N]
//         [--queue-limit N] [--max-body BYTES] [--http-threads N]
// Prints "listening on HOST:PORT" on stdout once it serves; logs one JSON
// object per line on stderr. Exit status: 0 after SIGINT/SIGTERM, 2 for bad
// usage, 4 when the store cannot be opened or the address bound. A notary
// that cannot be brought to the store's head does not stop it: it serves
// /healthz with 503 and the reason (ledger/ledgerd/include/ledger/ledgerd/server.h).
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "ledger/ledgerd/server.h"

namespace {

bool ParseNumber(std::string_view s, uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

int Usage(const std::string& why) {
  std::cerr << "ledgerd: " << why
            << "\nusage: ledgerd --data DIR [--listen HOST:PORT] [--max-batch N] "
               "[--max-delay-ms N] [--queue-limit N] [--max-body BYTES] [--http-threads N]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  ledger::ledgerd::ServerOptions o;
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
    } else if (flag == "--max-batch" && ParseNumber(value, n) && n >= 1 && n <= 10000) {
      o.max_batch = n;
    } else if (flag == "--max-delay-ms" && ParseNumber(value, n) && n <= 60000) {
      o.max_delay = std::chrono::milliseconds(n);
    } else if (flag == "--queue-limit" && ParseNumber(value, n) && n >= 1) {
      o.queue_limit = n;
    } else if (flag == "--max-body" && ParseNumber(value, n) && n >= 1024) {
      o.max_body = n;
    } else if (flag == "--http-threads" && ParseNumber(value, n) && n >= 1 && n <= 4096) {
      o.http_threads = n;
    } else {
      return Usage("bad option " + flag + " " + value);
    }
  }
  if (o.data_dir.empty()) return Usage("--data is required");

  // Signals are taken synchronously by this thread; the server's threads
  // inherit the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  ledger::ledgerd::Server server(o);
  ledger::Status st = server.Start();
  if (!st.ok()) {
    ledger::ledgerd::LogEvent("error", "cannot start",
                              "{\"reason\":\"" + st.reason() + "\"}");
    std::cerr << st.ToString() << "\n";
    return 4;
  }
  std::cout << "listening on " << o.host << ":" << server.port() << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  ledger::ledgerd::LogEvent("info", "stopping");
  server.Stop();
  return 0;
}
