// Writing a JSON answer or an error into a cpp-httplib response: one copy
// for every daemon's HTTP API (ledgerd, the explorer), so that the bodies a
// client parses, and the error form ledger::codec::ErrorJson defines, are
// the same byte for byte whichever daemon answers.
//
// Thread-safety: free functions.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "ledger/base/status.h"

namespace ledger::http_reply {

// `status` with `body` as application/json, compact; invalid UTF-8 in a
// string is replaced (U+FFFD), never thrown.
void ReplyJson(httplib::Response& res, int status, const nlohmann::json& body);

// The error body {"error": {"code", "reason", "message"}} (codec::ErrorJson)
// with codec::HttpStatusFor(s), or `status` when given; "Retry-After: 1"
// when the failure is Unavailable (the client may retry).
void ReplyError(httplib::Response& res, const Status& s, int status = 0);

// The same with a body the caller built from codec::ErrorJson(s) and
// extended (a state conflict carries the current state).
void ReplyError(httplib::Response& res, const Status& s, const nlohmann::json& body,
                int status = 0);

}  // namespace ledger::http_reply
