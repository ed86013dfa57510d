// Event: what a service submits to the ledger, and its canonical binary
// encoding (schemas/formats/event.md).
//
// The canonical encoding is what is stamped, sequenced and hashed. It is never
// a re-serialization of the protobuf or JSON form a client sent: those are
// converted to an Event (ledger::codec), validated, and encoded here exactly
// once. DecodeEvent accepts only bytes that EncodeEvent produces, so for every
// decodable input EncodeEvent(DecodeEvent(b)) == b.
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace ledger {

// Values are part of the encoding (event.md §3): never renumber.
enum class EventKind : uint16_t {
  kKeyCreated = 1,
  kKeyImported,
  kKeyRotated,
  kKeyExported,
  kKeyRetired,
  kPolicyChanged,
  kSignatureProduced,
  kSignatureRejected,
  kStateNotarized,
  kEnclaveBooted,
  kAnchorConfirmed,
  kRetentionSet,
  kLegalHoldPlaced,
  kLegalHoldReleased,
  kRecordDisposed,
  kExportCreated,
  // A host's scheduled re-verification of its store (ledgerd --verify-every).
  kVerificationRun,
};
inline constexpr uint16_t kMaxEventKind = static_cast<uint16_t>(EventKind::kVerificationRun);

// "KEY_CREATED", ...; "" for a value outside the enum.
std::string_view EventKindName(EventKind kind);
// InvalidArgument("unknown_event_kind").
Result<EventKind> ParseEventKind(std::string_view name);

enum class Outcome : uint8_t { kSuccess = 1, kDenied = 2, kError = 3 };

// "SUCCESS", "DENIED", "ERROR"; "" for a value outside the enum.
std::string_view OutcomeName(Outcome outcome);
// InvalidArgument("unknown_outcome").
Result<Outcome> ParseOutcome(std::string_view name);

// Who did it: the authenticated identity, as the source system saw it.
struct Actor {
  std::string type;          // optional: "user", "service", "operator", ...
  std::string id;            // required
  std::string auth_method;   // optional: "mtls", "oidc", "quorum", ...
  std::string on_behalf_of;  // optional: the principal the actor acted for
  bool operator==(const Actor&) const = default;
};

// One audit event. Field meanings for compliance readers: event.md §2.
struct Event {
  EventKind kind = EventKind::kKeyCreated;
  std::string event_id;         // required: unique id from the source
  std::string request_id;       // idempotency key (optional)
  std::string correlation_id;   // optional
  std::string action;           // optional, e.g. "rotate"
  uint64_t occurred_at_us = 0;  // required: source clock, µs since the Unix epoch (UTC)
  Actor actor;                  // actor.id required
  std::string source;           // emitting system (optional)
  std::string subject;          // required: "key/k-123", "policy/org-1", ...
  std::string target_type;      // optional resource type
  std::string target_version;   // optional resource version
  Outcome outcome = Outcome::kSuccess;
  std::string outcome_reason;  // optional
  std::optional<Hash> prior_state_hash, new_state_hash, payload_digest;
  std::string retention_class;  // optional, e.g. "SEC-17a-4-6y"
  // Keys unique and non-empty; the encoding sorts them bytewise, so a decoded
  // event has them sorted whatever order they were given in.
  std::vector<std::pair<std::string, std::string>> attributes;
  bool operator==(const Event&) const = default;
};

// Limits (event.md §4). The event limit keeps every leaf under the 64 KiB
// tlog-tiles bound with room for the stamp.
inline constexpr size_t kMaxEventStringSize = 4096;
inline constexpr size_t kMaxEventAttributes = 64;
inline constexpr size_t kMaxEventSize = 60000;
// 9999-12-31T23:59:59.999999Z: every accepted time has an RFC 3339 form.
inline constexpr uint64_t kMaxOccurredAtUs = 253402300799999999ULL;

// OK, or InvalidArgument with one of the stable reasons: "missing_field",
// "invalid_utf8", "nul_in_string", "field_too_long", "too_many_attributes",
// "empty_attribute_key", "duplicate_attribute", "unknown_event_kind",
// "unknown_outcome", "timestamp_out_of_range", "event_too_large". The message
// names the field.
Status ValidateEvent(const Event& event);

// The canonical encoding (event.md §3). Validates first.
Result<Bytes> EncodeEvent(const Event& event);

// Strict inverse of EncodeEvent: InvalidArgument("malformed_event") for any
// input EncodeEvent would not produce (unknown, repeated, out-of-order or empty
// fields, bad lengths, trailing bytes, unknown kind or outcome, an event that
// fails ValidateEvent).
Result<Event> DecodeEvent(ByteView bytes);

// True iff `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace ledger
