#include "ledger/record/event.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include "ledger_test_paths.h"

namespace ledger {
namespace {

Hash H(std::string_view s) { return Sha256::Digest(s); }

Event Minimal() {
  Event e;
  e.kind = EventKind::kKeyCreated;
  e.event_id = "e1";
  e.occurred_at_us = 1;
  e.actor.id = "a";
  e.subject = "key/k-1";
  return e;
}

Event Full() {
  Event e = Minimal();
  e.kind = EventKind::kSignatureRejected;
  e.request_id = "r";
  e.correlation_id = "c";
  e.action = "sign";
  e.actor = {"service", "svc", "mtls", "user/bob"};
  e.source = "kms";
  e.target_type = "key";
  e.target_version = "v7";
  e.outcome = Outcome::kDenied;
  e.outcome_reason = "policy forbids";
  e.prior_state_hash = H("p");
  e.new_state_hash = H("n");
  e.payload_digest = H("d");
  e.retention_class = "SEC-17a-4-6y";
  e.attributes = {{"a", ""}, {"b", "x"}, {"\xc3\xa9t\xc3\xa9", "\xe2\x82\xac"}};
  return e;
}

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }
std::string EncodeReason(const Event& e) { return Reason(EncodeEvent(e).status()); }
std::string DecodeReason(const Bytes& b) { return Reason(DecodeEvent(b).status()); }

// Pads `e` with attributes so that its encoding is exactly `size` bytes.
Event OfSize(Event e, size_t size) {
  size_t have = EncodeEvent(e).value().size();
  for (int i = 0; have < size; ++i) {
    size_t room = size - have;                        // each attribute costs 8 + value size
    size_t value = std::min<size_t>(4096, room - 8);  // key is 3 bytes
    if (room - 8 - value > 0 && room - 8 - value < 8) value -= 8;
    std::string key = "k" + std::to_string(10 + i);  // 3 bytes for i < 90
    e.attributes.emplace_back(key, std::string(value, 'v'));
    have += 8 + value;
  }
  return e;
}

// The worked example of event.md §6, checked against tests/vectors.
TEST(EventTest, WorkedExampleVector) {
  std::ifstream in(LEDGER_TEST_VECTORS "/formats/event-example.json");
  ASSERT_TRUE(in) << "missing vector";
  auto v = nlohmann::json::parse(in);
  const auto& j = v["event"];
  Event e;
  e.kind = ParseEventKind(j["kind"].get<std::string>()).value();
  e.event_id = j["event_id"];
  e.request_id = j["request_id"];
  e.action = j["action"];
  e.occurred_at_us = j["occurred_at_us"];
  e.actor = {j["actor"]["type"], j["actor"]["id"], j["actor"]["auth_method"],
             j["actor"]["on_behalf_of"]};
  e.source = j["source"];
  e.subject = j["subject"];
  e.target_type = j["target_type"];
  e.target_version = j["target_version"];
  e.outcome = ParseOutcome(j["outcome"].get<std::string>()).value();
  e.prior_state_hash = Hash::FromHex(j["prior_state_hash"].get<std::string>()).value();
  e.new_state_hash = Hash::FromHex(j["new_state_hash"].get<std::string>()).value();
  e.payload_digest = Hash::FromHex(j["payload_digest"].get<std::string>()).value();
  e.retention_class = j["retention_class"];
  // Deliberately unsorted: the encoding sorts.
  e.attributes = {{"region", j["attributes"]["region"]},
                  {"algorithm", j["attributes"]["algorithm"]}};

  Bytes enc = EncodeEvent(e).value();
  EXPECT_EQ(HexEncode(enc), v["encoding_hex"].get<std::string>());
  EXPECT_EQ(enc.size(), v["encoding_size"].get<size_t>());
  EXPECT_EQ(Sha256::Digest(enc).Hex(), v["sha256"].get<std::string>());

  Event back = DecodeEvent(enc).value();
  std::swap(e.attributes[0], e.attributes[1]);
  EXPECT_EQ(back, e);
}

TEST(EventTest, RoundTrips) {
  for (const Event& e : {Minimal(), Full()}) {
    Bytes enc = EncodeEvent(e).value();
    EXPECT_EQ(DecodeEvent(enc).value(), e);
    EXPECT_EQ(EncodeEvent(DecodeEvent(enc).value()).value(), enc);
  }
  // Minimal: version, kind, event_id, occurred_at, actor_id, subject, outcome.
  EXPECT_EQ(HexEncode(EncodeEvent(Minimal()).value()),
            "01"
            "01000200"
            "01"
            "020002"
            "6531"
            "060008"
            "0000000000000001"
            "080001"
            "61"
            "0c0007"
            "6b65792f6b2d31"
            "0f0001"
            "01");
}

TEST(EventTest, AttributesAreSortedBytewise) {
  Event a = Minimal(), b = Minimal();
  a.attributes = {{"z", "1"}, {"\xc3\xa9", "2"}, {"A", "3"}, {"a", "4"}};
  b.attributes = {{"A", "3"}, {"a", "4"}, {"z", "1"}, {"\xc3\xa9", "2"}};
  EXPECT_EQ(EncodeEvent(a).value(), EncodeEvent(b).value());
  EXPECT_EQ(DecodeEvent(EncodeEvent(a).value()).value(), b);
}

TEST(EventTest, KindAndOutcomeNames) {
  for (uint16_t v = 1; v <= kMaxEventKind; ++v) {
    auto kind = static_cast<EventKind>(v);
    ASSERT_FALSE(EventKindName(kind).empty());
    EXPECT_EQ(ParseEventKind(EventKindName(kind)).value(), kind);
  }
  EXPECT_EQ(EventKindName(EventKind::kLegalHoldReleased), "LEGAL_HOLD_RELEASED");
  EXPECT_EQ(static_cast<int>(EventKind::kExportCreated), 16);
  EXPECT_EQ(static_cast<int>(EventKind::kVerificationRun), 17);
  EXPECT_EQ(EventKindName(EventKind::kVerificationRun), "VERIFICATION_RUN");
  EXPECT_EQ(EventKindName(static_cast<EventKind>(0)), "");
  EXPECT_EQ(EventKindName(static_cast<EventKind>(18)), "");
  EXPECT_EQ(ParseEventKind("key_created").status().reason(), "unknown_event_kind");
  EXPECT_EQ(ParseEventKind("").status().reason(), "unknown_event_kind");
  EXPECT_EQ(ParseOutcome("DENIED").value(), Outcome::kDenied);
  EXPECT_EQ(OutcomeName(Outcome::kError), "ERROR");
  EXPECT_EQ(OutcomeName(static_cast<Outcome>(4)), "");
  EXPECT_EQ(ParseOutcome("FAILED").status().reason(), "unknown_outcome");
}

TEST(EventTest, ValidationReasons) {
  auto with = [](auto mutate) {
    Event e = Full();
    mutate(e);
    return EncodeReason(e);
  };
  EXPECT_EQ(with([](Event&) {}), "ok");
  EXPECT_EQ(with([](Event& e) { e.event_id.clear(); }), "missing_field");
  EXPECT_EQ(with([](Event& e) { e.actor.id.clear(); }), "missing_field");
  EXPECT_EQ(with([](Event& e) { e.subject.clear(); }), "missing_field");
  EXPECT_EQ(with([](Event& e) { e.occurred_at_us = 0; }), "missing_field");
  EXPECT_EQ(with([](Event& e) { e.occurred_at_us = kMaxOccurredAtUs; }), "ok");
  EXPECT_EQ(with([](Event& e) { e.occurred_at_us = kMaxOccurredAtUs + 1; }),
            "timestamp_out_of_range");
  EXPECT_EQ(with([](Event& e) { e.kind = static_cast<EventKind>(0); }), "unknown_event_kind");
  EXPECT_EQ(with([](Event& e) { e.kind = static_cast<EventKind>(18); }), "unknown_event_kind");
  EXPECT_EQ(with([](Event& e) { e.outcome = static_cast<Outcome>(0); }), "unknown_outcome");
  EXPECT_EQ(with([](Event& e) { e.outcome = static_cast<Outcome>(4); }), "unknown_outcome");
  EXPECT_EQ(with([](Event& e) { e.source = "\xff"; }), "invalid_utf8");
  EXPECT_EQ(with([](Event& e) { e.actor.on_behalf_of = "a\xc3"; }), "invalid_utf8");
  EXPECT_EQ(with([](Event& e) { e.attributes[0].second = "\xed\xa0\x80"; }), "invalid_utf8");
  EXPECT_EQ(with([](Event& e) { e.attributes[0].first = "\xc0\x80"; }), "invalid_utf8");
  EXPECT_EQ(with([](Event& e) { e.subject = std::string("a\0b", 3); }), "nul_in_string");
  EXPECT_EQ(with([](Event& e) { e.attributes[1].second = std::string(1, '\0'); }), "nul_in_string");
  EXPECT_EQ(with([](Event& e) { e.outcome_reason = std::string(4096, 'x'); }), "ok");
  EXPECT_EQ(with([](Event& e) { e.outcome_reason = std::string(4097, 'x'); }), "field_too_long");
  EXPECT_EQ(with([](Event& e) { e.attributes[0].first = std::string(4097, 'k'); }),
            "field_too_long");
  EXPECT_EQ(with([](Event& e) { e.attributes[0].second = std::string(4097, 'v'); }),
            "field_too_long");
  EXPECT_EQ(with([](Event& e) { e.attributes[0].first.clear(); }), "empty_attribute_key");
  EXPECT_EQ(with([](Event& e) { e.attributes.push_back({"b", "y"}); }), "duplicate_attribute");
  auto attrs = [](size_t n) {
    return [n](Event& e) {
      e.attributes.clear();
      for (size_t i = 0; i < n; ++i) e.attributes.push_back({std::to_string(i), "v"});
    };
  };
  EXPECT_EQ(with(attrs(64)), "ok");
  EXPECT_EQ(with(attrs(65)), "too_many_attributes");
  EXPECT_EQ(Reason(ValidateEvent(Full())), "ok");
}

TEST(EventTest, SizeLimitExactlyAndOnePast) {
  Event at = OfSize(Minimal(), kMaxEventSize);
  Bytes enc = EncodeEvent(at).value();
  EXPECT_EQ(enc.size(), kMaxEventSize);
  EXPECT_EQ(DecodeEvent(enc).value(), at);
  Event past = OfSize(Minimal(), kMaxEventSize + 1);
  EXPECT_EQ(EncodeReason(past), "event_too_large");
  EXPECT_EQ(Reason(ValidateEvent(past)), "event_too_large");
  // Appending one byte to the last attribute's value makes a well-formed
  // encoding of a 60001-byte event, which must not decode.
  Bytes big = enc;
  big.push_back('v');
  size_t last = big.size() - 1 - at.attributes.back().second.size() - 3 - 2 - 2;
  ASSERT_EQ(big[last - 1], 0x30);
  uint16_t len = static_cast<uint16_t>((big[last] << 8 | big[last + 1]) + 1);
  big[last] = static_cast<uint8_t>(len >> 8);
  big[last + 1] = static_cast<uint8_t>(len);
  EXPECT_EQ(DecodeReason(big), "malformed_event");
}

// Builds version || fields, each (tag, value) as tag || u16 length || value.
Bytes Fields(std::vector<std::pair<uint8_t, Bytes>> fields, uint8_t version = 1) {
  Bytes out = {version};
  for (const auto& [tag, value] : fields) {
    AppendU8(out, tag);
    AppendU16BE(out, static_cast<uint16_t>(value.size()));
    Append(out, value);
  }
  return out;
}
Bytes B(std::string_view s) { return ToBytes(s); }
Bytes U16(uint16_t v) {
  Bytes b;
  AppendU16BE(b, v);
  return b;
}
Bytes U64(uint64_t v) {
  Bytes b;
  AppendU64BE(b, v);
  return b;
}
Bytes Attr(std::string_view k, std::string_view v) {
  Bytes b = U16(static_cast<uint16_t>(k.size()));
  Append(b, k);
  Append(b, v);
  return b;
}
std::vector<std::pair<uint8_t, Bytes>> MinimalFields() {
  return {{0x01, U16(1)}, {0x02, B("e1")},      {0x06, U64(1)},
          {0x08, B("a")}, {0x0c, B("key/k-1")}, {0x0f, {1}}};
}

TEST(EventDecodeTest, HandBuiltMinimalMatchesEncoder) {
  EXPECT_EQ(Fields(MinimalFields()), EncodeEvent(Minimal()).value());
  EXPECT_EQ(DecodeEvent(Fields(MinimalFields())).value(), Minimal());
}

TEST(EventDecodeTest, RejectsNonCanonicalInput) {
  auto mutated = [](auto mutate) {
    auto f = MinimalFields();
    mutate(f);
    return DecodeReason(Fields(f));
  };
  using F = std::vector<std::pair<uint8_t, Bytes>>;
  EXPECT_EQ(DecodeReason({}), "malformed_event");
  EXPECT_EQ(DecodeReason(Fields(MinimalFields(), 2)), "malformed_event");
  EXPECT_EQ(DecodeReason(Fields(MinimalFields(), 0)), "malformed_event");
  // Unknown tags, including the gap between 0x14 and 0x30 and past 0x30.
  for (uint8_t tag : Bytes{0x00, 0x15, 0x2f, 0x31, 0xff}) {
    EXPECT_EQ(mutated([&](F& f) { f.push_back({tag, B("x")}); }), "malformed_event") << int{tag};
  }
  EXPECT_EQ(mutated([](F& f) { std::swap(f[1], f[2]); }), "malformed_event");  // order
  EXPECT_EQ(mutated([](F& f) { f.insert(f.begin() + 2, {0x02, B("e2")}); }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f.insert(f.begin() + 2, {0x03, {}}); }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f.push_back({0x30, {}}); }), "malformed_event");
  // Fixed-size fields with the wrong size or value.
  EXPECT_EQ(mutated([](F& f) { f[0].second = {0, 0, 1}; }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f[0].second = {1}; }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f[0].second = U16(0); }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f[0].second = U16(18); }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f[0].second = U16(17); }), "ok");
  EXPECT_EQ(mutated([](F& f) { f[2].second = Bytes(7, 1); }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f[2].second = U64(0); }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f[2].second = U64(kMaxOccurredAtUs + 1); }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f[5].second = {0}; }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f[5].second = {4}; }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f[5].second = {0, 1}; }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f.push_back({0x11, Bytes(31, 1)}); }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f.push_back({0x14, Bytes(33, 1)}); }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f.push_back({0x14, Bytes(32, 1)}); }), "ok");
  // Required fields absent.
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(mutated([&](F& f) { f.erase(f.begin() + static_cast<std::ptrdiff_t>(i)); }),
              "malformed_event")
        << i;
  }
  // Strings that EncodeEvent would refuse.
  EXPECT_EQ(mutated([](F& f) { f[3].second = B("\xff"); }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f[3].second = Bytes{'a', 0}; }), "malformed_event");
  EXPECT_EQ(mutated([](F& f) { f[4].second = Bytes(4097, 'k'); }), "malformed_event");
}

