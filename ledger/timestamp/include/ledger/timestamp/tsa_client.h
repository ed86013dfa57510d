// Asking a Time Stamping Authority for a token over HTTP(S) (RFC 3161 §3.4:
// POST application/timestamp-query, answer application/timestamp-reply).
// The answer is untrusted: the token is returned only after VerifyToken has
// checked it against the request's digest and nonce and the pinned roots.
//
// Thread-safety: free function; each call opens its own connection.
#pragma once

#include <chrono>
#include <string_view>

#include "ledger/timestamp/token.h"

namespace ledger::timestamp {

struct Timestamped {
  Bytes token;  // DER TimeStampToken, verified
  TokenInfo info;
};

// Unavailable("tsa_unavailable") when the TSA cannot be reached or answers
// with a non-200 status; InvalidArgument("bad_tsa_url"); the errors of
// TokenFromResponse and VerifyToken otherwise.
Result<Timestamped> RequestTimestamp(std::string_view url, const Hash& digest,
                                     std::string_view ca_pem,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace ledger::timestamp
