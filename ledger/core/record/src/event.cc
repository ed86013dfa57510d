// Canonical event encoding v1 (schemas/formats/event.md).
#include "ledger/record/event.h"

#include <algorithm>
#include <array>
#include <set>

namespace ledger {
namespace {

constexpr uint8_t kEventVersion = 0x01;

// Field tags (event.md §3). The order of this enum is the order of encoding.
enum Tag : uint8_t {
  kTagKind = 0x01,
  kTagEventId = 0x02,
  kTagRequestId = 0x03,
  kTagCorrelationId = 0x04,
  kTagAction = 0x05,
  kTagOccurredAt = 0x06,
  kTagActorType = 0x07,
  kTagActorId = 0x08,
  kTagActorAuthMethod = 0x09,
  kTagActorOnBehalfOf = 0x0a,
  kTagSource = 0x0b,
  kTagSubject = 0x0c,
  kTagTargetType = 0x0d,
  kTagTargetVersion = 0x0e,
  kTagOutcome = 0x0f,
  kTagOutcomeReason = 0x10,
  kTagPriorStateHash = 0x11,
  kTagNewStateHash = 0x12,
  kTagRetentionClass = 0x13,
  kTagPayloadDigest = 0x14,
  kTagAttribute = 0x30,
};

constexpr std::array<std::string_view, kMaxEventKind + 1> kKindNames = {
    "",
    "KEY_CREATED",
    "KEY_IMPORTED",
    "KEY_ROTATED",
    "KEY_EXPORTED",
    "KEY_RETIRED",
    "POLICY_CHANGED",
    "SIGNATURE_PRODUCED",
    "SIGNATURE_REJECTED",
    "STATE_NOTARIZED",
    "ENCLAVE_BOOTED",
    "ANCHOR_CONFIRMED",
    "RETENTION_SET",
    "LEGAL_HOLD_PLACED",
    "LEGAL_HOLD_RELEASED",
    "RECORD_DISPOSED",
    "EXPORT_CREATED",
    "VERIFICATION_RUN",
};
constexpr std::array<std::string_view, 4> kOutcomeNames = {"", "SUCCESS", "DENIED", "ERROR"};

// The string fields in tag order, with their names for error messages. One
// table drives validation, encoding and decoding so they cannot disagree.
struct StringField {
  Tag tag;
  const char* name;
  std::string Event::*member;
  std::string Actor::*actor_member;  // set instead of member for actor fields
};
constexpr StringField kStringFields[] = {
    {kTagEventId, "event_id", &Event::event_id, nullptr},
    {kTagRequestId, "request_id", &Event::request_id, nullptr},
    {kTagCorrelationId, "correlation_id", &Event::correlation_id, nullptr},
    {kTagAction, "action", &Event::action, nullptr},
    {kTagActorType, "actor.type", nullptr, &Actor::type},
    {kTagActorId, "actor.id", nullptr, &Actor::id},
    {kTagActorAuthMethod, "actor.auth_method", nullptr, &Actor::auth_method},
    {kTagActorOnBehalfOf, "actor.on_behalf_of", nullptr, &Actor::on_behalf_of},
    {kTagSource, "source", &Event::source, nullptr},
    {kTagSubject, "subject", &Event::subject, nullptr},
    {kTagTargetType, "target_type", &Event::target_type, nullptr},
    {kTagTargetVersion, "target_version", &Event::target_version, nullptr},
    {kTagOutcomeReason, "outcome_reason", &Event::outcome_reason, nullptr},
    {kTagRetentionClass, "retention_class", &Event::retention_class, nullptr},
};

std::string& FieldRef(Event& e, const StringField& f) {
  return f.member ? e.*f.member : e.actor.*f.actor_member;
}
const std::string& FieldRef(const Event& e, const StringField& f) {
  return f.member ? e.*f.member : e.actor.*f.actor_member;
}

const StringField* FindStringField(uint8_t tag) {
  for (const auto& f : kStringFields) {
    if (f.tag == tag) return &f;
  }
  return nullptr;
}

Status Invalid(const char* reason, std::string message) {
  return Status::InvalidArgument(reason, std::move(message));
}

Status CheckString(std::string_view value, std::string_view name) {
  if (value.size() > kMaxEventStringSize) {
    return Invalid("field_too_long", std::string(name) + " is longer than 4096 bytes");
  }
  if (!IsValidUtf8(value)) return Invalid("invalid_utf8", std::string(name) + " is not UTF-8");
  if (value.find('\0') != std::string_view::npos) {
    return Invalid("nul_in_string", std::string(name) + " contains a NUL character");
  }
  return Status::Ok();
}

// Size of the canonical encoding of a validated event, computed without
// building it so that ValidateEvent can enforce kMaxEventSize.
size_t EncodedSize(const Event& e) {
  size_t n = 1 + (3 + 2) + (3 + 8) + (3 + 1);  // version, kind, occurred_at, outcome
  for (const auto& f : kStringFields) {
    size_t len = FieldRef(e, f).size();
    if (len > 0) n += 3 + len;
  }
  for (const auto* h : {&e.prior_state_hash, &e.new_state_hash, &e.payload_digest}) {
    if (h->has_value()) n += 3 + Hash::kSize;
  }
  for (const auto& [k, v] : e.attributes) n += 3 + 2 + k.size() + v.size();
  return n;
}

void AppendField(Bytes& out, uint8_t tag, ByteView value) {
  AppendU8(out, tag);
  AppendU16BE(out, static_cast<uint16_t>(value.size()));  // bounded by ValidateEvent
  Append(out, value);
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2, cp = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3, cp = c & 0x0fu;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4, cp = c & 0x07u;
    } else {
      return false;  // continuation byte, overlong lead (c0, c1) or above U+10FFFF
    }
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3fu);
    }
    // RFC 3629 §3: shortest form only, no UTF-16 surrogates, at most U+10FFFF.
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    if (cp > 0x10ffff) return false;
    i += len;
  }
  return true;
}

