// The state routes' answers as library functions with no HTTP library in
// them, so that ledgerd and the explorer serve byte-for-byte the same JSON
// (schemas/formats/map.md §9):
//
//   GET /v1/state/{subject}[?at=<tree size>]
//   GET /v1/state/{subject}/history[?at=<tree size>&cursor=<index>&limit=<n>]
//
// A server passes the decoded subject and the query parameters and sends
// back the body (application/json), or maps the error to its HTTP error
// answer as it does for every route. Stable reasons: InvalidArgument
// bad_subject, bad_at, bad_cursor, bad_limit, unknown_parameter (400);
// NotFound no_checkpoint (404: no stored checkpoint of that size, or one the
// server does not release yet); Corruption for a store that does not verify.
//
// In ledger::api, not ledger::store, so that the store links no JSON
// library: the store answers proofs, this renders them.
//
// Thread-safety: as LogStore's reads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/base/status.h"
#include "ledger/store/log_store.h"

namespace ledger::api {

inline constexpr size_t kDefaultHistoryLimit = 100;
inline constexpr size_t kMaxHistoryLimit = 1000;

using QueryParams = std::multimap<std::string, std::string>;

// InvalidArgument("bad_subject") unless the subject could be an event's:
// 1 to 4096 bytes of UTF-8 without NUL or other control characters.
Status ValidateSubject(std::string_view subject);

// The state answer (state_json.h: subject, checkpoint, map_proof, entry)
// plus "state", the server's own verification of it (VerifiedStateToJson),
// which clients recompute rather than trust. `released_size` is the largest
// tree size the server hands out (ledgerd with witnesses: the latest
// quorum-cosigned size; nullopt: the store's latest): the latest answer is as of
// that size and a larger `at` is no_checkpoint.
Result<std::string> StateAnswerBody(const store::LogStore& store, std::string_view subject,
                                    const QueryParams& query,
                                    std::optional<uint64_t> released_size = std::nullopt);

// One page of every entry naming the subject, oldest first:
//   {"subject", "tree_size", "checkpoint", "version": <map version or 0>,
//    "versions": [{"index", "leaf", "leaf_hash", "inclusion_proof",
//                  "recorded_at_us", "event": {...}}],
//    "next_cursor": "<index>" | null}
// Every inclusion proof is against `checkpoint` (of size tree_size); the
// history is complete when the entries over all pages number `version`
// (map.md §5), which the client checks against a verified state answer.
Result<std::string> StateHistoryBody(const store::LogStore& store, std::string_view subject,
                                     const QueryParams& query,
                                     std::optional<uint64_t> released_size = std::nullopt);

}  // namespace ledger::api
