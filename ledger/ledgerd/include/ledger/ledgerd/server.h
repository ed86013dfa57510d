// ledgerd: the append service of a notarized log (docs/architecture.md §1.1; routes:
// docs/http-api.md).
//
// Start() opens the store of a data directory made by `ledgerctl init
// --notary` (ledger.json names the notary socket and the pinned log key),
// connects to the notary and brings it to the store's head, starts the
// batcher and serves HTTP:
//   POST /v1/entries                 append (entries.h for the bodies)
//   GET  /v1/entries/{index}/receipt receipt against the latest checkpoint
//   GET|POST /v1/export              a compliance export bundle (tar), recorded
//                                    as EXPORT_CREATED (host_appender.h)
//   POST /v1/anchor/statement        the notary's registry statement for the
//                                    head, for anchord (--anchor-tokens)
//   GET  /healthz                    200 serving, 503 {"error": ...} not
//   GET  /metrics                    Prometheus text format
// With a manifest witness_quorum > 0, receipts are released only after the
// witness quorum cosigned a checkpoint covering them, and a restarted notary
// serves only once the quorum cosigned its restored head (witnessing.h); a
// witness that saw a later or different head stops ledgerd with
// rollback_detected.
// When the notary cannot be brought to the store's head (rollback, fork,
// another key, no notary) ledgerd does not append: it logs the reason, keeps
// serving /healthz (503 with the reason), /metrics and receipts of what the
// store holds, and refuses appends with 503. It never retries by itself: an
// operator restarts it once the cause is fixed. The same holds for a store
// that does not verify (at open, in the start-up audit, or on any later read
// that meets a record failing verification: Corruption is sticky).
//
// Thread-safety: Start/Stop from one thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ledger/base/status.h"
#include "ledger/tls/client_tls.h"
#include "ledger/tls/server_tls.h"

namespace ledger::ledgerd {

struct ServerOptions {
  std::string data_dir;
  std::string host = "127.0.0.1";
  int port = 0;                          // Default: 0, a free port
  size_t max_batch = 1000;               // Default: 1000 entries per notary call
  std::chrono::milliseconds max_delay{5};  // Default: 5 ms
  size_t queue_limit = 10000;            // Default: 10000 queued entries
  size_t max_body = 8 << 20;             // Default: 8 MiB per request
  // Each waiting client holds an HTTP thread until its batch commits, so
  // this bounds how many requests one group commit can serve.
  size_t http_threads = 64;              // Default: 64
  // Witnesses as "NAME=URL" (NAME: the key name of a manifest witness vkey);
  // required, at least witness_quorum of them, when the manifest's
  // witness_quorum > 0. Receipts are then released only once the quorum has
  // cosigned a checkpoint that covers them (witnessing.h).
  std::vector<std::string> witnesses;
  // How long a client waits for the quorum before 503
  // witness_quorum_unavailable (its entry stays durable).
  std::chrono::milliseconds witness_timeout{5000};          // Default: 5 s
  std::chrono::milliseconds witness_request_timeout{2000};  // Default: 2 s per witness call
  // An idle head is cosigned again after this long, so that the notary always
  // holds a fresh witness time (it sequences only within
  // kMaxClockSkewSeconds of one, ledger/note/witness_time.h). At most a third of
  // that bound, or an idle log could stop. Default: 60 s.
  std::chrono::milliseconds witness_refresh{60000};
  // Audit the whole store (LogStore::Audit, O(n)) before serving, so that a
  // tampered record in any column is reported by /healthz at start rather
  // than when a read first meets it. Default: true.
  bool audit_on_start = true;
  // ledgerd's own submitter key, for the entries it appends itself
  // (EXPORT_CREATED, VERIFICATION_RUN; host_appender.h). Default: none.
  std::string host_key;
  // "<requester>:<hex SHA-256 of token>" lines: who may GET/POST /v1/export
  // (HTTP Basic, api_tokens.h). Default: none, exports off.
  std::string export_tokens;
  // The same format: who may POST /v1/anchor/statement (anchord). Required
  // when the manifest names a registry, refused when it names none, and no
  // token may also be in export_tokens. Default: none, the route is closed.
  std::string anchor_tokens;
  // Re-verify the store (and verify_backup) this often and record each run
  // as VERIFICATION_RUN (self_verify.h). Default: 0, never.
  std::chrono::seconds verify_every{0};
  // A backup copy of store/ (RocksDB) compared on every run. Default: none.
  std::string verify_backup;
  // An RFC 3161 TSA (http(s) URL) that time-stamps every export manifest,
  // and its pinned root certificates (PEM file) the token must chain to.
  // Default: none, exports are not time-stamped.
  std::string tsa_url;
  std::string tsa_ca;
  // TLS on the listener (--tls-cert, --tls-key; reloaded by ReloadTls) and
  // client certificates (--client-ca): with a client CA the handshake fails
  // without a valid client certificate, and its subject is logged as the
  // submitting identity of each append (host-asserted: not in the signed
  // leaf). Without TLS, a listener that is not loopback refuses HTTP Basic
  // credentials, and export or anchor tokens on one are refused at start
  // (credentials_over_plaintext). Default: plain HTTP.
  tls::ServerTls tls;
  // For https witness URLs: the CA their certificates chain to (--witness-ca).
  // Default: the system's trust store.
  tls::ClientTls witness_tls;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  // Binds and serves in background threads. Fails only when the store cannot
  // be opened or the address cannot be bound; a notary that cannot be
  // brought to the head leaves the server running unhealthy.
  Status Start();
  int port() const;
  // The Status that keeps appends off, OK when serving.
  Status health() const;
  void Stop();
  // Blocks until Stop() (from another thread or a signal handler's thread).
  void Wait();
  // Reads the TLS certificate, key and client CA again (SIGHUP); new
  // connections use them, a failure keeps the old ones (http_listener.h).
  Status ReloadTls();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ledger::ledgerd
