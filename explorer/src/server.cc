#include "explorer/server.h"

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <regex>
#include <thread>

#include "context.h"
#include "http_util.h"
#include "ledger/files/read_file.h"
#include "ledger/metrics/prometheus.h"
#include "ledger/publish/reader_pins.h"
#include "ledger/store_open/store_open.h"
#include "ledger/tls/http_listener.h"

namespace explorer {

using ledger::Result;
using ledger::Status;
namespace store = ledger::store;

Result<const store::LogStore*> Context::Store() {
  std::unique_lock<std::mutex> lock(refresh_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return store_.get();  // another request is refreshing
  auto now = std::chrono::steady_clock::now();
  if (now - last_refresh_ >= options_.refresh_interval) {
    last_refresh_ = now;
    last_status_ = store_->Refresh();
    verified_.store(last_status_.ok());
    if (last_status_.ok()) {
      served_size_.store(store_->size());
    } else {
      refresh_failures_.fetch_add(1);
    }
  }
  if (!last_status_.ok()) return last_status_;
  return store_.get();
}

std::optional<nlohmann::json> Context::Remembered(const std::string& key) const {
  std::lock_guard<std::mutex> lock(memo_mu_);
  auto it = memo_.find(key);
  if (it == memo_.end()) return std::nullopt;
  return it->second;
}

void Context::Remember(const std::string& key, nlohmann::json answer) {
  std::lock_guard<std::mutex> lock(memo_mu_);
  if (memo_.size() >= kMemoEntries) memo_.clear();  // heads move on; old ones are rarely asked
  memo_[key] = std::move(answer);
}

void Context::CountRequest(const std::string& route, int status) {
  std::lock_guard<std::mutex> lock(requests_mu_);
  ++requests_[{route, status}];
  if (status == 500) ++read_errors_;
}

std::string Context::Metrics() const {
  namespace prom = ledger::prometheus;
  prom::Page m;
  m.Gauge("explorer_tree_size", "size of the latest verified checkpoint served",
          served_size_.load());
  m.Gauge("explorer_store_verified",
          "1 when the last catch-up with ledgerd's store verified against the signed checkpoint",
          verified_.load() ? 1 : 0);
  m.Counter("explorer_store_refresh_failures_total",
            "catch-ups with ledgerd's store that failed (head went back, fork, not verified)",
            refresh_failures_.load());
  std::lock_guard<std::mutex> lock(requests_mu_);
  m.Counter("explorer_store_read_errors_total",
            "answers that failed reading the store (HTTP 500: a record that does not verify, "
            "a failed read)",
            read_errors_);
  m.Family("explorer_http_requests_total", "counter", "HTTP requests by route and status");
  for (const auto& [key, n] : requests_) {
    const std::string status = std::to_string(key.second);
    m.Sample("explorer_http_requests_total", n, {{"route", key.first}, {"status", status}});
  }
  return m.str();
}

namespace {
// The route template of the request this thread answers, set by the JSON
// API's handlers and read by the logger (httplib runs both on one thread).
thread_local std::string t_route;

// The route label of a request no API handler claimed.
std::string RouteOf(const httplib::Request& req) {
  const std::string& p = req.path;
  if (p == "/checkpoint" || p == "/metrics") return p;
  if (p.rfind("/tile/entries/", 0) == 0) return "/tile/entries/{N}";
  if (p.rfind("/tile/", 0) == 0) return "/tile/{L}/{N}";
  if (p.rfind("/v1/", 0) == 0) return "/v1/other";
  return "static";
}
}  // namespace

void ApiRouter::Get(const std::string& path_template, httplib::Server::Handler handler) {
  paths_.push_back(path_template);
  // A subject holds '/' ("key/k-1"): {subject} spans segments.
  static const std::regex kSubject(R"(\{subject\})");
  static const std::regex kParam(R"(\{[a-z_]+\})");
  std::string pattern = std::regex_replace(path_template, kSubject, "(.+)");
  pattern = std::regex_replace(pattern, kParam, "([^/]+)");
  http_.Get(pattern, [path_template, handler = std::move(handler)](const httplib::Request& req,
                                                                    httplib::Response& res) {
    t_route = path_template;
    handler(req, res);
  });
}

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<Context> ctx;
  bool own_secondary_dir = false;
  std::string openapi;
  std::unique_ptr<ledger::tls::HttpListener> listener;
  httplib::Server* http = nullptr;  // listener's, set in Start
  std::thread http_thread;
  int port = 0;
  std::mutex mu;
  std::condition_variable stopped_cv;
  bool stopped = false;

  Status Open();
  Status Routes();
};

Status Server::Impl::Open() {
  if (options.data_dir.empty()) {
    return Status::InvalidArgument("missing_data_dir", "the explorer needs ledgerd's data folder");
  }
  // The pinned key (--vkey, or the one ledgerctl init wrote into
  // ledger.json) and the manifest's witness policy, which every checkpoint
  // the explorer serves must meet.
  ASSIGN_OR_RETURN(ledger::publish::ReaderPins pins,
                   ledger::publish::LoadReaderPins(options.data_dir, options.vkey));
  ASSIGN_OR_RETURN(store::StoreConfig store_config, store::ReadStoreConfig(options.data_dir));
  store::StoreOpenOptions open_options;
  open_options.access = store::StoreAccess::kFollower;
  // On PostgreSQL the explorer reads from the replica if one is named: a
  // hot standby shows whole batches in commit order, and every answer is
  // relative to the head read there.
  open_options.prefer_replica = true;
  if (!store_config.on_postgres()) {
    if (options.secondary_dir.empty()) {
      options.secondary_dir =
          options.data_dir + "/explorer-secondary-" + std::to_string(::getpid());
      own_secondary_dir = true;
    }
    std::error_code ec;
    std::filesystem::create_directories(options.secondary_dir, ec);
    open_options.secondary_path = options.secondary_dir;
  }
  ASSIGN_OR_RETURN(auto kv, store::OpenStore(options.data_dir, store_config, open_options));
  store::LogStoreOptions store_options;
  store_options.witnesses = std::move(pins.witnesses);
  ASSIGN_OR_RETURN(auto log, store::LogStore::Open(std::move(kv), pins.log_key, store_options));
  if (options.web_dir.empty()) options.web_dir = EXPLORER_WEB_DIR;
  if (options.lib_dir.empty()) options.lib_dir = EXPLORER_LIB_DIR;
  ASSIGN_OR_RETURN(openapi, ledger::files::ReadFile(options.web_dir + "/openapi.json"));
  ctx = std::make_unique<Context>(options, std::move(log), store_options.witnesses);
  return Status::Ok();
}

Status Server::Impl::Routes() {
  const size_t threads = options.http_threads;
  http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Answers go out as headers then body; with Nagle on, the body waits for
  // the client's delayed ACK (~40 ms) on every kept-alive request.
  http->set_tcp_nodelay(true);
  http->set_payload_max_length(64 << 10);
  http->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      return ReplyError(res, Status::NotFound("no_such_route", "no such route"));
    }
    Status s(ledger::Code::kInvalidArgument, "bad_request",
             "HTTP " + std::to_string(res.status));
    int status = res.status;
    ReplyError(res, s);
    res.status = status;
  });
  http->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        ReplyError(res, Status::Internal("internal", "internal error"));
      });
  // Read-only: any method but GET/HEAD/OPTIONS is refused before routing.
  // Every answer is counted by route and status (/metrics).
  http->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    ctx->CountRequest(t_route.empty() ? RouteOf(req) : t_route, res.status);
    t_route.clear();
  });
  http->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    t_route.clear();
    if (Status s = listener->CheckCredentials(req); !s.ok()) {
      ReplyError(res, s);
      res.status = 403;
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method == "GET" || req.method == "HEAD") return httplib::Server::HandlerResponse::Unhandled;
    if (req.method == "OPTIONS" && req.path.rfind("/v1/", 0) == 0) {
      res.status = 204;
      return httplib::Server::HandlerResponse::Handled;
    }
    ReplyError(res, Status::InvalidArgument("read_only", "the explorer serves GET requests only"));
    res.status = 405;
    res.set_header("Allow", "GET, HEAD");
    return httplib::Server::HandlerResponse::Handled;
  });
  // CORS on the JSON API and the tiles, so that any auditor's page can verify
  // (the data is public and carries no credentials).
  http->set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    if (req.path.rfind("/v1/", 0) == 0 || req.path.rfind("/tile/", 0) == 0 ||
        req.path == "/checkpoint") {
      res.set_header("Access-Control-Allow-Origin", "*");
      res.set_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
      res.set_header("Access-Control-Allow-Headers", "If-None-Match");
      res.set_header("Access-Control-Expose-Headers", "ETag");
      res.set_header("Access-Control-Max-Age", "600");
    }
  });

  AddTileRoutes(*http, *ctx);
  ApiRouter api(*http);
  AddEntryRoutes(api, *ctx);
  AddEvidenceRoutes(api, *ctx);
  AddStateRoutes(api, *ctx);
  AddStatsRoutes(api, *ctx);
  http->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    (void)ctx->Store();  // catches up, so that the figures are current
    res.set_header("Cache-Control", "no-store");
    res.set_content(ctx->Metrics(), ledger::prometheus::kContentType);
  });
  api.Get("/v1/openapi.json", [this](const httplib::Request& req, httplib::Response& res) {
    ReplyBody(req, res, openapi, "application/json", kCacheApi);
  });
  // The OpenAPI document must describe every route the server has.
  auto doc = nlohmann::json::parse(openapi, nullptr, false);
  if (!doc.is_object() || !doc["paths"].is_object()) {
    return Status::InvalidArgument("bad_openapi", "web/openapi.json has no paths");
  }
  for (const auto& path : api.paths()) {
    if (!doc["paths"].contains(path)) {
      return Status::Internal("openapi_incomplete", "web/openapi.json does not describe " + path);
    }
  }
  if (!http->set_mount_point("/lib/", options.lib_dir)) {
    return Status::NotFound("no_lib_dir", "cannot serve " + options.lib_dir);
  }
  if (!http->set_mount_point("/", options.web_dir)) {
    return Status::NotFound("no_web_dir", "cannot serve " + options.web_dir);
  }
  http->set_file_extension_and_mimetype_mapping("js", "text/javascript");
  http->set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
  return Status::Ok();
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Server::~Server() { Stop(); }

