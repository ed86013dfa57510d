// /v1/state/{subject} and /v1/state/{subject}/history: the state map's
// answers (schemas/formats/map.md §9), assembled by the same library
// function as ledgerd's (ledger/api/state_http.h), so both serve the same
// JSON and `ledgerctl verify-state` checks either.
#include "context.h"
#include "http_util.h"
#include "tamper.h"
#include "ledger/api/state_http.h"

namespace explorer {
namespace {

namespace api = ledger::api;
namespace store = ledger::store;

using StateFn = ledger::Result<std::string> (*)(const store::LogStore&, std::string_view,
                                                const api::QueryParams&,
                                                std::optional<uint64_t>);

httplib::Server::Handler StateRoute(Context& ctx, StateFn fn) {
  return [&ctx, fn](const httplib::Request& req, httplib::Response& res) {
    auto s = ctx.Store();
    if (!s.ok()) return ReplyError(res, s.status());
    api::QueryParams q(req.params.begin(), req.params.end());
    auto body = fn(**s, req.matches[1].str(), q, std::nullopt);
    if (!body.ok()) return ReplyError(res, body.status());
    TamperState(ctx.options().tamper, *body);
    ReplyBody(req, res, std::move(*body), "application/json", kCacheApi);
  };
}

}  // namespace

void AddStateRoutes(ApiRouter& api, Context& ctx) {
  // The history route first: a path ending in /history is the history of
  // the subject before it (subjects hold '/', ApiRouter matches {subject}
  // across segments).
  api.Get("/v1/state/{subject}/history", StateRoute(ctx, &api::StateHistoryBody));
  api.Get("/v1/state/{subject}", StateRoute(ctx, &api::StateAnswerBody));
}

}  // namespace explorer
