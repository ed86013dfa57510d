// The protobuf form of an Event (schemas/proto/ledger/v1/event.proto).
//
// Reading is as strict as the JSON form: UNSPECIFIED kind or outcome is
// "missing_field", an enum value this build does not know is
// "unknown_event_kind" / "unknown_outcome", a hash is empty or 32 bytes
// ("bad_hash"), and unknown fields anywhere in the message are refused
// ("unknown_field"), since they would be silently dropped from the
// notarized record. The result passes ValidateEvent. The protobuf bytes are
// never hashed: the canonical encoding of the result is.
//
// Only built where protobuf is (not in the libFuzzer tree).
//
// Thread-safety: free functions.
#pragma once

#include "ledger/base/status.h"
#include "ledger/record/event.h"
#include "ledger/v1/event.pb.h"

namespace ledger::codec {

Result<Event> EventFromProto(const ledger::v1::Event& proto);

// EventFromProto(EventToProto(e)) == e for every valid e.
ledger::v1::Event EventToProto(const Event& event);

}  // namespace ledger::codec
