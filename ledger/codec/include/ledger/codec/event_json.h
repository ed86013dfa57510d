// The JSON form of an Event, as services submit it and as the explorer and
// `ledgerctl --json` show it (field reference: schemas/formats/event.md §2).
//
//   {"kind": "KEY_ROTATED", "event_id": "evt-1", "request_id": "req-1",
//    "occurred_at": "2024-05-01T12:34:56.123456Z",
//    "actor": {"type": "service", "id": "svc-kms", "auth_method": "mtls"},
//    "subject": "key/k-123", "outcome": "SUCCESS",
//    "prior_state_hash": "<64 lowercase hex>", "new_state_hash": "<64 lowercase hex>",
//    "attributes": {"region": "eu-west-1"}}
//
// Reading is strict, because what a service meant must be what is notarized:
// the top level is an object; unknown fields, duplicate keys, wrong types and
// null are refused; "kind" and "outcome" are required names; hashes are 64
// lowercase hex digits; the time is either "occurred_at" (RFC 3339 UTC, see
// rfc3339.h) or "occurred_at_us" (an unsigned integer), not both. An empty
// string is the same as an absent field. The result passes ValidateEvent.
// The JSON is never hashed: the canonical encoding of the result is.
//
// Thread-safety: free functions.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "ledger/base/status.h"
#include "ledger/record/event.h"

namespace ledger::codec {

inline constexpr size_t kMaxEventJsonSize = 256 * 1024;
// The event schema nests two deep; the bound keeps hostile input cheap.
inline constexpr int kMaxJsonDepth = 16;

// Parses JSON text refusing what nlohmann::json would silently accept:
// duplicate object keys (the last would win, so two readers could disagree
// about one document) and nesting deeper than max_depth. Never throws.
// InvalidArgument("json_too_large"), ("malformed_json"), ("duplicate_key").
Result<nlohmann::json> ParseJsonStrict(std::string_view text, size_t max_size,
                                       int max_depth = kMaxJsonDepth);

// Never throws. InvalidArgument with reason "json_too_large",
// "malformed_json", "duplicate_key", "not_an_object", "unknown_field",
// "wrong_type", "bad_hash", "bad_timestamp", "conflicting_fields",
// "unknown_event_kind", "unknown_outcome", "missing_field", or any reason of
// ValidateEvent; the message names the field.
Result<Event> EventFromJson(std::string_view json_text);

// The same for an already-parsed value (an element of a batch). Duplicate
// keys are no longer visible here: parse with ParseJsonStrict.
Result<Event> EventFromJsonValue(const nlohmann::json& json);

// Omits empty fields; "occurred_at" is RFC 3339 (or "occurred_at_us" when
// the time has no RFC 3339 form); attributes become an object, so they come
// back sorted. EventFromJson(EventToJson(e).dump()) == e for every valid e
// with sorted attributes. REQUIRES for dump(): strings are valid UTF-8 (true
// of every event that passed ValidateEvent).
nlohmann::json EventToJson(const Event& event);

}  // namespace ledger::codec
