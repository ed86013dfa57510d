// /v1/log, /v1/entries (search and pagination), /v1/entries/{index} (with its
// receipt), /v1/proofs/inclusion, /v1/proofs/consistency, /v1/history.
#include <algorithm>

#include "api_json.h"
#include "context.h"
#include "http_util.h"
#include "tamper.h"
#include "ledger/codec/rfc3339.h"

namespace explorer {
namespace {

using ledger::Result;
using ledger::Status;
namespace store = ledger::store;

inline constexpr uint64_t kDefaultPageSize = 50;
inline constexpr uint64_t kMaxPageSize = 1000;

Result<uint64_t> TimeParam(const httplib::Request& req, const std::string& name) {
  auto text = StringParam(req, name);
  auto us = ledger::codec::ParseRfc3339Micros(*text);
  if (!us.ok()) {
    return Status::InvalidArgument("bad_time", name + " must be an RFC 3339 time (UTC)");
  }
  return *us;
}

// A search: its filter, and the page of the listing relative to one head.
struct SearchPage {
  store::EntryQuery query;
  uint64_t tree_size = 0;  // the head the page is relative to
};

// Newest first unless order=asc. The cursor is the index of the first entry
// of the page (the previous page's next_cursor): entries at and after it
// ascending, at and before it descending. Either way a page is a range of
// indices, which appends never shift; tree_size pins the head of the first
// page too.
Result<SearchPage> ParseSearch(const httplib::Request& req, uint64_t log_size) {
  RETURN_IF_ERROR(OnlyParams(req, {"subject", "actor", "kind", "outcome", "from", "to",
                                   "request_id", "cursor", "limit", "order", "tree_size"}));
  SearchPage p;
  store::EntryQuery& q = p.query;
  q.subject = StringParam(req, "subject");
  q.actor = StringParam(req, "actor");
  if (auto kind = StringParam(req, "kind")) {
    ASSIGN_OR_RETURN(q.kind, ledger::ParseEventKind(*kind));
  }
  if (auto outcome = StringParam(req, "outcome")) {
    ASSIGN_OR_RETURN(q.outcome, ledger::ParseOutcome(*outcome));
  }
  if (req.has_param("from")) {
    ASSIGN_OR_RETURN(q.from_us, TimeParam(req, "from"));
  }
  if (req.has_param("to")) {
    ASSIGN_OR_RETURN(q.to_us, TimeParam(req, "to"));
  }
  const std::string order = StringParam(req, "order").value_or("desc");
  if (order != "desc" && order != "asc") {
    return Status::InvalidArgument("bad_order", "order must be desc or asc");
  }
  q.descending = order == "desc";
  ASSIGN_OR_RETURN(p.tree_size,
                   U64Param(req, "tree_size", log_size, 0, log_size, "bad_tree_size"));
  q.end_index = p.tree_size;
  if (req.has_param("cursor")) {
    ASSIGN_OR_RETURN(uint64_t cursor, U64Param(req, "cursor", 0, 0, UINT64_MAX, "bad_cursor"));
    if (q.descending) {
      q.end_index = std::min(q.end_index, cursor == UINT64_MAX ? cursor : cursor + 1);
    } else {
      q.start_index = cursor;
    }
  }
  ASSIGN_OR_RETURN(q.limit, U64Param(req, "limit", kDefaultPageSize, 1, kMaxPageSize, "bad_limit"));
  return p;
}

// The query string of the current filter, without the cursor: ledgerd's
// export takes the same filter (/v1/export?..., http_export.h).
std::string FilterQuery(const httplib::Request& req) {
  std::string out;
  for (const char* name : {"subject", "actor", "kind", "outcome", "from", "to", "request_id"}) {
    if (!req.has_param(name)) continue;
    out += out.empty() ? "" : "&";
    out += std::string(name) + "=" + httplib::detail::encode_query_param(req.get_param_value(name));
  }
  return out;
}

Result<nlohmann::json> Search(Context& ctx, const store::LogStore& log,
                              const httplib::Request& req) {
  ASSIGN_OR_RETURN(SearchPage p, ParseSearch(req, log.size()));
  store::EntryQuery& q = p.query;
  const size_t page = q.limit;
  std::vector<uint64_t> hits;
  if (auto rid = StringParam(req, "request_id")) {
    ASSIGN_OR_RETURN(auto first, log.FindRequest(*rid));
    if (first && *first >= q.start_index && *first < q.end_index) hits.push_back(*first);
  } else {
    // One more than a page tells whether there is a next page.
    q.limit += 1;
    ASSIGN_OR_RETURN(hits, log.FindEntries(q));
  }
  nlohmann::json entries = nlohmann::json::array();
  std::optional<uint64_t> next;
  for (uint64_t index : hits) {
    if (entries.size() == page) {
      next = index;
      break;
    }
    ASSIGN_OR_RETURN(nlohmann::json e, EntryJson(log, index, false));
    // The index may only point at candidates: keep what the verified entry
    // confirms (a request id is checked here, the other fields by the store).
    if (auto rid = StringParam(req, "request_id");
        rid && e["event"].value("request_id", "") != *rid) {
      continue;
    }
    entries.push_back(std::move(e));
  }
  nlohmann::json out = {{"tree_size", p.tree_size},
                        {"order", q.descending ? "desc" : "asc"},
                        {"entries", std::move(entries)},
                        {"next_cursor", next ? nlohmann::json(std::to_string(*next)) : nullptr},
                        {"export", ctx.options().export_url.empty()
                                       ? nlohmann::json(nullptr)
                                       : nlohmann::json(ctx.options().export_url +
                                                        "/v1/export?" + FilterQuery(req))}};
  return out;
}

Result<uint64_t> IndexSegment(const httplib::Request& req) {
  auto v = ledger::ParseDecimalU64(req.matches[1].str());
  if (!v.ok()) return Status::InvalidArgument("bad_index", "the index is a decimal");
  return *v;
}

Result<nlohmann::json> OneEntry(Context& ctx, const store::LogStore& log,
                                const httplib::Request& req) {
  RETURN_IF_ERROR(OnlyParams(req, {}));
  ASSIGN_OR_RETURN(uint64_t index, IndexSegment(req));
  if (index >= log.size()) {
    return Status::NotFound("entry_not_found", "no entry " + std::to_string(index));
  }
  ASSIGN_OR_RETURN(nlohmann::json j, EntryJson(log, index, true));
  TamperEntry(ctx.options().tamper, j);
  return j;
}

nlohmann::json HashList(const std::vector<ledger::Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hashes) out.push_back(h.Base64());
  return out;
}

Result<nlohmann::json> Inclusion(Context&, const store::LogStore& log, const httplib::Request& req) {
  RETURN_IF_ERROR(OnlyParams(req, {"index", "tree_size"}));
  const uint64_t size = log.size();
  ASSIGN_OR_RETURN(uint64_t tree_size, U64Param(req, "tree_size", size, 1, size, "bad_tree_size"));
  if (!req.has_param("index")) return Status::InvalidArgument("missing_parameter", "index");
  ASSIGN_OR_RETURN(uint64_t index, U64Param(req, "index", 0, 0, tree_size - 1, "bad_index"));
  ASSIGN_OR_RETURN(auto proof, log.InclusionProof(index, tree_size));
  ASSIGN_OR_RETURN(auto leaf, log.GetLeaf(index, tree_size));
  return nlohmann::json{{"index", index},
                        {"tree_size", tree_size},
                        {"leaf_hash", leaf.leaf_hash.Base64()},
                        {"inclusion_proof", HashList(proof)}};
}

Result<nlohmann::json> Consistency(Context&, const store::LogStore& log, const httplib::Request& req) {
  RETURN_IF_ERROR(OnlyParams(req, {"from", "to"}));
  const uint64_t size = log.size();
  ASSIGN_OR_RETURN(uint64_t to, U64Param(req, "to", size, 0, size, "bad_tree_size"));
  if (!req.has_param("from")) return Status::InvalidArgument("missing_parameter", "from");
  ASSIGN_OR_RETURN(uint64_t from, U64Param(req, "from", 0, 0, to, "bad_tree_size"));
  ASSIGN_OR_RETURN(auto proof, log.ConsistencyProof(from, to));
  ASSIGN_OR_RETURN(auto root1, log.RootAt(from));
  ASSIGN_OR_RETURN(auto root2, log.RootAt(to));
  return nlohmann::json{{"from", from},
                        {"to", to},
                        {"from_root", root1.Base64()},
                        {"to_root", root2.Base64()},
                        {"consistency_proof", HashList(proof)}};
}

// Every version of a subject, oldest first (the UI shows the diffs).
Result<nlohmann::json> History(Context&, const store::LogStore& log, const httplib::Request& req) {
  RETURN_IF_ERROR(OnlyParams(req, {"subject", "cursor", "limit"}));
  auto subject = StringParam(req, "subject");
  if (!subject || subject->empty()) {
    return Status::InvalidArgument("missing_parameter", "subject");
  }
  store::EntryQuery q;
  q.subject = subject;
  ASSIGN_OR_RETURN(q.start_index, U64Param(req, "cursor", 0, 0, UINT64_MAX, "bad_cursor"));
  ASSIGN_OR_RETURN(q.limit, U64Param(req, "limit", kDefaultPageSize, 1, kMaxPageSize, "bad_limit"));
  const size_t page = q.limit;
  q.limit += 1;
  ASSIGN_OR_RETURN(auto hits, log.FindEntries(q));
  if (hits.empty() && q.start_index == 0) {
    return Status::NotFound("subject_not_found", "no entry has subject " + *subject);
  }
  nlohmann::json versions = nlohmann::json::array();
  for (size_t i = 0; i < hits.size() && i < page; ++i) {
    ASSIGN_OR_RETURN(nlohmann::json e, EntryJson(log, hits[i], false));
    versions.push_back(std::move(e));
  }
  return nlohmann::json{
      {"subject", *subject},
      {"versions", std::move(versions)},
      {"next_cursor", hits.size() > page ? nlohmann::json(std::to_string(hits[page])) : nullptr}};
}

Result<nlohmann::json> LogInfo(Context&, const store::LogStore& log, const httplib::Request& req) {
  RETURN_IF_ERROR(OnlyParams(req, {}));
  auto head = log.latest();
  return nlohmann::json{{"origin", log.origin()},
                        {"size", head.checkpoint.size},
                        {"root", head.checkpoint.root.Base64()},
                        {"checkpoint", head.note}};
}

}  // namespace

void AddEntryRoutes(ApiRouter& api, Context& ctx) {
  api.Get("/v1/log", WithStore(ctx, LogInfo));
  api.Get("/v1/entries", WithStore(ctx, Search));
  api.Get("/v1/entries/{index}", WithStore(ctx, OneEntry));
  api.Get("/v1/proofs/inclusion", WithStore(ctx, Inclusion));
  api.Get("/v1/proofs/consistency", WithStore(ctx, Consistency));
  api.Get("/v1/history", WithStore(ctx, History));
}

}  // namespace explorer
