// JSON <-> Event. Everything that can throw (nlohmann) is contained here.
#include "ledger/codec/event_json.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "ledger/codec/rfc3339.h"

namespace ledger::codec {
namespace {

using json = nlohmann::json;

Status Invalid(const char* reason, std::string message) {
  return Status::InvalidArgument(reason, std::move(message));
}

// The string and hash fields by JSON name. One table drives reading, writing
// and the unknown-field check, so the three cannot drift apart.
struct StringField {
  const char* name;
  std::string Event::*member;
};
constexpr StringField kStringFields[] = {
    {"event_id", &Event::event_id},
    {"request_id", &Event::request_id},
    {"correlation_id", &Event::correlation_id},
    {"action", &Event::action},
    {"source", &Event::source},
    {"subject", &Event::subject},
    {"target_type", &Event::target_type},
    {"target_version", &Event::target_version},
    {"outcome_reason", &Event::outcome_reason},
    {"retention_class", &Event::retention_class},
};
struct ActorField {
  const char* name;
  std::string Actor::*member;
};
constexpr ActorField kActorFields[] = {
    {"type", &Actor::type},
    {"id", &Actor::id},
    {"auth_method", &Actor::auth_method},
    {"on_behalf_of", &Actor::on_behalf_of},
};
struct HashField {
  const char* name;
  std::optional<Hash> Event::*member;
};
constexpr HashField kHashFields[] = {
    {"prior_state_hash", &Event::prior_state_hash},
    {"new_state_hash", &Event::new_state_hash},
    {"payload_digest", &Event::payload_digest},
};
constexpr const char* kOtherFields[] = {"kind",  "occurred_at", "occurred_at_us",
                                        "actor", "outcome",     "attributes"};

// SAX pass that only checks what the DOM parser would hide: repeated keys and
// depth. The DOM is built by a second pass; inputs are at most 256 KiB.
class StrictChecker : public nlohmann::json_sax<json> {
 public:
  explicit StrictChecker(int max_depth) : max_depth_(max_depth) {}
  Status status = Status::Ok();

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    keys_.emplace_back();
    return Deeper();
  }
  bool key(string_t& k) override {
    if (!keys_.back().insert(k).second) {
      status = Invalid("duplicate_key", "key \"" + k.substr(0, 64) + "\" appears twice");
      return false;
    }
    return true;
  }
  bool end_object() override {
    keys_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override { return Deeper(); }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    status = Invalid("malformed_json", e.what());
    return false;
  }

 private:
  bool Deeper() {
    if (++depth_ > max_depth_) {
      status = Invalid("malformed_json", "nested deeper than " + std::to_string(max_depth_));
      return false;
    }
    return true;
  }
  int max_depth_;
  int depth_ = 0;
  std::vector<std::set<std::string>> keys_;
};

// Reads an optional string field; empty and absent are the same.
Status GetString(const json& obj, const char* name, std::string& out) {
  auto it = obj.find(name);
  if (it == obj.end()) return Status::Ok();
  if (!it->is_string()) return Invalid("wrong_type", std::string(name) + " must be a string");
  out = it->get<std::string>();
  return Status::Ok();
}

Status GetHash(const json& obj, const char* name, std::optional<Hash>& out) {
  std::string hex;
  RETURN_IF_ERROR(GetString(obj, name, hex));
  if (hex.empty()) return Status::Ok();
  bool lower_hex = hex.size() == 2 * Hash::kSize &&
                   hex.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!lower_hex) {
    return Invalid("bad_hash", std::string(name) + " must be 64 lowercase hex digits");
  }
  out = Hash::FromHex(hex).value();
  return Status::Ok();
}

// Refuses any key of `obj` for which known(key) is false.
template <typename Known>
Status CheckFields(const json& obj, Known known, std::string_view where) {
  for (const auto& [k, v] : obj.items()) {
    if (!known(k)) {
      return Invalid("unknown_field",
                     std::string(where) + "unknown field \"" + k.substr(0, 64) + "\"");
    }
  }
  return Status::Ok();
}

template <typename Table>
bool Named(const Table& table, std::string_view k) {
  return std::any_of(std::begin(table), std::end(table), [&](const auto& f) {
    if constexpr (std::is_same_v<std::decay_t<decltype(f)>, const char*>) {
      return k == f;
    } else {
      return k == f.name;
    }
  });
}

bool IsEventField(std::string_view k) {
  return Named(kStringFields, k) || Named(kHashFields, k) || Named(kOtherFields, k);
}
bool IsActorField(std::string_view k) { return Named(kActorFields, k); }

