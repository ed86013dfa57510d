#include "ledger/attestation/cbor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include "ledger_test_paths.h"

namespace ledger::cbor {
namespace {

Bytes H(std::string_view hex) {
  std::string clean(hex);
  std::erase(clean, ' ');
  return HexDecode(clean).value();
}
std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  LEDGER_CHECK(static_cast<bool>(in));
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

// RFC 8949 Appendix A examples that are in the subset we support, and that
// are already in deterministic form: decode, then re-encode byte for byte.
TEST(Cbor, AppendixARoundTrips) {
  for (const char* hex :
       {"00", "01", "0a", "17", "1818", "1819", "1864", "1903e8", "1a000f4240",
        "1b000000e8d4a51000", "1bffffffffffffffff", "3bffffffffffffffff", "20", "29", "3863",
        "3903e7", "f4", "f5", "f6", "c074323031332d30332d32315432303a30343a30305a",
        "c11a514b67b0", "d82076687474703a2f2f7777772e6578616d706c652e636f6d", "40", "4401020304",
        "60", "6161", "6449455446", "62225c", "62c3bc", "63e6b0b4", "64f0908591", "80",
        "83010203", "8301820203820405", "a0", "a201020304", "a26161016162820203",
        "826161a161626163"}) {
    SCOPED_TRACE(hex);
    auto item = Decode(H(hex));
    ASSERT_TRUE(item.ok()) << item.status();
    auto again = Encode(*item);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(HexEncode(*again), hex);
  }
}

TEST(Cbor, DecodedValues) {
  int64_t v = 0;
  EXPECT_TRUE(Decode(H("3903e7"))->AsInt64(&v));
  EXPECT_EQ(v, -1000);
  EXPECT_FALSE(Decode(H("3bffffffffffffffff"))->AsInt64(&v));  // -2^64 does not fit
  EXPECT_EQ(Decode(H("64f0908591"))->text, "\xf0\x90\x85\x91");
  auto tag = Decode(H("c11a514b67b0")).value();
  EXPECT_EQ(tag.type, Type::kTag);
  EXPECT_EQ(tag.uint_value, 1u);
  EXPECT_EQ(tag.items.at(0).uint_value, 1363896240u);
  auto map = Decode(H("a26161016162820203")).value();
  ASSERT_NE(map.Find("b"), nullptr);
  EXPECT_EQ(map.Find("b")->items.size(), 2u);
  EXPECT_EQ(map.Find("c"), nullptr);
  EXPECT_EQ(map.FindInt(1), nullptr);
}

// RFC 8949 §3.2 indefinite lengths, Appendix A examples.
TEST(Cbor, IndefiniteLengths) {
  auto bytes = Decode(H("5f42010243030405ff")).value();
  EXPECT_EQ(bytes.bytes, H("0102030405"));
  EXPECT_TRUE(bytes.indefinite);
  EXPECT_EQ(Decode(H("7f657374726561646d696e67ff"))->text, "streaming");
  EXPECT_EQ(Decode(H("5fff"))->bytes.size(), 0u);
  EXPECT_TRUE(Decode(H("9fff"))->items.empty());
  auto nested = Decode(H("9f018202039f0405ffff")).value();
  ASSERT_EQ(nested.items.size(), 3u);
  EXPECT_EQ(nested.items[2].items.size(), 2u);
  auto map = Decode(H("bf61610161629f0203ffff")).value();
  EXPECT_TRUE(map.indefinite);
  EXPECT_EQ(map.entries.size(), 2u);
  // Re-encoding is deterministic: definite lengths.
  EXPECT_EQ(HexEncode(Encode(map).value()), "a26161016162820203");
  EXPECT_EQ(HexEncode(Encode(Decode(H("7f657374726561646d696e67ff")).value()).value()),
            "6973747265616d696e67");
}

TEST(Cbor, RejectsMalformedInput) {
  for (const char* hex : {
           "",                              // empty
           "0000",                          // trailing bytes
           "1817", "190017", "1a0000ffff",  // integers not in shortest form
           "1b00000000ffffffff", "3817", "5801aa", "9800", "b800", "d81700",
           "1c", "1d", "1e", "5c", "fc",  // reserved additional information
           "1f", "3f", "df",               // indefinite length on ints and tags
           "ff", "81ff", "a1ff",            // break outside an indefinite item
           "19", "1901", "1b0000",          // truncated argument
           "4501020304", "62c3",            // string longer than the input
           "f93c00", "fa47c35000", "fb3ff199999999999a",  // floats
           "f7", "f0", "f820",                            // undefined, other simple values
           "62c328", "61ff", "63eda080", "62c0af", "64f4908080",  // invalid UTF-8
           "5f6161ff", "7f4161ff", "5f5fffff",                    // bad indefinite chunks
           "5f", "5f4101", "9f01", "bf0101", "bf01ff",  // unterminated, odd map
           "82", "a10102a1",                            // missing elements
           "a201020103", "a2616101616102",              // duplicate keys
           "a2616101 7f6161ff02",                       // duplicate: definite vs indefinite
       }) {
    SCOPED_TRACE(hex);
    auto item = Decode(H(hex));
    ASSERT_FALSE(item.ok());
    EXPECT_EQ(item.status().reason(), "malformed_cbor");
    EXPECT_NE(item.status().message().find("offset"), std::string::npos);
  }
}

TEST(Cbor, ErrorGivesTheOffset) {
  auto item = Decode(H("83010203ff"));
  ASSERT_FALSE(item.ok());
  EXPECT_NE(item.status().message().find("at offset 4"), std::string::npos)
      << item.status().message();
}

Bytes Nested(size_t depth) {
  Bytes b(depth, 0x81);  // [[[...0...]]]
  b.push_back(0x00);
  return b;
}

TEST(Cbor, Limits) {
  EXPECT_TRUE(Decode(Nested(16)).ok());
  EXPECT_EQ(Reason(Decode(Nested(17)).status()), "malformed_cbor");
  EXPECT_EQ(Reason(Decode(Nested(100000)).status()), "malformed_cbor");  // no stack overflow
  Bytes tags(17, 0xc1);  // tags nest too
  tags.push_back(0x00);
  EXPECT_EQ(Reason(Decode(tags).status()), "malformed_cbor");

  Bytes many{0x99, 0x10, 0x00};  // array(4096) of zeros: 4097 items
  many.resize(3 + 4096, 0x00);
  EXPECT_EQ(Reason(Decode(many).status()), "malformed_cbor");
  DecodeLimits wide;
  wide.max_items = 5000;
  EXPECT_TRUE(Decode(many, wide).ok());
  // A huge announced count with no data behind it fails fast and cheaply.
  EXPECT_EQ(Reason(Decode(H("9bffffffffffffffff")).status()), "malformed_cbor");
  EXPECT_EQ(Reason(Decode(H("5bffffffffffffffff")).status()), "malformed_cbor");

  Bytes big{0x5a, 0x00, 0x01, 0x00, 0x00};  // bstr of 65536 bytes: 65541 > 64 KiB
  big.resize(5 + 65536, 0xab);
  EXPECT_EQ(Reason(Decode(big).status()), "malformed_cbor");
  DecodeLimits large;
  large.max_size = 1 << 20;
  EXPECT_TRUE(Decode(big, large).ok());
}

TEST(Cbor, RawBytesOfSubItems) {
  const Bytes in = H("83 4401020304 bf6161f6ff 5f41aaff");
  auto item = Decode(in).value();
  ASSERT_EQ(item.items.size(), 3u);
  EXPECT_EQ(HexEncode(item.items[0].RawIn(in)), "4401020304");
  EXPECT_EQ(HexEncode(item.items[1].RawIn(in)), "bf6161f6ff");
  EXPECT_EQ(HexEncode(item.items[2].RawIn(in)), "5f41aaff");
  EXPECT_EQ(item.size, in.size());
}

TEST(Cbor, DeterministicEncoding) {
  // §4.2.1: keys sorted by their encodings: 10 (0a) < -1 (20) < "a" < "b" < "aa".
  Item map = Item::Map({{Item::TextString("b"), Item::Uint(1)},
                        {Item::TextString("aa"), Item::Null()},
                        {Item::TextString("a"), Item::Uint(2)},
                        {Item::Int(-1), Item::Bool(true)},
                        {Item::Uint(10), Item::ByteString(H("ff"))}});
  EXPECT_EQ(HexEncode(Encode(map).value()), "a50a41ff20f5616102616201626161f6");
  EXPECT_EQ(HexEncode(Encode(Item::Int(std::numeric_limits<int64_t>::min())).value()),
            "3b7fffffffffffffff");
  EXPECT_EQ(HexEncode(Encode(Item::Int(-24)).value()), "37");
  EXPECT_EQ(HexEncode(Encode(Item::Int(-25)).value()), "3818");
  EXPECT_EQ(HexEncode(Encode(Item::Uint(65536)).value()), "1a00010000");
  EXPECT_EQ(HexEncode(Encode(Item::Tag(18, Item::Array({}))).value()), "d280");

  Item dup = Item::Map({{Item::Uint(1), Item::Uint(1)}, {Item::Uint(1), Item::Uint(2)}});
  EXPECT_EQ(Reason(Encode(dup).status()), "cbor_duplicate_key");
  EXPECT_EQ(Reason(Encode(Item::TextString("\xff")).status()), "cbor_bad_item");
  Item bad_tag = Item::Tag(1, Item::Null());
  bad_tag.items.clear();
  EXPECT_EQ(Reason(Encode(bad_tag).status()), "cbor_bad_item");
}

TEST(Cbor, Utf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));    // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));   // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xed\xbf\xbf"));       // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\x80"));       // overlong
  EXPECT_FALSE(IsValidUtf8("\xc2"));               // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));               // lone continuation
}