TEST(EventDecodeTest, RejectsBadAttributes) {
  auto with_attrs = [](std::vector<Bytes> attrs) {
    auto f = MinimalFields();
    for (auto& a : attrs) f.push_back({0x30, a});
    return DecodeReason(Fields(f));
  };
  EXPECT_EQ(with_attrs({Attr("a", "1"), Attr("b", "")}), "ok");
  EXPECT_EQ(with_attrs({Attr("b", "1"), Attr("a", "2")}), "malformed_event");  // order
  EXPECT_EQ(with_attrs({Attr("a", "1"), Attr("a", "2")}), "malformed_event");  // duplicate
  EXPECT_EQ(with_attrs({Attr("", "1")}), "malformed_event");                   // empty key
  EXPECT_EQ(with_attrs({{0}}), "malformed_event");                             // short key length
  EXPECT_EQ(with_attrs({{0, 5, 'a'}}), "malformed_event");                     // key past the end
  EXPECT_EQ(with_attrs({Attr("a", "\xc3")}), "malformed_event");               // bad UTF-8
  std::vector<Bytes> many;
  for (int i = 0; i < 65; ++i) many.push_back(Attr("k" + std::to_string(100 + i), "v"));
  EXPECT_EQ(with_attrs(many), "malformed_event");
  many.pop_back();
  EXPECT_EQ(with_attrs(many), "ok");
}