Status GetTime(const json& obj, uint64_t& out) {
  auto text = obj.find("occurred_at");
  auto micros = obj.find("occurred_at_us");
  if (text != obj.end() && micros != obj.end()) {
    return Invalid("conflicting_fields", "give occurred_at or occurred_at_us, not both");
  }
  if (micros != obj.end()) {
    if (!micros->is_number_unsigned()) {
      return Invalid("wrong_type", "occurred_at_us must be a non-negative integer");
    }
    out = micros->get<uint64_t>();
    return Status::Ok();
  }
  std::string s;
  RETURN_IF_ERROR(GetString(obj, "occurred_at", s));
  if (s.empty()) return Invalid("missing_field", "occurred_at is required");
  ASSIGN_OR_RETURN(out, ParseRfc3339Micros(s));
  return Status::Ok();
}

Result<Event> FromValue(const json& j) {
  if (!j.is_object()) return Invalid("not_an_object", "an event must be a JSON object");
  RETURN_IF_ERROR(CheckFields(j, IsEventField, ""));
  Event e;
  std::string kind, outcome;
  RETURN_IF_ERROR(GetString(j, "kind", kind));
  if (kind.empty()) return Invalid("missing_field", "kind is required");
  ASSIGN_OR_RETURN(e.kind, ParseEventKind(kind));
  RETURN_IF_ERROR(GetString(j, "outcome", outcome));
  if (outcome.empty()) return Invalid("missing_field", "outcome is required");
  ASSIGN_OR_RETURN(e.outcome, ParseOutcome(outcome));
  RETURN_IF_ERROR(GetTime(j, e.occurred_at_us));
  for (const auto& f : kStringFields) RETURN_IF_ERROR(GetString(j, f.name, e.*f.member));
  for (const auto& f : kHashFields) RETURN_IF_ERROR(GetHash(j, f.name, e.*f.member));
  if (auto actor = j.find("actor"); actor != j.end()) {
    if (!actor->is_object()) return Invalid("wrong_type", "actor must be an object");
    RETURN_IF_ERROR(CheckFields(*actor, IsActorField, "actor: "));
    for (const auto& f : kActorFields) {
      RETURN_IF_ERROR(GetString(*actor, f.name, e.actor.*f.member));
    }
  }
  if (auto attrs = j.find("attributes"); attrs != j.end()) {
    if (!attrs->is_object()) return Invalid("wrong_type", "attributes must be an object");
    for (const auto& [k, v] : attrs->items()) {
      if (!v.is_string()) {
        return Invalid("wrong_type", "attribute \"" + k.substr(0, 64) + "\" must be a string");
      }
      e.attributes.emplace_back(k, v.get<std::string>());
    }
  }
  RETURN_IF_ERROR(ValidateEvent(e));
  return e;
}

}  // namespace

Result<json> ParseJsonStrict(std::string_view text, size_t max_size, int max_depth) {
  if (text.size() > max_size) {
    return Invalid("json_too_large", "JSON is " + std::to_string(text.size()) + " bytes, limit " +
                                         std::to_string(max_size));
  }
  try {
    StrictChecker checker(max_depth);
    if (!json::sax_parse(text, &checker, json::input_format_t::json, /*strict=*/true)) {
      if (checker.status.ok()) return Invalid("malformed_json", "invalid JSON");
      return checker.status;
    }
    return json::parse(text);
  } catch (const std::exception& e) {
    return Invalid("malformed_json", e.what());
  }
}

Result<Event> EventFromJsonValue(const json& j) {
  try {
    return FromValue(j);
  } catch (const std::exception& e) {  // not expected: every access is type-checked
    return Invalid("malformed_json", e.what());
  }
}

Result<Event> EventFromJson(std::string_view text) {
  ASSIGN_OR_RETURN(json j, ParseJsonStrict(text, kMaxEventJsonSize));
  return EventFromJsonValue(j);
}

json EventToJson(const Event& e) {
  json j = json::object();
  j["kind"] = std::string(EventKindName(e.kind));
  j["outcome"] = std::string(OutcomeName(e.outcome));
  if (e.occurred_at_us != 0 && e.occurred_at_us <= kMaxOccurredAtUs) {
    j["occurred_at"] = FormatRfc3339Micros(e.occurred_at_us);
  } else {
    j["occurred_at_us"] = e.occurred_at_us;  // not a valid event; shown as it is
  }
  for (const auto& f : kStringFields) {
    if (!(e.*f.member).empty()) j[f.name] = e.*f.member;
  }
  for (const auto& f : kHashFields) {
    if ((e.*f.member).has_value()) j[f.name] = (e.*f.member)->Hex();
  }
  json actor = json::object();
  for (const auto& f : kActorFields) {
    if (!(e.actor.*f.member).empty()) actor[f.name] = e.actor.*f.member;
  }
  j["actor"] = std::move(actor);
  if (!e.attributes.empty()) {
    json attrs = json::object();
    for (const auto& [k, v] : e.attributes) attrs[k] = v;
    j["attributes"] = std::move(attrs);
  }
  return j;
}

}  // namespace ledger::codec
