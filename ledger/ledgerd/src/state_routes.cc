// POST/GET /v1/state/{subject}: compare-and-swap notarization and state
// answers (state_routes.h, schemas/formats/map.md §5, §9).
#include "state_routes.h"

#include <nlohmann/json.hpp>

#include "ledger/api/state_http.h"
#include "ledger/codec/event_json.h"
#include "ledger/http_reply/http_reply.h"
#include "ledger/json_log/json_log.h"
#include "ledger/ledgerd/entries.h"
#include "ledger/record/event.h"
#include "ledger/tls/http_listener.h"

namespace ledger::ledgerd {
namespace {

using http_reply::ReplyError;
using http_reply::ReplyJson;

api::QueryParams Params(const httplib::Request& req) {
  return api::QueryParams(req.params.begin(), req.params.end());
}

// The size answers are released up to: the quorum-cosigned one with
// witnesses, else the latest (nullopt).
std::optional<uint64_t> Released(const StateRouteDeps& d) {
  if (!d.witnessing) return std::nullopt;
  return d.witnessing->cosigned_size();
}

void Send(const StateRouteDeps& d, httplib::Response& res, const Result<std::string>& body) {
  if (!body.ok()) {
    if (d.on_read_error) d.on_read_error(body.status());
    return ReplyError(res, body.status());
  }
  res.status = 200;
  res.set_content(*body, "application/json");
}

// The one STATE_NOTARIZED entry of a POST body, about `subject`.
Result<Entry> ParseStateEntry(std::string_view body, size_t max_body, const std::string& subject) {
  ASSIGN_OR_RETURN(std::vector<Entry> entries, ParseJsonEntries(body, max_body));
  if (entries.size() != 1) {
    return Status::InvalidArgument("bad_entries", "POST /v1/state takes exactly one entry");
  }
  ASSIGN_OR_RETURN(Event event, DecodeEvent(entries[0].event.event));
  if (event.kind != EventKind::kStateNotarized) {
    return Status::InvalidArgument("wrong_kind", "POST /v1/state takes a STATE_NOTARIZED event");
  }
  if (event.subject != subject) {
    return Status::InvalidArgument("subject_mismatch",
                                   "the event's subject is not the one in the path");
  }
  // The notary checks these too; refusing early spares a batch round.
  if (!event.new_state_hash) {
    return Status::InvalidArgument("missing_state_hash", "new_state_hash is required");
  }
  return std::move(entries[0]);
}

// The state answer as of `size` (0: released latest), as a JSON value.
Result<nlohmann::json> StateAnswer(const StateRouteDeps& d, const std::string& subject,
                                   uint64_t size) {
  api::QueryParams q;
  if (size != 0) q.emplace("at", std::to_string(size));
  ASSIGN_OR_RETURN(std::string body, api::StateAnswerBody(*d.store, subject, q, Released(d)));
  return nlohmann::json::parse(body);
}

void PostState(const StateRouteDeps& d, const httplib::Request& req, httplib::Response& res) {
  const std::string subject = req.matches[1];
  if (req.body.size() > d.max_body) {
    return ReplyError(res, Status::InvalidArgument("body_too_large", "the body is too large"), 413);
  }
  std::string ct = req.get_header_value("Content-Type");
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  if (ct != "application/json") {
    return ReplyError(
        res, Status::InvalidArgument("unsupported_media_type", "send application/json"), 415);
  }
  if (Status s = api::ValidateSubject(subject); !s.ok()) return ReplyError(res, s);
  auto entry = ParseStateEntry(req.body, d.max_body, subject);
  if (!entry.ok()) return ReplyError(res, entry.status());
  Status health = d.health();
  if (!health.ok()) return ReplyError(res, health, 503);
  std::vector<Entry> one;
  one.push_back(std::move(*entry));
  auto futures = d.batcher->Submit(std::move(one));
  if (!futures.ok()) return ReplyError(res, futures.status(), 503);
  Result<Acknowledged> ack = (*futures)[0].get();
  if (!ack.ok()) {
    nlohmann::json body = ErrorJson(ack.status());
    if (IsStateConflict(ack.status())) {
      // The caller's view is stale: it gets the current state with its
      // proof, to verify and build on.
      auto current = StateAnswer(d, subject, 0);
      body["current"] = current.ok() ? *current : nlohmann::json(nullptr);
    }
    return ReplyError(res, ack.status(), body);
  }
  uint64_t tree_size = 0;
  if (d.witnessing) {
    auto covered = d.witnessing->WaitCovered(ack->index, d.witness_timeout);
    if (!covered.ok()) return ReplyError(res, covered.status());
    tree_size = *covered;
  }
  auto receipt = ReceiptJson(*d.store, ack->index, ack->duplicate ? nullptr : &*ack, tree_size);
  if (!receipt.ok()) {
    if (d.on_read_error) d.on_read_error(receipt.status());
    return ReplyError(res, receipt.status());
  }
  // The state after the append, against the receipt's own checkpoint.
  const uint64_t size = (*receipt)["tree_size"].get<uint64_t>();
  auto state = StateAnswer(d, subject, size);
  if (!state.ok()) {
    if (d.on_read_error) d.on_read_error(state.status());
    return ReplyError(res, state.status());
  }
  nlohmann::json body = {{"receipt", *receipt}, {"duplicate", ack->duplicate}, {"state", *state}};
  // The client certificate's subject (--client-ca), as for POST
  // /v1/entries: host-asserted, logged and answered, never signed.
  if (const std::string identity = tls::ClientSubject(req); !identity.empty()) {
    json_log::LogEvent("info", "state submitted",
                       {{"client_identity", identity}, {"subject", subject}, {"index", ack->index}});
    body["client_identity"] = identity;
  }
  ReplyJson(res, 200, body);
}

}  // namespace

void AddStateRoutes(httplib::Server& http, StateRouteDeps deps) {
  // Registered before the plain subject route: a path ending in /history
  // is the history of the subject before it.
  http.Get(R"(/v1/state/(.+)/history)",
           [deps](const httplib::Request& req, httplib::Response& res) {
             if (!deps.store) return ReplyError(res, deps.health(), 503);
             Send(deps, res,
                  api::StateHistoryBody(*deps.store, req.matches[1].str(), Params(req),
                                        Released(deps)));
           });
  http.Get(R"(/v1/state/(.+))", [deps](const httplib::Request& req, httplib::Response& res) {
    if (!deps.store) return ReplyError(res, deps.health(), 503);
    Send(deps, res,
         api::StateAnswerBody(*deps.store, req.matches[1].str(), Params(req), Released(deps)));
  });
  http.Post(R"(/v1/state/(.+))", [deps](const httplib::Request& req, httplib::Response& res) {
    if (!deps.store || !deps.batcher) return ReplyError(res, deps.health(), 503);
    PostState(deps, req, res);
  });
}

}  // namespace ledger::ledgerd
