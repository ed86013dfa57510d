#include "ledger/codec/event_proto.h"

#include <gtest/gtest.h>

#include <fstream>

#include "ledger/codec/event_json.h"
#include "ledger_test_paths.h"

namespace ledger::codec {
namespace {

std::string Reason(const ledger::v1::Event& p) {
  auto r = EventFromProto(p);
  return r.ok() ? "ok" : r.status().reason();
}

Event Example() {
  std::ifstream in(LEDGER_TEST_VECTORS "/formats/event-example.json");
  LEDGER_CHECK(static_cast<bool>(in));
  auto v = nlohmann::json::parse(in);
  return EventFromJson(v["event"].dump()).value();
}

TEST(EventProtoTest, WorkedExampleRoundTrip) {
  Event e = Example();
  ledger::v1::Event p = EventToProto(e);
  EXPECT_EQ(p.kind(), ledger::v1::EVENT_KIND_KEY_ROTATED);
  EXPECT_EQ(p.prior_state_hash().size(), 32u);
  EXPECT_EQ(p.attributes_size(), 2);
  std::string wire = p.SerializeAsString();
  ledger::v1::Event parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire));
  Event back = EventFromProto(parsed).value();
  EXPECT_EQ(back, e);
  // The canonical bytes do not depend on the form the event arrived in.
  EXPECT_EQ(EncodeEvent(back).value(), EncodeEvent(e).value());
}

TEST(EventProtoTest, EnumNumbersMatchTheCanonicalCodes) {
  for (uint16_t v = 1; v <= kMaxEventKind; ++v) {
    ASSERT_TRUE(ledger::v1::EventKind_IsValid(v));
    EXPECT_EQ(ledger::v1::EventKind_Name(static_cast<ledger::v1::EventKind>(v)),
              "EVENT_KIND_" + std::string(EventKindName(static_cast<EventKind>(v))));
  }
  EXPECT_FALSE(ledger::v1::EventKind_IsValid(kMaxEventKind + 1));
  for (uint8_t v = 1; v <= 3; ++v) {
    EXPECT_EQ(ledger::v1::Outcome_Name(static_cast<ledger::v1::Outcome>(v)),
              "OUTCOME_" + std::string(OutcomeName(static_cast<Outcome>(v))));
  }
  EXPECT_FALSE(ledger::v1::Outcome_IsValid(4));
}

TEST(EventProtoTest, Rejections) {
  const ledger::v1::Event good = EventToProto(Example());
  auto with = [&](auto mutate) {
    ledger::v1::Event p = good;
    mutate(p);
    return Reason(p);
  };
  using P = ledger::v1::Event;
  EXPECT_EQ(with([](P&) {}), "ok");
  EXPECT_EQ(with([](P& p) { p.set_kind(ledger::v1::EVENT_KIND_UNSPECIFIED); }), "missing_field");
  EXPECT_EQ(with([](P& p) { p.set_kind(static_cast<ledger::v1::EventKind>(18)); }),
            "unknown_event_kind");
  EXPECT_EQ(with([](P& p) { p.set_kind(static_cast<ledger::v1::EventKind>(-1)); }),
            "unknown_event_kind");
  EXPECT_EQ(with([](P& p) { p.set_outcome(ledger::v1::OUTCOME_UNSPECIFIED); }), "missing_field");
  EXPECT_EQ(with([](P& p) { p.set_outcome(static_cast<ledger::v1::Outcome>(4)); }),
            "unknown_outcome");
  EXPECT_EQ(with([](P& p) { p.set_outcome(static_cast<ledger::v1::Outcome>(257)); }),
            "unknown_outcome");
  EXPECT_EQ(with([](P& p) { p.set_prior_state_hash(std::string(31, 'x')); }), "bad_hash");
  EXPECT_EQ(with([](P& p) { p.set_payload_digest(std::string(33, 'x')); }), "bad_hash");
  EXPECT_EQ(with([](P& p) { p.clear_actor(); }), "missing_field");
  EXPECT_EQ(with([](P& p) { p.clear_event_id(); }), "missing_field");
  EXPECT_EQ(with([](P& p) { p.set_occurred_at_us(0); }), "missing_field");
  EXPECT_EQ(with([](P& p) { *p.add_attributes() = p.attributes(0); }), "duplicate_attribute");
  EXPECT_EQ(with([](P& p) { p.add_attributes()->set_value("no key"); }), "empty_attribute_key");
  EXPECT_EQ(with([](P& p) {
              for (int i = 0; i < 63; ++i) p.add_attributes()->set_key("k" + std::to_string(i));
            }),
            "too_many_attributes");
  EXPECT_EQ(with([](P& p) { p.set_subject(std::string(4097, 's')); }), "field_too_long");
}

TEST(EventProtoTest, RejectsUnknownFields) {
  std::string wire = EventToProto(Example()).SerializeAsString();
  // Field 99, varint 1: a field from a newer schema must not be dropped silently.
  std::string extra = wire + std::string("\x98\x06\x01", 3);
  ledger::v1::Event p;
  ASSERT_TRUE(p.ParseFromString(extra));
  EXPECT_EQ(Reason(p), "unknown_field");
  // The same inside the actor.
  ledger::v1::Event q = EventToProto(Example());
  std::string actor = q.actor().SerializeAsString() + std::string("\x98\x06\x01", 3);
  ASSERT_TRUE(q.mutable_actor()->ParseFromString(actor));
  EXPECT_EQ(Reason(q), "unknown_field");
}

}  // namespace
}  // namespace ledger::codec
