// The strict frame parser: every refusal has its stable reason.
#include <gtest/gtest.h>

#include "notary/frame.h"

namespace notary::frame {
namespace {

using ledger::Bytes;

Bytes Frame(uint8_t version, const std::string& payload) {
  Bytes out;
  ledger::AppendU32BE(out, static_cast<uint32_t>(payload.size() + 1));
  ledger::AppendU8(out, version);
  ledger::Append(out, payload);
  return out;
}

HostRequest Sample() {
  HostRequest r;
  auto* a = r.mutable_append();
  a->set_expected_size(7);
  a->set_expected_root(std::string(32, 'r'));
  auto* e = a->add_events();
  e->set_event("event");
  e->set_stamp("stamp");
  return r;
}

#define EXPECT_REASON(expr, want)                               \
  do {                                                          \
    auto r_ = (expr);                                           \
    ASSERT_FALSE(r_.ok());                                      \
    EXPECT_EQ(r_.status().reason(), want) << r_.status();       \
  } while (0)

TEST(FrameTest, RoundTrips) {
  Bytes frame = EncodeRequest(Sample()).value();
  EXPECT_EQ(frame[4], kVersion);
  EXPECT_EQ(ledger::LoadU32BE(frame.data()), frame.size() - 4);
  auto back = DecodeRequest(frame);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), Sample().SerializeAsString());
  NotaryResponse resp;
  resp.mutable_error()->set_reason("x");
  EXPECT_TRUE(DecodeResponse(EncodeResponse(resp).value()).ok());
}

TEST(FrameTest, RefusesUnknownVersionTruncationAndTrailingBytes) {
  std::string payload = Sample().SerializeAsString();
  EXPECT_REASON(DecodeRequest(Frame(2, payload)), "unknown_frame_version");
  EXPECT_REASON(DecodeRequest(Frame(0, payload)), "unknown_frame_version");
  Bytes frame = Frame(1, payload);
  EXPECT_REASON(DecodeRequest(ledger::ByteView(frame).first(3)), "truncated_frame");
  EXPECT_REASON(DecodeRequest(ledger::ByteView(frame).first(frame.size() - 1)), "truncated_frame");
  Bytes longer = frame;
  longer.push_back(0);
  EXPECT_REASON(DecodeRequest(longer), "trailing_bytes");
  EXPECT_REASON(DecodeRequest(Bytes{0, 0, 0, 0}), "truncated_frame");
}

TEST(FrameTest, RefusesOversizeLengthsBeforeReadingThem) {
  Bytes prefix;
  ledger::AppendU32BE(prefix, static_cast<uint32_t>(kMaxFrameBody + 1));
  EXPECT_REASON(ParseLength(prefix), "frame_too_large");
  prefix.clear();
  ledger::AppendU32BE(prefix, 0xffffffffu);
  prefix.push_back(1);
  EXPECT_REASON(DecodeRequest(prefix), "frame_too_large");
  prefix.clear();
  ledger::AppendU32BE(prefix, static_cast<uint32_t>(kMaxFrameBody));
  EXPECT_TRUE(ParseLength(prefix).ok());
}

TEST(FrameTest, RefusesMalformedUnknownAndNonCanonicalProtobuf) {
  std::string payload = Sample().SerializeAsString();
  EXPECT_REASON(DecodeRequest(Frame(1, payload.substr(0, payload.size() - 1))), "malformed_protobuf");
  // Field 15 (varint) appended at the top level, and inside a nested message.
  EXPECT_REASON(DecodeRequest(Frame(1, payload + std::string("\x78\x01", 2))), "unknown_field");
  HostRequest status;
  status.mutable_get_status();
  std::string nested = std::string("\x0a\x02\x78\x01", 4);  // get_status { 15: 1 }
  EXPECT_REASON(DecodeRequest(Frame(1, nested)), "unknown_field");
  // An explicit zero (expected_size = 0) is not how it serializes.
  std::string zero = std::string("\x2a\x02\x08\x00", 4);  // append { expected_size: 0 }
  EXPECT_REASON(DecodeRequest(Frame(1, zero)), "non_canonical_protobuf");
  // Fields out of order: expected_root before expected_size.
  HostRequest r;
  r.mutable_append()->set_expected_size(1);
  r.mutable_append()->set_expected_root("x");
  std::string ordered = r.SerializeAsString();
  std::string inner = ordered.substr(2);  // 08 01 12 01 78
  std::string swapped = std::string("\x2a\x05", 2) + inner.substr(2) + inner.substr(0, 2);
  EXPECT_REASON(DecodeRequest(Frame(1, swapped)), "non_canonical_protobuf");
  // A non-minimal varint for a length.
  std::string padded = std::string("\x12\x80\x00", 3);  // get_boot_proof, length 0 as 2 bytes
  EXPECT_REASON(DecodeRequest(Frame(1, padded)), "non_canonical_protobuf");
  EXPECT_REASON(DecodeRequest(Frame(1, "")), "empty_message");
}

TEST(FrameTest, RefusesUnknownFieldsInResponses) {
  NotaryResponse resp;
  resp.mutable_sequenced()->mutable_app_proof()->set_payload("p");
  std::string payload = resp.SerializeAsString();
  EXPECT_TRUE(DecodeResponse(Frame(1, payload)).ok());
  // sequenced { app_proof { payload: "p", 15: 1 } }
  std::string bad = std::string("\x2a\x07\x22\x05\x0a\x01p\x78\x01", 9);
  EXPECT_REASON(DecodeResponse(Frame(1, bad)), "unknown_field");
}

}  // namespace
}  // namespace notary::frame