// Every genuine Nitro document decodes under the default limits; the
// base/nitro-validator one has an indefinite-length payload map.
TEST(Cbor, NitroDocuments) {
  for (const char* name :
       {"qos_mock_attestation_doc", "evervault_ga_valid_attestation_doc",
        "evervault_beta_valid_attestation_doc", "evervault_beta_debug_mode_attestation_doc",
        "signal_svr2_valid_bytes", "signal_svr2_valid_bytes2",
        "base_nitro_validator_real_attestation_indefinite_map"}) {
    SCOPED_TRACE(name);
    const Bytes doc = ReadFile(std::string(LEDGER_TEST_VECTORS "/nitro/docs/") + name + ".cose");
    auto cose = Decode(doc);
    ASSERT_TRUE(cose.ok()) << cose.status();
    ASSERT_EQ(cose->items.size(), 4u);
    auto payload = Decode(cose->items[2].bytes);
    ASSERT_TRUE(payload.ok()) << payload.status();
    EXPECT_EQ(payload->indefinite,
              std::string(name) == "base_nitro_validator_real_attestation_indefinite_map");
    EXPECT_EQ(payload->entries.size(), 9u);
  }
  const Bytes broken = ReadFile(LEDGER_TEST_VECTORS
                                "/nitro/docs/base_nitro_validator_real_attestation_AS_PUBLISHED_BROKEN.cose");
  EXPECT_EQ(Reason(Decode(broken).status()), "malformed_cbor");
}

}  // namespace
}  // namespace ledger::cbor
