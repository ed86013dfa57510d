// What every route of the explorer shares: the verified store, following
// ledgerd, and the options.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "explorer/server.h"
#include "http_util.h"
#include "ledger/store/log_store.h"

namespace explorer {

class Context {
 public:
  Context(ServerOptions options, std::unique_ptr<ledger::store::LogStore> store,
          ledger::WitnessPolicy witnesses = {})
      : options_(std::move(options)),
        store_(std::move(store)),
        witnesses_(std::move(witnesses)),
        served_size_(store_->size()) {}

  const ServerOptions& options() const { return options_; }
  // The deployment manifest's witness keys (none without a manifest).
  const ledger::WitnessPolicy& witnesses() const { return witnesses_; }

  // The store, caught up with ledgerd at most every refresh_interval (one
  // request refreshes; the others meanwhile read the head already verified).
  // A refresh that fails (the stored head went back, forked, or does not
  // verify) fails the request: nothing unverified is ever served.
  ledger::Result<const ledger::store::LogStore*> Store();

  // Answers that depend on the content of a head alone (the /v1/stats
  // aggregates), by a key naming that head by its root: recomputing them
  // reads up to tens of thousands of entries. At most kMemoEntries are kept.
  std::optional<nlohmann::json> Remembered(const std::string& key) const;
  void Remember(const std::string& key, nlohmann::json answer);

  // One answered request, by route template ("/v1/entries/{index}",
  // "/tile/{L}/{N}", "static", ...) and HTTP status.
  void CountRequest(const std::string& route, int status);
  // GET /metrics: Prometheus text format 0.0.4 (explorer/README.md).
  std::string Metrics() const;

 private:
  ServerOptions options_;
  static constexpr size_t kMemoEntries = 32;

  std::unique_ptr<ledger::store::LogStore> store_;
  ledger::WitnessPolicy witnesses_;
  mutable std::mutex memo_mu_;
  std::map<std::string, nlohmann::json> memo_;  // guarded by memo_mu_
  std::mutex refresh_mu_;
  std::chrono::steady_clock::time_point last_refresh_{};
  ledger::Status last_status_;
  // For /metrics: the verified size served, whether the last refresh
  // verified, refreshes that did not, answers by route and status, and
  // HTTP 500 answers (a stored record that does not verify, a failed read).
  std::atomic<uint64_t> served_size_;
  std::atomic<bool> verified_{true};
  std::atomic<uint64_t> refresh_failures_{0};
  mutable std::mutex requests_mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  uint64_t read_errors_ = 0;  // guarded by requests_mu_
};

// Registers GET routes of the JSON API by their OpenAPI path template
// ("/v1/entries/{index}": each {param} matches one path segment, found in
// req.matches[1...]; {subject} matches one or more, as subjects hold '/') and remembers them, so that the server refuses to start
// when web/openapi.json does not describe one of them.
class ApiRouter {
 public:
  explicit ApiRouter(httplib::Server& http) : http_(http) {}
  void Get(const std::string& path_template, httplib::Server::Handler handler);
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  httplib::Server& http_;
  std::vector<std::string> paths_;
};

// A JSON route: fn(ctx, store, req) -> Result<json> runs on the caught-up
// store; an error becomes its HTTP status and {"error": ...} body.
template <typename Fn>
httplib::Server::Handler WithStore(Context& ctx, Fn fn) {
  return [&ctx, fn](const httplib::Request& req, httplib::Response& res) {
    auto s = ctx.Store();
    if (!s.ok()) return ReplyError(res, s.status());
    ledger::Result<nlohmann::json> body = fn(ctx, **s, req);
    if (!body.ok()) return ReplyError(res, body.status());
    ReplyJson(req, res, *body);
  };
}

// Route registration, one function per file.
void AddTileRoutes(httplib::Server& http, Context& ctx);
void AddEntryRoutes(ApiRouter& api, Context& ctx);
void AddEvidenceRoutes(ApiRouter& api, Context& ctx);
void AddStateRoutes(ApiRouter& api, Context& ctx);
void AddStatsRoutes(ApiRouter& api, Context& ctx);

}  // namespace explorer
