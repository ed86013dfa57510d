// The range file of a filtered export (export-bundle.md §3.1): format round
// trip, strict parsing, and that the fold proves exactly the range's leaves
// for every shape of tree, including the sizes around powers of two.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/bundle/bundle.h"
#include "ledger/merkle/merkle.h"
#include "ledger_test_paths.h"

namespace ledger::bundle {
namespace {

std::vector<Hash> Leaves(uint64_t n) {
  std::vector<Hash> out;
  for (uint64_t i = 0; i < n; ++i) {
    out.push_back(merkle::LeafHash(ToBytes("leaf " + std::to_string(i))));
  }
  return out;
}

RangeProof Make(const std::vector<Hash>& leaves, uint64_t first, uint64_t end) {
  merkle::NodeSource source = [&](uint32_t level, uint64_t index) -> Result<Hash> {
    const uint64_t lo = index << level, hi = (index + 1) << level;
    if (hi > leaves.size()) return Status::NotFound("no_node", "beyond the tree");
    return merkle::RootFromLeafHashes(std::span<const Hash>(leaves).subspan(lo, hi - lo));
  };
  RangeProof p;
  p.first = first;
  p.end = end;
  p.tree_size = leaves.size();
  p.leaf_hashes.assign(leaves.begin() + static_cast<long>(first),
                       leaves.begin() + static_cast<long>(end));
  p.left = merkle::InclusionProof(first, leaves.size(), source).value();
  p.right = merkle::InclusionProof(end - 1, leaves.size(), source).value();
  return p;
}

TEST(RangeTest, EveryRangeOfManyTreeSizesFoldsToTheRoot) {
  for (uint64_t n : {1u, 2u, 3u, 5u, 8u, 13u, 16u, 17u, 31u, 33u}) {
    const auto leaves = Leaves(n);
    const Hash root = merkle::RootFromLeafHashes(leaves);
    for (uint64_t first = 0; first < n; ++first) {
      for (uint64_t end = first + 1; end <= n; ++end) {
        RangeProof p = Make(leaves, first, end);
        ASSERT_TRUE(VerifyRange(p, root).ok()) << n << " " << first << ".." << end;
        auto text = FormatRange(p);
        ASSERT_TRUE(text.ok());
        auto back = ParseRange(*text);
        ASSERT_TRUE(back.ok()) << back.status();
        EXPECT_EQ(back->leaf_hashes, p.leaf_hashes);
        EXPECT_EQ(back->left, p.left);
        EXPECT_EQ(back->right, p.right);
      }
    }
  }
}

TEST(RangeTest, AnyChangedDroppedOrSwappedLeafFails) {
  const auto leaves = Leaves(300);
  const Hash root = merkle::RootFromLeafHashes(leaves);
  RangeProof p = Make(leaves, 100, 260);
  ASSERT_TRUE(VerifyRange(p, root).ok());
  for (size_t i : {size_t{0}, size_t{77}, p.leaf_hashes.size() - 1}) {
    RangeProof bad = p;
    bad.leaf_hashes[i] = merkle::LeafHash(ToBytes("forged"));
    EXPECT_EQ(VerifyRange(bad, root).reason(), "range_mismatch") << i;
  }
  RangeProof swapped = p;
  std::swap(swapped.leaf_hashes[3], swapped.leaf_hashes[4]);
  EXPECT_EQ(VerifyRange(swapped, root).reason(), "range_mismatch");
  // Dropping a leaf and claiming a shorter range moves every later leaf.
  RangeProof dropped = p;
  dropped.leaf_hashes.erase(dropped.leaf_hashes.begin() + 10);
  dropped.end -= 1;
  EXPECT_FALSE(VerifyRange(dropped, root).ok());
  // The proofs' hashes of subtrees outside the range are bound by the root
  // (those of subtrees inside it are recomputed from the leaves instead).
  for (auto side : {&RangeProof::left, &RangeProof::right}) {
    RangeProof bad_proof = p;
    for (Hash& h : bad_proof.*side) h = merkle::LeafHash(ToBytes("x"));
    EXPECT_EQ(VerifyRange(bad_proof, root).reason(), "range_mismatch");
  }
  RangeProof short_proof = p;
  short_proof.right.pop_back();
  EXPECT_EQ(VerifyRange(short_proof, root).reason(), "malformed_range");
  EXPECT_EQ(VerifyRange(p, merkle::LeafHash(ToBytes("other root"))).reason(), "range_mismatch");
}

// The vector of tests/vectors/formats/export_range_examples.py (written from
// RFC 9162's definitions, not from this code): it parses, re-renders to the
// same bytes and folds to the stated root; any changed leaf line does not.
TEST(RangeTest, IndependentVector) {
  std::ifstream in(LEDGER_TEST_VECTORS "/formats/export-range-example.json");
  ASSERT_TRUE(in) << "missing vector";
  const nlohmann::json v = nlohmann::json::parse(in);
  const std::string text = v["range_file"].get<std::string>();
  const Hash root = Hash::FromBase64(v["root"].get<std::string>()).value();
  auto p = ParseRange(text);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->first, 3u);
  EXPECT_EQ(p->end, 9u);
  EXPECT_EQ(FormatRange(*p).value(), text);
  EXPECT_TRUE(VerifyRange(*p, root).ok());
  RangeProof changed = *p;
  changed.leaf_hashes[2] = merkle::LeafHash(ToBytes("leaf 99"));
  EXPECT_EQ(VerifyRange(changed, root).reason(), "range_mismatch");
}

TEST(RangeTest, ParsingIsStrict) {
  const auto leaves = Leaves(20);
  const std::string text = FormatRange(Make(leaves, 4, 9)).value();
  auto reason = [](std::string_view t) { return ParseRange(t).status().reason(); };
  EXPECT_EQ(reason(""), "malformed_range");
  EXPECT_EQ(reason("{}\n"), "malformed_range");
  // One hash line too few or too many for the header's range.
  EXPECT_EQ(reason(text.substr(0, text.size() - 45)), "malformed_range");
  EXPECT_EQ(reason(text + leaves[0].Base64() + "\n"), "malformed_range");
  // Not canonical: a space in the header.
  std::string spaced = text;
  spaced.insert(1, " ");
  EXPECT_EQ(reason(spaced), "malformed_range");
  // A hash line that is not base64 of 32 bytes.
  std::string bad_line = text;
  bad_line.replace(bad_line.size() - 45, 44, std::string(44, '!'));
  EXPECT_EQ(reason(bad_line), "malformed_range");
  // A header that claims a huge range cannot make the parser allocate it.
  EXPECT_EQ(reason("{\"end\":18446744073709551615,\"first\":0,\"left\":[],\"right\":[],"
                   "\"tree_size\":18446744073709551615}\n"),
            "malformed_range");
  EXPECT_EQ(FormatRange(RangeProof{5, 5, 10, {}, {}, {}}).status().reason(), "malformed_range");
}

}  // namespace
}  // namespace ledger::bundle
