// explorer: the read-only proof server of a notarized log (docs/architecture.md §1,
// §1.2; routes: docs/http-api.md).
//
// It opens ledgerd's store as a RocksDB secondary instance (it cannot write),
// follows the writer with LogStore::Refresh, and serves only what LogStore
// verified against the signed checkpoint:
//   /checkpoint, /tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>]  C2SP tlog-tiles
//   /v1/...                      the JSON API (explorer/README.md, /v1/openapi.json)
//   /metrics                     Prometheus text format 0.0.4 (explorer/README.md)
//   /                            the auditor web UI (static files of web_dir)
//   /lib/                        the verifier package it imports (lib_dir)
// Nobody has to trust it: the UI and any tlog-tiles client verify what it
// serves against keys they pin themselves.
//
// Thread-safety: Start/Stop from one thread; requests are served concurrently.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "ledger/base/status.h"
#include "ledger/tls/server_tls.h"

namespace explorer {

struct ServerOptions {
  // ledgerd's data directory: ledger.json (the log's vkey) and store/.
  std::string data_dir;
  // The pinned log verifier key (C2SP vkey). Default: ledger.json's log_vkey.
  std::string vkey;
  // The secondary instance's own folder. Default: a fresh folder under
  // data_dir ("explorer-secondary-<pid>"), removed on Stop.
  std::string secondary_dir;
  std::string host = "127.0.0.1";
  int port = 0;  // Default: 0, a free port
  // Static files of the web UI. Default: the source tree's explorer/web.
  std::string web_dir;
  // The JavaScript verifier package's modules (clients/js/src), served under
  // /lib/: the web UI verifies with them. Default: the source tree's
  // clients/js/src.
  std::string lib_dir;
  // How often the store catches up with ledgerd at most. Default: 200 ms.
  std::chrono::milliseconds refresh_interval{200};
  size_t http_threads = 8;  // Default: 8
  // ledgerd's base URL ("http://127.0.0.1:8080"): the explorer cannot append
  // (it is read-only), so the export link of a search points at ledgerd's
  // /v1/export with the same filter, where the export is recorded as
  // EXPORT_CREATED and the requester authenticates. Default: "" (searches
  // answer "export": null and the UI says exports are not configured).
  std::string export_url;
  // Fault injection for the browser tests only (the UI must then fail):
  // "tile" flips a byte of every hash tile served, "checkpoint" alters the
  // checkpoint's root line, "entry" a hash of every entry's inclusion proof,
  // "state" the version a state answer's summary shows. Default: "" (off).
  // Ignored unless built with LEDGER_TEST_HOOKS (src/tamper.h).
  std::string tamper;
  // TLS on the listener (--tls-cert, --tls-key), reloaded by ReloadTls
  // (SIGHUP). Default: plain HTTP. The explorer takes no credentials; a
  // plain listener off loopback still refuses a Basic header (403
  // credentials_over_plaintext), like every daemon.
  ledger::tls::ServerTls tls;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  // Opens the store and binds; serves in background threads.
  ledger::Status Start();
  int port() const;
  void Stop();
  // Blocks until Stop() is called from another thread.
  void Wait();
  // Reads the TLS certificate and key again; a failure keeps the old ones.
  ledger::Status ReloadTls();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace explorer