std::string_view EventKindName(EventKind kind) {
  auto v = static_cast<uint16_t>(kind);
  return v <= kMaxEventKind ? kKindNames[v] : std::string_view();
}

Result<EventKind> ParseEventKind(std::string_view name) {
  for (uint16_t v = 1; v <= kMaxEventKind; ++v) {
    if (kKindNames[v] == name) return static_cast<EventKind>(v);
  }
  return Invalid("unknown_event_kind",
                 "unknown event kind \"" + std::string(name.substr(0, 64)) + "\"");
}

std::string_view OutcomeName(Outcome outcome) {
  auto v = static_cast<uint8_t>(outcome);
  return v < kOutcomeNames.size() ? kOutcomeNames[v] : std::string_view();
}

Result<Outcome> ParseOutcome(std::string_view name) {
  for (uint8_t v = 1; v < kOutcomeNames.size(); ++v) {
    if (kOutcomeNames[v] == name) return static_cast<Outcome>(v);
  }
  return Invalid("unknown_outcome", "unknown outcome \"" + std::string(name.substr(0, 64)) + "\"");
}

Status ValidateEvent(const Event& e) {
  if (EventKindName(e.kind).empty()) {
    return Invalid("unknown_event_kind",
                   "event kind " + std::to_string(static_cast<uint16_t>(e.kind)));
  }
  if (OutcomeName(e.outcome).empty()) {
    return Invalid("unknown_outcome", "outcome " + std::to_string(static_cast<int>(e.outcome)));
  }
  if (e.event_id.empty()) return Invalid("missing_field", "event_id is required");
  if (e.actor.id.empty()) return Invalid("missing_field", "actor.id is required");
  if (e.subject.empty()) return Invalid("missing_field", "subject is required");
  if (e.occurred_at_us == 0) return Invalid("missing_field", "occurred_at_us is required");
  if (e.occurred_at_us > kMaxOccurredAtUs) {
    return Invalid("timestamp_out_of_range", "occurred_at_us is after year 9999");
  }
  for (const auto& f : kStringFields) RETURN_IF_ERROR(CheckString(FieldRef(e, f), f.name));
  if (e.attributes.size() > kMaxEventAttributes) {
    return Invalid("too_many_attributes", "more than 64 attributes");
  }
  std::set<std::string_view> keys;
  for (const auto& [k, v] : e.attributes) {
    if (k.empty()) return Invalid("empty_attribute_key", "attribute key is empty");
    RETURN_IF_ERROR(CheckString(k, "attribute key"));
    RETURN_IF_ERROR(CheckString(v, "attribute \"" + k + "\""));
    if (!keys.insert(k).second) {
      return Invalid("duplicate_attribute", "attribute \"" + k + "\" appears twice");
    }
  }
  size_t size = EncodedSize(e);
  if (size > kMaxEventSize) {
    return Invalid("event_too_large",
                   "encoded event is " + std::to_string(size) + " bytes, limit 60000");
  }
  return Status::Ok();
}