Status Server::Start() {
  ASSIGN_OR_RETURN(impl_->listener,
                   ledger::tls::HttpListener::Create(impl_->options.tls, impl_->options.host));
  impl_->http = &impl_->listener->http();
  RETURN_IF_ERROR(impl_->Open());
  RETURN_IF_ERROR(impl_->Routes());
  const auto& o = impl_->options;
  if (o.port == 0) {
    impl_->port = impl_->http->bind_to_any_port(o.host);
  } else {
    impl_->port = impl_->http->bind_to_port(o.host, o.port) ? o.port : -1;
  }
  if (impl_->port <= 0) {
    return Status::Unavailable("bind_failed",
                               "cannot listen on " + o.host + ":" + std::to_string(o.port));
  }
  impl_->http_thread = std::thread([this] { impl_->http->listen_after_bind(); });
  return Status::Ok();
}

int Server::port() const { return impl_->port; }

Status Server::ReloadTls() {
  if (!impl_->listener) return Status::FailedPrecondition("not_started", "not started");
  return impl_->listener->Reload();
}

void Server::Stop() {
  if (!impl_) return;
  if (impl_->http) impl_->http->stop();
  if (impl_->http_thread.joinable()) impl_->http_thread.join();
  impl_->ctx.reset();
  if (impl_->own_secondary_dir) {
    std::error_code ec;
    std::filesystem::remove_all(impl_->options.secondary_dir, ec);
    impl_->own_secondary_dir = false;
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->stopped = true;
  impl_->stopped_cv.notify_all();
}

void Server::Wait() {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->stopped_cv.wait(lock, [&] { return impl_->stopped; });
}

}  // namespace explorer
