// HTTP calls to ledgerd and strict parsing of its answers (see
// anchord/ledgerd_client.h).
#include "anchord/ledgerd_client.h"

#include <httplib.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ledger/tls/plaintext_credentials.h"

namespace anchor::anchord {
namespace {

using ledger::Hash;
using ledger::Result;
using ledger::Status;
using Json = nlohmann::json;

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("ledgerd_malformed", "ledgerd answered: " + why);
}

// ledgerd's error body {"error": {"code", "reason", "message"}} as a Status
// with the same code name and reason; anything else is ledgerd_malformed.
Status FromErrorBody(int http_status, const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object() &&
      j["error"].value("reason", Json()).is_string()) {
    const std::string reason = j["error"]["reason"].get<std::string>();
    const std::string message = j["error"].value("message", Json("")).is_string()
                                    ? j["error"]["message"].get<std::string>()
                                    : "";
    const std::string code = j["error"].value("code", Json("")).is_string()
                                 ? j["error"]["code"].get<std::string>()
                                 : "";
    if (http_status == 503 || code == "UNAVAILABLE") return Status::Unavailable(reason, message);
    if (code == "FAILED_PRECONDITION") return Status::FailedPrecondition(reason, message);
    if (code == "NOT_FOUND") return Status::NotFound(reason, message);
    if (code == "VERIFICATION_FAILED") return Status::VerificationFailed(reason, message);
    if (http_status >= 500) return Status::Internal(reason, message);
    return Status::InvalidArgument(reason, message);
  }
  if (http_status >= 500) {
    return Status::Unavailable("ledgerd_unavailable", "HTTP " + std::to_string(http_status));
  }
  return Malformed("HTTP " + std::to_string(http_status) + " without an error body");
}

Result<Hash> HexHash(const Json& v, const char* name) {
  if (!v.is_string()) return Malformed(std::string(name) + " is not a string");
  auto h = Hash::FromHex(v.get<std::string>());
  if (!h.ok()) return Malformed(std::string(name) + " is not 32 bytes of hex");
  return *h;
}

Result<uint64_t> U64(const Json& j, const char* name) {
  if (!j.contains(name) || !j[name].is_number_unsigned()) {
    return Malformed(std::string(name) + " is not an unsigned integer");
  }
  return j[name].get<uint64_t>();
}

}  // namespace

Result<std::string> ParseLedgerdToken(std::string_view text) {
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("bad_token_file", "anchord's ledgerd token: " + why);
  };
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text.empty()) return bad("empty");
  if (text.find('\n') != std::string_view::npos) return bad("more than one line");
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f;
  });
  if (!printable) return bad("a space or control character");
  const size_t colon = text.find(':');  // RFC 7617: the user id has no colon
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return bad("not <name>:<token>");
  }
  return std::string(text);
}

class LedgerdClient::Http {
 public:
  Http(std::unique_ptr<httplib::Client> c, const std::string& token)
      : client(std::move(c)),
        authorization("Basic " + ledger::Base64Encode(ledger::AsBytes(token))) {
    client->set_connection_timeout(5, 0);
    client->set_read_timeout(60, 0);  // an append waits for its batch (and witnesses)
    client->set_write_timeout(10, 0);
    client->set_tcp_nodelay(true);  // no delayed-ACK wait between headers and body
  }
  ~Http() { OPENSSL_cleanse(authorization.data(), authorization.size()); }
  // `authorized`: with anchord's token (the statement route only).
  Result<Json> Do(const std::string& method, const std::string& path, const std::string& body,
                  bool authorized = false) {
    httplib::Headers headers;
    if (authorized) headers.emplace("Authorization", authorization);
    httplib::Result r = method == "GET" ? client->Get(path, headers)
                                        : client->Post(path, headers, body, "application/json");
    if (!r) {
      return Status::Unavailable("ledgerd_unavailable",
                                 "no answer from ledgerd: " + httplib::to_string(r.error()));
    }
    if (r->status != 200) return FromErrorBody(r->status, r->body);
    Json j = Json::parse(r->body, nullptr, false);
    if (!j.is_object()) return Malformed("the body is not a JSON object");
    return j;
  }
  std::unique_ptr<httplib::Client> client;
  std::string authorization;
};

LedgerdClient::LedgerdClient(std::unique_ptr<Http> http) : http_(std::move(http)) {}
LedgerdClient::~LedgerdClient() = default;