Result<Bytes> EncodeEvent(const Event& e) {
  RETURN_IF_ERROR(ValidateEvent(e));
  Bytes out;
  out.reserve(EncodedSize(e));
  AppendU8(out, kEventVersion);
  auto put_string = [&](Tag tag) {
    const std::string& s = FieldRef(e, *FindStringField(tag));
    if (!s.empty()) AppendField(out, tag, AsBytes(s));
  };
  auto put_hash = [&](Tag tag, const std::optional<Hash>& h) {
    if (h.has_value()) AppendField(out, tag, h->view());
  };
  Bytes scratch;
  AppendU16BE(scratch, static_cast<uint16_t>(e.kind));
  AppendField(out, kTagKind, scratch);
  for (Tag t : {kTagEventId, kTagRequestId, kTagCorrelationId, kTagAction}) put_string(t);
  scratch.clear();
  AppendU64BE(scratch, e.occurred_at_us);
  AppendField(out, kTagOccurredAt, scratch);
  for (Tag t : {kTagActorType, kTagActorId, kTagActorAuthMethod, kTagActorOnBehalfOf, kTagSource,
                kTagSubject, kTagTargetType, kTagTargetVersion}) {
    put_string(t);
  }
  uint8_t outcome = static_cast<uint8_t>(e.outcome);
  AppendField(out, kTagOutcome, ByteView(&outcome, 1));
  put_string(kTagOutcomeReason);
  put_hash(kTagPriorStateHash, e.prior_state_hash);
  put_hash(kTagNewStateHash, e.new_state_hash);
  put_string(kTagRetentionClass);
  put_hash(kTagPayloadDigest, e.payload_digest);

  // Attributes sorted bytewise by key (std::string compares as unsigned char).
  std::vector<const std::pair<std::string, std::string>*> sorted;
  for (const auto& a : e.attributes) sorted.push_back(&a);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* a : sorted) {
    scratch.clear();
    AppendU16BE(scratch, static_cast<uint16_t>(a->first.size()));
    Append(scratch, a->first);
    Append(scratch, a->second);
    AppendField(out, kTagAttribute, scratch);
  }
  LEDGER_CHECK(out.size() == EncodedSize(e));
  return out;
}

Result<Event> DecodeEvent(ByteView bytes) {
  auto bad = [](std::string why) { return Invalid("malformed_event", std::move(why)); };
  if (bytes.size() > kMaxEventSize) return bad("event larger than 60000 bytes");
  ByteReader r(bytes, "malformed_event");
  ASSIGN_OR_RETURN(uint8_t version, r.U8());
  if (version != kEventVersion) return bad("unknown version " + std::to_string(version));

  Event e;
  bool have_kind = false, have_time = false, have_outcome = false;
  int last_tag = 0;
  while (!r.empty()) {
    ASSIGN_OR_RETURN(uint8_t tag, r.U8());
    ASSIGN_OR_RETURN(uint16_t len, r.U16BE());
    ASSIGN_OR_RETURN(ByteView value, r.Take(len));
    std::string where = "field 0x" + HexEncode(ByteView(&tag, 1));
    // Strictly increasing tags, except that attributes repeat (their keys are
    // checked for order below).
    if (tag < last_tag || (tag == last_tag && tag != kTagAttribute)) {
      return bad(where + " out of order or repeated");
    }
    last_tag = tag;
    if (len == 0) return bad(where + " is empty");
    if (const StringField* f = FindStringField(tag)) {
      FieldRef(e, *f) = std::string(AsString(value));
      continue;
    }
    switch (tag) {
      case kTagKind:
        if (len != 2) return bad("kind must be 2 bytes");
        e.kind = static_cast<EventKind>(value[0] << 8 | value[1]);
        have_kind = true;
        break;
      case kTagOccurredAt:
        if (len != 8) return bad("occurred_at_us must be 8 bytes");
        e.occurred_at_us = LoadU64BE(value.data());
        have_time = true;
        break;
      case kTagOutcome:
        if (len != 1) return bad("outcome must be 1 byte");
        e.outcome = static_cast<Outcome>(value[0]);
        have_outcome = true;
        break;
      case kTagPriorStateHash:
      case kTagNewStateHash:
      case kTagPayloadDigest: {
        if (len != Hash::kSize) return bad(where + ": a hash must be 32 bytes");
        auto& slot = tag == kTagPriorStateHash ? e.prior_state_hash
                     : tag == kTagNewStateHash ? e.new_state_hash
                                               : e.payload_digest;
        slot = Hash::FromBytes(value).value();
        break;
      }
      case kTagAttribute: {
        ByteReader ar(value, "malformed_event");
        ASSIGN_OR_RETURN(uint16_t key_len, ar.U16BE());
        ASSIGN_OR_RETURN(ByteView key, ar.Take(key_len));
        ByteView val = value.subspan(ar.position());
        std::string k(AsString(key));
        if (!e.attributes.empty() && !(e.attributes.back().first < k)) {
          return bad("attribute keys not strictly increasing");
        }
        e.attributes.emplace_back(std::move(k), std::string(AsString(val)));
        break;
      }
      default:
        return bad("unknown " + where);
    }
  }
  if (!have_kind || !have_time || !have_outcome) {
    return bad("kind, occurred_at_us and outcome are required");
  }
  // Everything else EncodeEvent would refuse (missing fields, bad UTF-8, an
  // unknown kind, empty keys, limits) is refused here with the same rules.
  Status valid = ValidateEvent(e);
  if (!valid.ok()) return bad(valid.reason() + ": " + valid.message());
  return e;
}

}  // namespace ledger
