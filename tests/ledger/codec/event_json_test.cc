#include "ledger/codec/event_json.h"

#include <gtest/gtest.h>

#include <fstream>

#include "ledger/codec/rfc3339.h"
#include "ledger_test_paths.h"

namespace ledger::codec {
namespace {

using json = nlohmann::json;

std::string Reason(std::string_view text) {
  auto r = EventFromJson(text);
  return r.ok() ? "ok" : r.status().reason();
}

// A valid event to mutate, as JSON.
json Base() {
  return json::parse(R"({
    "kind": "KEY_ROTATED", "event_id": "e-1", "request_id": "r-1",
    "occurred_at": "2024-05-01T12:34:56.123456Z",
    "actor": {"type": "service", "id": "svc", "auth_method": "mtls"},
    "subject": "key/k-1", "outcome": "SUCCESS",
    "prior_state_hash": "0000000000000000000000000000000000000000000000000000000000000001",
    "attributes": {"region": "eu"}})");
}
std::string With(const char* pointer, json value) {
  json j = Base();
  j[json::json_pointer(pointer)] = std::move(value);
  return Reason(j.dump());
}
std::string Without(const char* pointer) {
  json j = Base();
  json::json_pointer p(pointer);
  j[p.parent_pointer()].erase(p.back());
  return Reason(j.dump());
}

// The worked example of event.md §6 read through JSON gives the same bytes.
TEST(EventJsonTest, WorkedExampleVector) {
  std::ifstream in(LEDGER_TEST_VECTORS "/formats/event-example.json");
  ASSERT_TRUE(in);
  json v = json::parse(in);
  Event e = EventFromJson(v["event"].dump()).value();
  EXPECT_EQ(HexEncode(EncodeEvent(e).value()), v["encoding_hex"].get<std::string>());
  json out = EventToJson(e);
  EXPECT_EQ(out["occurred_at"], "2024-05-01T12:34:56.123456Z");
  EXPECT_FALSE(out.contains("occurred_at_us"));
  EXPECT_FALSE(out.contains("correlation_id"));  // empty fields are omitted
  EXPECT_EQ(EventFromJson(out.dump()).value(), e);
}

TEST(EventJsonTest, SampleEventsFile) {
  std::ifstream in(LEDGER_SOURCE_DIR "/ops/samples/events.jsonl");
  ASSERT_TRUE(in);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    auto e = EventFromJson(line);
    ASSERT_TRUE(e.ok()) << e.status() << " in line " << n + 1;
    EXPECT_EQ(EventFromJson(EventToJson(*e).dump()).value(), *e);
    ++n;
  }
  EXPECT_GE(n, 12);
}

TEST(EventJsonTest, TimeForms) {
  json j = Base();
  j.erase("occurred_at");
  j["occurred_at_us"] = 1714566896123456;
  Event by_int = EventFromJson(j.dump()).value();
  EXPECT_EQ(by_int, EventFromJson(Base().dump()).value());
  j["occurred_at"] = "2024-05-01T12:34:56.123456Z";
  EXPECT_EQ(Reason(j.dump()), "conflicting_fields");
  EXPECT_EQ(Without("/occurred_at"), "missing_field");
  EXPECT_EQ(With("/occurred_at", "2024-05-01T12:34:56+00:00"), "bad_timestamp");
  EXPECT_EQ(With("/occurred_at", 1714566896), "wrong_type");
  j.erase("occurred_at");
  for (json bad : {json(-1), json(1.5), json("1714566896123456"), json(nullptr)}) {
    j["occurred_at_us"] = bad;
    EXPECT_EQ(Reason(j.dump()), "wrong_type") << bad;
  }
  j["occurred_at_us"] = 0;
  EXPECT_EQ(Reason(j.dump()), "missing_field");
  j["occurred_at_us"] = kMaxOccurredAtUs + 1;
  EXPECT_EQ(Reason(j.dump()), "timestamp_out_of_range");
}

