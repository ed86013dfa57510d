#include "ledger/http_reply/http_reply.h"

#include "ledger/codec/error_json.h"

namespace ledger::http_reply {

void ReplyJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void ReplyError(httplib::Response& res, const Status& s, int status) {
  ReplyError(res, s, codec::ErrorJson(s), status);
}

void ReplyError(httplib::Response& res, const Status& s, const nlohmann::json& body, int status) {
  ReplyJson(res, status != 0 ? status : codec::HttpStatusFor(s), body);
  if (s.code() == Code::kUnavailable) res.set_header("Retry-After", "1");
}

}  // namespace ledger::http_reply