TEST(EventDecodeTest, RejectsEveryTruncationAndTrailingBytes) {
  Bytes enc = EncodeEvent(Full()).value();
  // A prefix that ends at a field boundary is well-formed but lacks fields
  // that the full event has; every one must still be refused or decode to
  // something that re-encodes to exactly that prefix.
  for (size_t n = 0; n < enc.size(); ++n) {
    Bytes prefix(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = DecodeEvent(prefix);
    if (r.ok()) {
      EXPECT_EQ(EncodeEvent(*r).value(), prefix) << n;
    } else {
      EXPECT_EQ(r.status().reason(), "malformed_event") << n;
    }
  }
  for (Bytes tail : {Bytes{0}, Bytes{0x30}, Bytes{0x30, 0, 0}, Bytes{0x01, 0x00}}) {
    Bytes b = enc;
    Append(b, tail);
    EXPECT_EQ(DecodeReason(b), "malformed_event");
  }
}

TEST(EventTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x91\xf4\x8f\xbf\xbf"));
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xc1\xbf"));          // overlong 2-byte
  EXPECT_FALSE(IsValidUtf8("\xe0\x9f\xbf"));      // overlong 3-byte
  EXPECT_FALSE(IsValidUtf8("\xf0\x8f\xbf\xbf"));  // overlong 4-byte
  EXPECT_FALSE(IsValidUtf8("\xed\xbf\xbf"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xf5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));      // truncated
  EXPECT_FALSE(IsValidUtf8("\xe2\x28\xac"));  // bad continuation
}

}  // namespace
}  // namespace ledger
