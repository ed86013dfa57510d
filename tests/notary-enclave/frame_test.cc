// The strict frame parser: every refusal has its stable reason.
#include <gtest/gtest.h>

#include "ledger/sequencer/sequencer.h"
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

void AppendVarint(std::string& out, uint64_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7f) | 0x80));
  out.push_back(static_cast<char>(v));
}

// A length-delimited field: tag, length, bytes.
std::string Field(uint32_t number, const std::string& value) {
  std::string out;
  AppendVarint(out, (uint64_t{number} << 3) | 2);
  AppendVarint(out, value.size());
  return out + value;
}

std::string Repeat(uint32_t number, const std::string& value, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += Field(number, value);
  return out;
}

TEST(FrameTest, CapsEveryRepeatedFieldBeforeParsing) {
  // Append.events: kMaxAppendEvents pass the count (and parse), one more not.
  std::string events = Repeat(3, "", kMaxAppendEvents);
  EXPECT_TRUE(DecodeRequest(Frame(1, Field(5, events))).ok());
  EXPECT_REASON(DecodeRequest(Frame(1, Field(5, events + Field(3, "")))), "too_many_elements");
  // The same body twice is merged by protobuf: the counts add up.
  std::string half = Repeat(3, "", kMaxAppendEvents / 2 + 1);
  EXPECT_REASON(DecodeRequest(Frame(1, Field(5, half) + Field(5, half))), "too_many_elements");
  // Provision.approvals and .sealed_shares, ChangePolicy.approvals.
  EXPECT_REASON(DecodeRequest(Frame(1, Field(3, Repeat(2, "a", kMaxApprovals + 1)))),
                "too_many_elements");
  EXPECT_REASON(DecodeRequest(Frame(1, Field(3, Repeat(3, "s", kMaxApprovals + 1)))),
                "too_many_elements");
  EXPECT_REASON(DecodeRequest(Frame(1, Field(6, Repeat(4, "a", kMaxApprovals + 1)))),
                "too_many_elements");
  EXPECT_TRUE(DecodeRequest(Frame(1, Field(6, Repeat(4, "a", kMaxApprovals)))).ok());
  // Restore.frontier and .last_leaf_proof.
  std::string hash(32, 'h');
  EXPECT_REASON(DecodeRequest(Frame(1, Field(4, Repeat(3, hash, kMaxProofHashes + 1)))),
                "too_many_elements");
  EXPECT_REASON(DecodeRequest(Frame(1, Field(4, Repeat(5, hash, kMaxProofHashes + 1)))),
                "too_many_elements");
  EXPECT_TRUE(DecodeRequest(Frame(1, Field(4, Repeat(5, hash, kMaxProofHashes)))).ok());
  // The frame limit follows the sequencer's default batch limit.
  EXPECT_EQ(ledger::SequencerOptions{}.max_batch, kMaxAppendEvents);
}

TEST(FrameTest, TheCountingWalkRefusesWhatProtobufWould) {
  // A length past the end, a truncated varint, wire types 6/7, field 0.
  EXPECT_REASON(DecodeRequest(Frame(1, std::string("\x2a\x05\x1a\x00", 4))), "malformed_protobuf");
  EXPECT_REASON(DecodeRequest(Frame(1, std::string("\x2a\x02\x1a\x80", 4))), "malformed_protobuf");
  EXPECT_REASON(DecodeRequest(Frame(1, std::string("\x2e\x00", 2))), "malformed_protobuf");
  EXPECT_REASON(DecodeRequest(Frame(1, std::string("\x2a\x01\x07", 3))), "malformed_protobuf");
  EXPECT_REASON(DecodeRequest(Frame(1, std::string("\x00\x00", 2))), "malformed_protobuf");
  // A group (no field of the protocol is one) is an unknown field.
  EXPECT_REASON(DecodeRequest(Frame(1, std::string("\x2b\x2c", 2))), "unknown_field");
}

// The frame that once took 2.4 GB: 33,554,000 empty events in 64 MiB. It is
// refused by the count, long before protobuf would allocate an event.
TEST(FrameTest, RefusesAFullFrameOfEmptyEventsByCount) {
  const size_t n = 33'554'000;
  std::string inner(2 * n, '\0');
  for (size_t i = 0; i < n; ++i) inner[2 * i] = '\x1a';  // field 3, length 0
  Bytes frame = Frame(1, Field(5, inner));
  ASSERT_LE(frame.size() - kLengthSize, kMaxFrameBody);
  EXPECT_REASON(DecodeRequest(frame), "too_many_elements");
}

}  // namespace
}  // namespace notary::frame
