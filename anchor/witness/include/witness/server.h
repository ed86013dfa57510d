// The witness's HTTP front end (cpp-httplib): tlog-witness's submission and
// monitoring endpoints on one listener, with no path prefix.
//
//   POST /add-checkpoint                      -> Witness::AddCheckpoint
//   GET  /<hex SHA-256(origin)>/checkpoint    -> Witness::LatestCheckpoint
//   GET  /metrics                             -> Witness::Metrics (Prometheus)
//
// Bodies above kMaxAddCheckpointBody are refused with 413 before they reach
// the witness. No exception escapes a handler: an unexpected one is a 500.
//
// Thread-safety: Serve blocks; Stop may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "ledger/base/status.h"
#include "witness/witness.h"

namespace anchor::witness {

class Server {
 public:
  explicit Server(Witness* witness);
  ~Server();

  // Binds host:port (port 0: a free port) and returns the bound port.
  // Unavailable("bind_failed") if it cannot.
  ledger::Result<int> Bind(const std::string& host, int port);
  // Serves until Stop. REQUIRES: Bind succeeded.
  ledger::Status Serve();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace anchor::witness