TEST(EventJsonTest, Rfc3339) {
  auto ok = [](std::string_view s) { return ParseRfc3339Micros(s).value(); };
  EXPECT_EQ(ok("1970-01-01T00:00:00Z"), 0u);
  EXPECT_EQ(ok("1970-01-01T00:00:00.000001Z"), 1u);
  EXPECT_EQ(ok("2024-05-01T12:34:56.123456Z"), 1714566896123456u);
  EXPECT_EQ(ok("2024-05-01T12:34:56.1Z"), 1714566896100000u);
  EXPECT_EQ(ok("2000-02-29T00:00:00Z"), 951782400000000u);
  EXPECT_EQ(ok("9999-12-31T23:59:59.999999Z"), kMaxOccurredAtUs);
  for (const char* bad : {"",
                          "2024-05-01",
                          "2024-05-01T12:34:56",
                          "2024-05-01 12:34:56Z",
                          "2024-05-01t12:34:56z",
                          "2024-05-01T12:34:56.Z",
                          "2024-05-01T12:34:56.1234567Z",
                          "2024-05-01T12:34:56Zx",
                          "2024-05-01T12:34:56+01:00",
                          "2024-05-01T24:00:00Z",
                          "2024-05-01T12:60:00Z",
                          "2024-05-01T12:34:60Z",
                          "2023-02-29T00:00:00Z",
                          "1900-02-28T00:00:00Z",
                          "2024-13-01T00:00:00Z",
                          "2024-00-01T00:00:00Z",
                          "2024-04-31T00:00:00Z",
                          "1969-12-31T23:59:59Z",
                          "+2024-05-01T12:34:56Z",
                          "2024-5-01T12:34:56Z",
                          "2024-05-01T12:34:-6Z"}) {
    EXPECT_EQ(ParseRfc3339Micros(bad).status().reason(), "bad_timestamp") << bad;
  }
  for (uint64_t us : {uint64_t{1}, uint64_t{1714566896000000}, uint64_t{1714566896123456},
                      uint64_t{951782400000000}, kMaxOccurredAtUs}) {
    EXPECT_EQ(ok(FormatRfc3339Micros(us)), us);
  }
  EXPECT_EQ(FormatRfc3339Micros(1714566896000000), "2024-05-01T12:34:56Z");
  EXPECT_EQ(FormatRfc3339Micros(1714566896100000), "2024-05-01T12:34:56.100000Z");
  EXPECT_EQ(FormatRfc3339Micros(kMaxOccurredAtUs), "9999-12-31T23:59:59.999999Z");
}

TEST(EventJsonTest, RejectsMalformedJson) {
  EXPECT_EQ(Reason(Base().dump()), "ok");
  for (const char* bad : {"", "{", "{\"kind\":}", "{} {}", "{}x", "nul", "{\"a\":1,}", "'x'"}) {
    EXPECT_EQ(Reason(bad), "malformed_json") << bad;
  }
  EXPECT_EQ(Reason("{\"event_id\": \"\xff\"}"), "malformed_json");     // invalid UTF-8
  EXPECT_EQ(Reason("{\"event_id\": \"\\ud800\"}"), "malformed_json");  // lone surrogate
  for (const char* not_object : {"[]", "\"x\"", "1", "null", "true"}) {
    EXPECT_EQ(Reason(not_object), "not_an_object") << not_object;
  }
  std::string deep(100000, '[');
  EXPECT_EQ(Reason(deep), "malformed_json");
  EXPECT_EQ(Reason("{\"kind\": \"KEY_CREATED\", \"kind\": \"KEY_RETIRED\"}"), "duplicate_key");
  EXPECT_EQ(Reason("{\"actor\": {\"id\": \"a\", \"id\": \"b\"}}"), "duplicate_key");
  EXPECT_EQ(Reason("{\"attributes\": {\"k\": \"a\", \"k\": \"b\"}}"), "duplicate_key");
}

TEST(EventJsonTest, SizeLimit) {
  std::string text = Base().dump();
  text.pop_back();  // the final '}'
  std::string padded = text + ",\"action\":\"\"" + "}";
  size_t pad = kMaxEventJsonSize - padded.size();
  std::string at = text + std::string(pad, ' ') + ",\"action\":\"\"}";
  ASSERT_EQ(at.size(), kMaxEventJsonSize);
  EXPECT_EQ(Reason(at), "ok");
  EXPECT_EQ(Reason(at + " "), "json_too_large");
}

