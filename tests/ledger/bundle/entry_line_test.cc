// Entry and proof lines (export-bundle.md §3) against the vector made by the
// independent Python generator (tests/vectors/formats/export_examples.py),
// and the strict parser's refusals.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/bundle/bundle.h"
#include "ledger_test_paths.h"

namespace ledger::bundle {
namespace {

TEST(EntryLine, MatchesTheIndependentGenerator) {
  std::ifstream in(LEDGER_TEST_VECTORS "/formats/export-entry-example.json");
  auto v = nlohmann::json::parse(in);
  ASSERT_EQ(v["leaves_hex"].size(), v["lines"].size());
  ASSERT_GE(v["lines"].size(), 2u);
  for (size_t i = 0; i < v["lines"].size(); ++i) {
    Bytes leaf = HexDecode(v["leaves_hex"][i].get<std::string>()).value();
    const std::string line = v["lines"][i];
    auto got = FormatEntryLine(leaf);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, line);
    auto parsed = ParseEntryLine(line);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->leaf, leaf);
    EXPECT_EQ(parsed->index, i);
  }
}

TEST(EntryLine, RefusesLinesThatDoNotSayWhatTheLeafSays) {
  std::ifstream in(LEDGER_TEST_VECTORS "/formats/export-entry-example.json");
  auto v = nlohmann::json::parse(in);
  const std::string line = v["lines"][0];
  auto j = nlohmann::json::parse(line);
  // Re-serialized with spaces: not canonical.
  EXPECT_EQ(ParseEntryLine(j.dump(1)).status().reason(), "line_mismatch");
  j["event"]["subject"] = "key/other";
  EXPECT_EQ(ParseEntryLine(j.dump()).status().reason(), "line_mismatch");
  EXPECT_EQ(ParseEntryLine("{\"leaf\":\"!!\"}").status().reason(), "malformed_line");
  EXPECT_EQ(ParseEntryLine("[]").status().reason(), "malformed_line");
  EXPECT_EQ(ParseEntryLine("{\"leaf\":\"AAAA\"}").status().reason(), "bad_leaf");
  EXPECT_FALSE(ParseEntryLine("{\"a\":1,\"a\":2}").ok());
}

TEST(ProofLines, RoundTripAndStrictness) {
  InclusionLine p{5, 8, {Sha256::Digest("a"), Sha256::Digest("b")}};
  std::string s = FormatInclusionLine(p).value();
  auto back = ParseInclusionLine(s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->hashes, p.hashes);
  EXPECT_FALSE(ParseInclusionLine(" " + s).ok());
  EXPECT_FALSE(ParseInclusionLine("{\"hashes\":[],\"index\":-1,\"tree_size\":1}").ok());
  ConsistencyLine c{3, 9, {Sha256::Digest("c")}};
  EXPECT_TRUE(ParseConsistencyLine(FormatConsistencyLine(c).value()).ok());
  EXPECT_FALSE(ParseConsistencyLine("{\"from\":1,\"hashes\":[\"AA==\"],\"to\":2}").ok());
  EXPECT_EQ(SplitLines("a\nb").status().reason(), "malformed_jsonl");
}

}  // namespace
}  // namespace ledger::bundle
