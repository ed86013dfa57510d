// protobuf <-> Event. The enum numbers are those of the canonical encoding
// (event.proto says so), so kinds and outcomes convert by value.
#include "ledger/codec/event_proto.h"

#include <google/protobuf/unknown_field_set.h>

#include <string>

namespace ledger::codec {
namespace {

Status Invalid(const char* reason, std::string message) {
  return Status::InvalidArgument(reason, std::move(message));
}

Status GetHash(const std::string& bytes, const char* name, std::optional<Hash>& out) {
  if (bytes.empty()) return Status::Ok();
  if (bytes.size() != Hash::kSize) {
    return Invalid("bad_hash",
                   std::string(name) + " must be 32 bytes, got " + std::to_string(bytes.size()));
  }
  out = Hash::FromBytes(AsBytes(bytes)).value();
  return Status::Ok();
}

bool HasUnknown(const google::protobuf::Message& m) {
  return !m.GetReflection()->GetUnknownFields(m).empty();
}

bool HasUnknownFields(const ledger::v1::Event& p) {
  if (HasUnknown(p) || HasUnknown(p.actor())) return true;
  for (const auto& a : p.attributes()) {
    if (HasUnknown(a)) return true;
  }
  return false;
}

std::string HashBytes(const std::optional<Hash>& h) {
  if (!h.has_value()) return {};
  return std::string(AsString(h->view()));
}

}  // namespace

Result<Event> EventFromProto(const ledger::v1::Event& p) {
  if (HasUnknownFields(p)) {
    return Invalid("unknown_field", "the message has fields this version does not know");
  }
  Event e;
  if (p.kind() == ledger::v1::EVENT_KIND_UNSPECIFIED) {
    return Invalid("missing_field", "kind is required");
  }
  // proto3 enums are open: any int32 can arrive, so range-check before casting.
  int kind = p.kind();
  if (kind < 1 || kind > kMaxEventKind) {
    return Invalid("unknown_event_kind", "event kind " + std::to_string(kind));
  }
  e.kind = static_cast<EventKind>(kind);
  if (p.outcome() == ledger::v1::OUTCOME_UNSPECIFIED) {
    return Invalid("missing_field", "outcome is required");
  }
  int outcome = p.outcome();
  if (OutcomeName(static_cast<Outcome>(outcome & 0xff)).empty() || outcome > 0xff) {
    return Invalid("unknown_outcome", "outcome " + std::to_string(outcome));
  }
  e.outcome = static_cast<Outcome>(outcome);
  e.event_id = p.event_id();
  e.request_id = p.request_id();
  e.correlation_id = p.correlation_id();
  e.action = p.action();
  e.occurred_at_us = p.occurred_at_us();
  e.actor.type = p.actor().type();
  e.actor.id = p.actor().id();
  e.actor.auth_method = p.actor().auth_method();
  e.actor.on_behalf_of = p.actor().on_behalf_of();
  e.source = p.source();
  e.subject = p.subject();
  e.target_type = p.target_type();
  e.target_version = p.target_version();
  e.outcome_reason = p.outcome_reason();
  RETURN_IF_ERROR(GetHash(p.prior_state_hash(), "prior_state_hash", e.prior_state_hash));
  RETURN_IF_ERROR(GetHash(p.new_state_hash(), "new_state_hash", e.new_state_hash));
  RETURN_IF_ERROR(GetHash(p.payload_digest(), "payload_digest", e.payload_digest));
  e.retention_class = p.retention_class();
  // Bounded before copying so a hostile message cannot make us copy much.
  if (static_cast<size_t>(p.attributes_size()) > kMaxEventAttributes) {
    return Invalid("too_many_attributes", "more than 64 attributes");
  }
  for (const auto& a : p.attributes()) e.attributes.emplace_back(a.key(), a.value());
  RETURN_IF_ERROR(ValidateEvent(e));
  return e;
}

ledger::v1::Event EventToProto(const Event& e) {
  ledger::v1::Event p;
  p.set_kind(static_cast<ledger::v1::EventKind>(e.kind));
  p.set_event_id(e.event_id);
  p.set_request_id(e.request_id);
  p.set_correlation_id(e.correlation_id);
  p.set_action(e.action);
  p.set_occurred_at_us(e.occurred_at_us);
  auto* actor = p.mutable_actor();
  actor->set_type(e.actor.type);
  actor->set_id(e.actor.id);
  actor->set_auth_method(e.actor.auth_method);
  actor->set_on_behalf_of(e.actor.on_behalf_of);
  p.set_source(e.source);
  p.set_subject(e.subject);
  p.set_target_type(e.target_type);
  p.set_target_version(e.target_version);
  p.set_outcome(static_cast<ledger::v1::Outcome>(e.outcome));
  p.set_outcome_reason(e.outcome_reason);
  p.set_prior_state_hash(HashBytes(e.prior_state_hash));
  p.set_new_state_hash(HashBytes(e.new_state_hash));
  p.set_payload_digest(HashBytes(e.payload_digest));
  p.set_retention_class(e.retention_class);
  for (const auto& [k, v] : e.attributes) {
    auto* a = p.add_attributes();
    a->set_key(k);
    a->set_value(v);
  }
  return p;
}

}  // namespace ledger::codec
