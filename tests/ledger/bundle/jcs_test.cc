// RFC 8785 (JCS) against the RFC's own examples: §3.2.2 (the sample
// object), §3.2.3 (member sorting by UTF-16 code units) and Appendix B
// (number serialization, IEEE 754 bit patterns -> ECMAScript strings).
#include "ledger/bundle/jcs.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>

namespace ledger::bundle {
namespace {

TEST(Jcs, Rfc8785Section322Example) {
  // The input of RFC 8785 §3.2.2, whitespace and escapes as printed there.
  const char* input = R"({
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
})";
  const std::string expected =
      "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
      "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
  auto out = CanonicalJson(nlohmann::json::parse(input));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, expected);
}

TEST(Jcs, Rfc8785Section323Sorting) {
  const char* input = R"({
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
})";
  auto out = CanonicalJson(nlohmann::json::parse(input));
  ASSERT_TRUE(out.ok());
  // §3.2.3: the values in the order the RFC lists them. U+1F600 (a surrogate
  // pair, 0xD83D...) sorts before U+FB33 in UTF-16 although after it in UTF-8.
  const char* order[] = {"Carriage Return", "One", "Control",
                         "Latin Small Letter O With Diaeresis", "Euro Sign",
                         "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"};
  size_t pos = 0;
  for (const char* v : order) {
    size_t at = out->find(v);
    ASSERT_NE(at, std::string::npos) << v;
    EXPECT_GT(at, pos) << v;
    pos = at;
  }
  EXPECT_EQ(out->substr(0, 6), "{\"\\r\":");
}

TEST(Jcs, Rfc8785AppendixBNumbers) {
  struct Case {
    uint64_t bits;
    const char* expected;
  };
  const Case cases[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
  };
  for (const Case& c : cases) {
    double d = std::bit_cast<double>(c.bits);
    EXPECT_EQ(FormatEcmaScriptNumber(d), c.expected) << std::hex << c.bits;
    EXPECT_EQ(*CanonicalJson(nlohmann::json(d)), c.expected) << std::hex << c.bits;
  }
}

TEST(Jcs, RefusesWhatItCannotRepresent) {
  EXPECT_EQ(CanonicalJson(nlohmann::json(std::nan(""))).status().reason(), "jcs_unsupported");
  EXPECT_EQ(CanonicalJson(nlohmann::json(uint64_t{1} << 60)).status().reason(), "jcs_unsupported");
  EXPECT_EQ(CanonicalJson(nlohmann::json(std::string("\xff"))).status().reason(),
            "jcs_unsupported");
  EXPECT_EQ(*CanonicalJson(nlohmann::json(uint64_t{1} << 53)), "9007199254740992");
}

TEST(Jcs, EscapesControlCharactersLowercaseHex) {
  EXPECT_EQ(*CanonicalJson(nlohmann::json(std::string("a\x01\x1f\x7f", 4))),
            "\"a\\u0001\\u001f\x7f\"");
}

}  // namespace
}  // namespace ledger::bundle
