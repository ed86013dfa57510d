// The witness's HTTP front end (cpp-httplib): tlog-witness's submission and
// monitoring endpoints on one listener, with no path prefix.
//
//   POST /add-checkpoint                      -> Witness::AddCheckpoint
//   GET  /<hex SHA-256(origin)>/checkpoint    -> Witness::LatestCheckpoint
//   GET  /metrics                             -> Witness::Metrics (Prometheus)
//
// Bodies above kMaxAddCheckpointBody are refused with 413 before they reach
// the witness. No exception escapes a handler: an unexpected one is a 500.
// With TLS (--tls-cert, --tls-key) the certificate is reloaded by ReloadTls
// (SIGHUP); the witness takes no credentials, but a plain listener off
// loopback still refuses a Basic header (403 credentials_over_plaintext)
// like every daemon (ledger/tls/plaintext_credentials.h).
//
// Thread-safety: Serve blocks; Stop and ReloadTls may be called from any
// thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "ledger/base/status.h"
#include "ledger/tls/server_tls.h"
#include "witness/witness.h"

namespace anchor::witness {

class Server {
 public:
  explicit Server(Witness* witness, ledger::tls::ServerTls tls = {});
  ~Server();

  // Loads the TLS files (InvalidArgument, the reasons of
  // ledger/tls/http_listener.h), binds host:port (port 0: a free port) and
  // returns the bound port. Unavailable("bind_failed") if it cannot bind.
  ledger::Result<int> Bind(const std::string& host, int port);
  // Serves until Stop. REQUIRES: Bind succeeded.
  ledger::Status Serve();
  void Stop();
  ledger::Status ReloadTls();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace anchor::witness
