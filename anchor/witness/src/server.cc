#include "witness/server.h"

#include <httplib.h>

#include <exception>

#include "ledger/metrics/prometheus.h"
#include "ledger/testing/crash_point.h"
#include "ledger/tls/http_listener.h"
#include "witness/add_checkpoint.h"

namespace anchor::witness {

struct Server::Impl {
  Witness* witness;
  ledger::tls::ServerTls tls;
  std::unique_ptr<ledger::tls::HttpListener> listener;  // set by Bind
  void Routes(httplib::Server& http);
};

namespace {

void Send(httplib::Response& res, const Reply& reply) {
  res.status = reply.status;
  res.set_content(reply.body, reply.content_type.c_str());
}

void SendInternalError(httplib::Response& res) {
  res.status = 500;
  res.set_content("internal_error\n", std::string(kTextPlain).c_str());
}

}  // namespace

Server::Server(Witness* witness, ledger::tls::ServerTls tls) : impl_(std::make_unique<Impl>()) {
  impl_->witness = witness;
  impl_->tls = std::move(tls);
}

void Server::Impl::Routes(httplib::Server& http) {
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    ledger::Status s = listener->CheckCredentials(req);
    if (s.ok()) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 403;
    res.set_content(s.reason() + "\n", std::string(kTextPlain).c_str());
    return httplib::Server::HandlerResponse::Handled;
  });
  http.set_payload_max_length(kMaxAddCheckpointBody);
  http.set_tcp_nodelay(true);  // no delayed-ACK wait between headers and body
  http.Post("/add-checkpoint", [this](const httplib::Request& req, httplib::Response& res) {
    try {
      Reply reply = witness->AddCheckpoint(req.body);
      // Persisted and cosigned; the log has not received the cosignature.
      if (reply.status == 200) ledger::CrashPoint("witness.before_reply");
      Send(res, reply);
    } catch (...) {
      SendInternalError(res);
    }
  });
  http.Get(R"(/([0-9a-f]{64})/checkpoint)",
           [this](const httplib::Request& req, httplib::Response& res) {
             try {
               Send(res, witness->LatestCheckpoint(req.matches[1].str()));
             } catch (...) {
               SendInternalError(res);
             }
           });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(witness->Metrics(), ledger::prometheus::kContentType);
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SendInternalError(res);
      });
  // httplib answers 413 itself for bodies above the payload limit; give
  // every status without a body a stable reason word.
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string reason = res.status == 413   ? "body_too_large"
                         : res.status == 404 ? "not_found"
                         : res.status == 405 ? "method_not_allowed"
                                             : "bad_request";
    res.set_content(reason + "\n", std::string(kTextPlain).c_str());
  });
}

Server::~Server() = default;

ledger::Result<int> Server::Bind(const std::string& host, int port) {
  ASSIGN_OR_RETURN(impl_->listener, ledger::tls::HttpListener::Create(impl_->tls, host));
  httplib::Server& http = impl_->listener->http();
  impl_->Routes(http);
  int bound = -1;
  try {
    if (port == 0) {
      bound = http.bind_to_any_port(host);
    } else if (http.bind_to_port(host, port)) {
      bound = port;
    }
  } catch (...) {
    bound = -1;
  }
  if (bound <= 0) {
    return ledger::Status::Unavailable("bind_failed",
                                       "cannot listen on " + host + ":" + std::to_string(port));
  }
  return bound;
}

ledger::Status Server::Serve() {
  try {
    if (impl_->listener->http().listen_after_bind()) return ledger::Status::Ok();
  } catch (...) {
  }
  return ledger::Status::Unavailable("serve_failed", "the listener stopped with an error");
}

void Server::Stop() {
  if (impl_->listener) impl_->listener->http().stop();
}

ledger::Status Server::ReloadTls() {
  if (!impl_->listener) return ledger::Status::FailedPrecondition("not_started", "not bound");
  return impl_->listener->Reload();
}

}  // namespace anchor::witness