Result<std::unique_ptr<LedgerdClient>> LedgerdClient::Create(const std::string& url,
                                                             const std::string& token,
                                                             const ledger::tls::ClientTls& tls) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("bad_url", "ledgerd URL must be http(s)://host:port: " + url);
  }
  RETURN_IF_ERROR(ParseLedgerdToken(token).status());
  // The token goes out in clear only to this machine (ledgerd refuses it on
  // a plain listener anywhere else: plaintext_credentials.h).
  if (url.rfind("http://", 0) == 0) {
    std::string host = url.substr(7, url.find_first_of("/?#", 7) - 7);
    const size_t colon = host.rfind(':');
    if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
      host.resize(colon);
    }
    if (!ledger::tls::IsLoopbackHost(host)) {
      return Status::InvalidArgument("credentials_over_plaintext",
                                     "anchord's token would cross the network in clear: use an "
                                     "https ledgerd URL (" +
                                         url + ")");
    }
  }
  ASSIGN_OR_RETURN(auto client, ledger::tls::MakeClient(url, tls));
  auto http = std::make_unique<Http>(std::move(client), token);
  return std::unique_ptr<LedgerdClient>(new LedgerdClient(std::move(http)));
}

Result<uint64_t> LedgerdClient::Size() {
  ASSIGN_OR_RETURN(Json j, http_->Do("GET", "/healthz", ""));
  return U64(j, "size");
}

Result<SignedHead> LedgerdClient::Statement(std::optional<uint64_t> from) {
  Json body = Json::object();
  if (from) body["from"] = *from;
  ASSIGN_OR_RETURN(Json j, http_->Do("POST", "/v1/anchor/statement", body.dump(), true));
  SignedHead h;
  ASSIGN_OR_RETURN(h.size, U64(j, "size"));
  ASSIGN_OR_RETURN(h.root, HexHash(j.value("root", Json()), "root"));
  ASSIGN_OR_RETURN(h.map_root, HexHash(j.value("map_root", Json()), "map_root"));
  ASSIGN_OR_RETURN(h.chain_id, U64(j, "chain_id"));
  if (!j.value("contract", Json()).is_string()) return Malformed("contract is not a string");
  auto contract = evm::Address::FromHex(j["contract"].get<std::string>());
  if (!contract.ok()) return Malformed("contract is not an address");
  h.contract = *contract;
  if (!j.value("checkpoint", Json()).is_string()) return Malformed("checkpoint is not a string");
  h.checkpoint = j["checkpoint"].get<std::string>();
  if (!j.value("signature", Json()).is_string()) return Malformed("signature is not a string");
  auto sig = ledger::HexDecode(j["signature"].get<std::string>());
  if (!sig.ok() || sig->size() != h.signature.size()) return Malformed("signature is not 65 bytes");
  std::copy(sig->begin(), sig->end(), h.signature.begin());
  if (from) {
    ASSIGN_OR_RETURN(uint64_t got_from, U64(j, "from"));
    if (got_from != *from) return Malformed("the proof is from another size");
    h.from = got_from;
    ASSIGN_OR_RETURN(h.from_root, HexHash(j.value("from_root", Json()), "from_root"));
    const Json& proof = j.value("consistency_proof", Json());
    if (!proof.is_array() || proof.size() > 128) return Malformed("consistency_proof");
    for (const Json& p : proof) {
      ASSIGN_OR_RETURN(Hash ph, HexHash(p, "consistency_proof"));
      h.consistency_proof.push_back(ph);
    }
  }
  return h;
}

Result<Appended> LedgerdClient::Append(ledger::ByteView event_bytes, ledger::ByteView stamp) {
  Json body = {{"event_bytes", ledger::Base64Encode(event_bytes)},
               {"stamp", ledger::Base64Encode(stamp)}};
  ASSIGN_OR_RETURN(Json j, http_->Do("POST", "/v1/entries", body.dump()));
  const Json& results = j.value("results", Json());
  if (!results.is_array() || results.size() != 1 || !results[0].is_object()) {
    return Malformed("results is not one result");
  }
  const Json& r = results[0];
  if (!r.value("duplicate", Json()).is_boolean() || !r.value("receipt", Json()).is_object()) {
    return Malformed("result without receipt");
  }
  Appended out;
  out.duplicate = r["duplicate"].get<bool>();
  ASSIGN_OR_RETURN(out.index, U64(r["receipt"], "index"));
  return out;
}

}  // namespace anchor::anchord