TEST(EventJsonTest, FieldChecks) {
  EXPECT_EQ(With("/colour", "red"), "unknown_field");
  EXPECT_EQ(With("/actor/role", "admin"), "unknown_field");
  EXPECT_EQ(With("/kind", "KEY_MELTED"), "unknown_event_kind");
  EXPECT_EQ(With("/kind", "key_rotated"), "unknown_event_kind");
  EXPECT_EQ(With("/kind", 3), "wrong_type");
  EXPECT_EQ(Without("/kind"), "missing_field");
  EXPECT_EQ(With("/kind", ""), "missing_field");
  EXPECT_EQ(With("/outcome", "FAILED"), "unknown_outcome");
  EXPECT_EQ(Without("/outcome"), "missing_field");
  EXPECT_EQ(Without("/event_id"), "missing_field");
  EXPECT_EQ(Without("/subject"), "missing_field");
  EXPECT_EQ(Without("/actor"), "missing_field");
  EXPECT_EQ(Without("/actor/id"), "missing_field");
  EXPECT_EQ(With("/event_id", nullptr), "wrong_type");
  EXPECT_EQ(With("/event_id", 7), "wrong_type");
  EXPECT_EQ(With("/source", json::array()), "wrong_type");
  EXPECT_EQ(With("/actor", "svc"), "wrong_type");
  EXPECT_EQ(With("/actor/id", true), "wrong_type");
  EXPECT_EQ(With("/attributes", json::array({"a"})), "wrong_type");
  EXPECT_EQ(With("/attributes/n", 1), "wrong_type");
  EXPECT_EQ(With("/attributes/", "v"), "empty_attribute_key");
  EXPECT_EQ(With("/subject", std::string("a\0b", 3)), "nul_in_string");
  EXPECT_EQ(With("/subject", std::string(4097, 's')), "field_too_long");
  EXPECT_EQ(With("/request_id", ""), "ok");  // empty is absent
  // Hashes: 64 lowercase hex digits, nothing else.
  EXPECT_EQ(With("/new_state_hash", std::string(64, 'a')), "ok");
  EXPECT_EQ(With("/new_state_hash", std::string(64, 'A')), "bad_hash");
  EXPECT_EQ(With("/new_state_hash", std::string(62, 'a')), "bad_hash");
  EXPECT_EQ(With("/new_state_hash", std::string(66, 'a')), "bad_hash");
  EXPECT_EQ(With("/new_state_hash", std::string(63, 'a') + "g"), "bad_hash");
  EXPECT_EQ(With("/payload_digest", 12), "wrong_type");
  json many = json::object();
  for (int i = 0; i < 65; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_EQ(With("/attributes", many), "too_many_attributes");
}

TEST(EventJsonTest, ToJsonRoundTripsEveryField) {
  Event e;
  e.kind = EventKind::kLegalHoldPlaced;
  e.event_id = "e";
  e.request_id = "r";
  e.correlation_id = "c";
  e.action = "hold";
  e.occurred_at_us = 1;
  e.actor = {"user", "u", "oidc", "team/legal"};
  e.source = "s";
  e.subject = "record/1";
  e.target_type = "record";
  e.target_version = "3";
  e.outcome = Outcome::kError;
  e.outcome_reason = "\xe2\x9c\x93 done";
  e.prior_state_hash = Sha256::Digest("a");
  e.new_state_hash = Sha256::Digest("b");
  e.payload_digest = Sha256::Digest("c");
  e.retention_class = "rc";
  e.attributes = {{"a", ""}, {"b", "2"}};
  json j = EventToJson(e);
  EXPECT_EQ(j["occurred_at"], "1970-01-01T00:00:00.000001Z");
  EXPECT_EQ(j["actor"]["on_behalf_of"], "team/legal");
  EXPECT_EQ(j["kind"], "LEGAL_HOLD_PLACED");
  EXPECT_EQ(j["outcome"], "ERROR");
  EXPECT_EQ(EventFromJson(j.dump()).value(), e);
  EXPECT_EQ(EventFromJsonValue(j).value(), e);
}

}  // namespace
}  // namespace ledger::codec
