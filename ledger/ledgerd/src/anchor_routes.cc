// POST /v1/anchor/statement: what anchord submits to the AnchorRegistry.
//
// The notary signs the registry statement (schemas/formats/registry-statement.md)
// only for the head it holds, so ledgerd asks for "the current head" under
// the notary lock (Batcher::SignRegistryStatement) rather than forwarding a
// size from the client. The answer carries the signed checkpoint so that the
// caller verifies the head with its pinned log key, and, when asked with
// "from", an RFC 9162 consistency proof from that size (the registry's last
// anchored size) to the signed one: the contract verifies it on-chain, and
// anchord checks it first so that it never submits a fork.
//
// Only anchord may ask (--anchor-tokens, HTTP Basic as for exports): each
// call makes the notary sign, and a signed statement for the head is what
// the registry accepts from whoever submits it.
#include "anchor_routes.h"

#include <nlohmann/json.hpp>

#include "ledger/http_reply/http_reply.h"
#include "ledger/ledgerd/entries.h"

namespace ledger::ledgerd {
namespace {

using http_reply::ReplyJson;

void ReplyStatus(httplib::Response& res, const Status& s) { http_reply::ReplyError(res, s); }

std::string Hex(std::string_view bytes) { return HexEncode(AsBytes(bytes)); }

// The body is {} or {"from": <size>}; anything else is refused, so that a
// misspelt field is an error rather than silently ignored.
Result<std::optional<uint64_t>> ParseFrom(const std::string& body) {
  if (body.empty()) return std::optional<uint64_t>();
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return Status::InvalidArgument("bad_json", "the body is not a JSON object");
  std::optional<uint64_t> from;
  for (const auto& [key, value] : j.items()) {
    if (key != "from") return Status::InvalidArgument("unknown_field", "unknown field " + key);
    if (!value.is_number_unsigned()) {
      return Status::InvalidArgument("bad_tree_size", "from must be an unsigned integer");
    }
    from = value.get<uint64_t>();
  }
  return from;
}

Result<nlohmann::json> Statement(const store::LogStore& store, Batcher& batcher,
                                 const std::string& body) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> from, ParseFrom(body));
  ASSIGN_OR_RETURN(auto signed_statement, batcher.SignRegistryStatement());
  const uint64_t size = signed_statement.tree_size();
  nlohmann::json out{{"size", size},
                     {"root", Hex(signed_statement.root_hash())},
                     {"map_root", Hex(signed_statement.map_root())},
                     {"chain_id", signed_statement.chain_id()},
                     {"contract", "0x" + Hex(signed_statement.contract())},
                     {"checkpoint", signed_statement.checkpoint_note()},
                     {"signature", Hex(signed_statement.signature())}};
  if (from) {
    if (*from > size) {
      return Status::InvalidArgument("bad_tree_size",
                                     "from " + std::to_string(*from) + " is above the head's size " +
                                         std::to_string(size));
    }
    // Proofs are read from the immutable tiles up to `size`, verified by the
    // store against its signed heads.
    std::vector<Hash> proof;
    if (*from > 0 && *from < size) {
      ASSIGN_OR_RETURN(proof, store.ConsistencyProof(*from, size));
    }
    ASSIGN_OR_RETURN(Hash from_root, store.RootAt(*from));
    nlohmann::json hashes = nlohmann::json::array();
    for (const Hash& h : proof) hashes.push_back(h.Hex());
    out["from"] = *from;
    out["from_root"] = from_root.Hex();
    out["consistency_proof"] = std::move(hashes);
  }
  return out;
}

// Who may ask first (a token of --anchor-tokens): an unauthenticated caller
// learns nothing about the log's state, and the notary signs nothing for it.
void HandleStatement(const store::LogStore* store, Batcher* batcher, const ApiTokens* tokens,
                     const httplib::Request& req, httplib::Response& res) {
  if (tokens == nullptr) {
    return ReplyStatus(
        res, Status::FailedPrecondition("anchor_not_configured",
                                        "anchoring needs a manifest that names a registry and "
                                        "--anchor-tokens"));
  }
  if (!tokens->Authenticate(req.get_header_value("Authorization"))) {
    res.set_header("WWW-Authenticate", "Basic realm=\"ledgerd anchor\", charset=\"UTF-8\"");
    return ReplyJson(
        res, 401,
        ErrorJson(Status::InvalidArgument("unauthenticated",
                                          "a registry statement needs anchord's name and "
                                          "token (HTTP Basic, --anchor-tokens)")));
  }
  if (batcher == nullptr) {
    return ReplyStatus(res, Status::Unavailable("not_started", "appends are off"));
  }
  auto out = Statement(*store, *batcher, req.body);
  if (!out.ok()) return ReplyStatus(res, out.status());
  ReplyJson(res, 200, *out);
}

}  // namespace

void AnchorRoutes(httplib::Server& http, const store::LogStore* store, Batcher* batcher,
                  const ApiTokens* tokens) {
  http.Post("/v1/anchor/statement",
            [store, batcher, tokens](const httplib::Request& req, httplib::Response& res) {
              HandleStatement(store, batcher, tokens, req, res);
            });
}

}  // namespace ledger::ledgerd
