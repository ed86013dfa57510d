// The one error form every HTTP surface of the ledger answers with (ledgerd,
// the explorer, exports): a JSON object carrying the Status's stable code and
// reason, and the HTTP status that goes with it. Kept in one place so that a
// client sees the same status for the same reason whichever daemon it asks.
//
// Thread-safety: free functions.
#pragma once

#include <nlohmann/json.hpp>

#include "ledger/base/status.h"

namespace ledger::codec {

// {"error": {"code", "reason", "message"}}
nlohmann::json ErrorJson(const Status& s);

// 400 for bad input and failed verification of what the client sent, 404,
// 409 for a failed precondition (a conflict with the log's state), 503 for
// unavailable (retry), 500 for corruption and internal errors.
int HttpStatusFor(const Status& s);

}  // namespace ledger::codec
