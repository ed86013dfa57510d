// CompactRange: appending, the Visitor contract, FromNodes/Load validation,
// and huge sizes.
#include <gtest/gtest.h>

#include <bit>
#include <map>
#include <utility>
#include <vector>

#include "ledger/merkle/merkle.h"
#include "merkle_reference.h"

namespace ledger::merkle {
namespace {

using reference::TestTree;
using NodeId = std::pair<uint32_t, uint64_t>;  // (level, index)

// The frontier of [0, size) read from the reference tree, leftmost first.
std::vector<Hash> ExpectedNodes(const TestTree& tree, uint64_t size) {
  std::vector<Hash> out;
  uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    if ((size >> level) & 1) {
      out.push_back(tree.Node(static_cast<uint32_t>(level), begin >> level));
      begin += uint64_t{1} << level;
    }
  }
  return out;
}

// Appends leaves 0..1100 and checks, at every size, the root against RFC 9162
// MTH, the frontier nodes, and that the Visitor reports exactly the perfect
// subtrees the new leaf completes, bottom-up, each once, with its hash.
TEST(CompactRangeTest, AppendMatchesReference) {
  constexpr uint64_t kLeaves = 1100;
  const TestTree tree(reference::Leaves(kLeaves));
  CompactRange range;
  EXPECT_EQ(range.Root(), EmptyRoot());
  std::map<NodeId, int> seen;
  for (uint64_t i = 0; i < kLeaves; ++i) {
    std::vector<NodeId> reported;
    range.Append(tree.leaf_hashes()[i], [&](uint32_t level, uint64_t index, const Hash& hash) {
      reported.emplace_back(level, index);
      ++seen[{level, index}];
      EXPECT_EQ(hash, tree.Node(level, index)) << level << "/" << index;
    });
    // Leaf i completes the subtrees (l, j) whose last leaf is i, for l = 0
    // and each trailing 1-bit of i.
    std::vector<NodeId> want;
    for (uint32_t l = 0; l == 0 || ((i + 1) % (uint64_t{1} << l)) == 0; ++l) {
      want.emplace_back(l, i >> l);
    }
    ASSERT_EQ(reported, want) << i;
    ASSERT_EQ(range.size(), i + 1);
    ASSERT_EQ(range.nodes(), ExpectedNodes(tree, i + 1)) << i;
    ASSERT_EQ(range.Root(), reference::Mth(std::span(tree.leaves()).first(i + 1))) << i;
  }
  // Every perfect subtree of the final tree was reported exactly once.
  uint64_t perfect = 0;
  for (uint64_t width = 1; width <= kLeaves; width *= 2) perfect += kLeaves / width;
  EXPECT_EQ(seen.size(), perfect);
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id.first << "/" << id.second;
}

TEST(CompactRangeTest, FromNodesValidatesCount) {
  const TestTree tree(reference::Leaves(13));
  auto ok = CompactRange::FromNodes(13, ExpectedNodes(tree, 13));  // 13 = 0b1101
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->Root(), RootFromLeafHashes(tree.leaf_hashes()));
  for (size_t count : {0u, 2u, 4u}) {
    auto bad = CompactRange::FromNodes(13, std::vector<Hash>(count));
    EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(bad.status().reason(), "bad_compact_range");
  }
  EXPECT_EQ(CompactRange::FromNodes(0, std::vector<Hash>(1)).status().reason(),
            "bad_compact_range");
  auto empty = CompactRange::FromNodes(0, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, CompactRange());
  EXPECT_EQ(empty->Root(), EmptyRoot());
}

// Load reads the same frontier that appending builds, and appending to a
// loaded range continues the same tree.
TEST(CompactRangeTest, LoadThenAppend) {
  const TestTree tree(reference::Leaves(300));
  CompactRange appended;
  for (uint64_t size = 0; size <= 300; ++size) {
    uint64_t calls = 0;
    auto loaded = CompactRange::Load(size, tree.Source(&calls));
    ASSERT_TRUE(loaded.ok()) << size << ": " << loaded.status();
    EXPECT_EQ(calls, static_cast<uint64_t>(std::popcount(size)));
    EXPECT_EQ(*loaded, appended) << size;
    if (size < 300) appended.Append(tree.leaf_hashes()[size]);
  }
  CompactRange resumed = CompactRange::Load(77, tree.Source()).value();
  for (uint64_t i = 77; i < 300; ++i) resumed.Append(tree.leaf_hashes()[i]);
  EXPECT_EQ(resumed, appended);
  EXPECT_EQ(resumed.Root(), reference::Mth(tree.leaves()));
}

TEST(CompactRangeTest, LoadPropagatesSourceErrors) {
  const TestTree tree(reference::Leaves(8));
  auto missing = CompactRange::Load(9, tree.Source());  // node (0, 8) does not exist
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().reason(), "no_such_node");
  const NodeSource corrupt = [](uint32_t, uint64_t) -> Result<Hash> {
    return Status::Corruption("tile_hash_mismatch", "stored tile does not match");
  };
  EXPECT_EQ(CompactRange::Load(5, corrupt).status().reason(), "tile_hash_mismatch");
  // Size 0 needs no node at all.
  EXPECT_TRUE(CompactRange::Load(0, corrupt).ok());
}

TEST(CompactRangeTest, RootFromLeafHashesAgreesAtEverySize) {
  const TestTree tree(reference::Leaves(600));
  CompactRange range;
  for (uint64_t n = 0; n <= 600; ++n) {
    EXPECT_EQ(RootFromLeafHashes(std::span(tree.leaf_hashes()).first(n)), range.Root()) << n;
    if (n < 600) range.Append(tree.leaf_hashes()[n]);
  }
}

// Near 2^64 leaves: Load, Append and Root stay exact, and the last possible
// append is a checked programming error rather than an overflow.
TEST(CompactRangeTest, HugeSizes) {
  const Hash leaf = LeafHash(AsBytes("same"));
  const NodeSource source = reference::UniformSource(leaf);
  CompactRange range = CompactRange::Load(UINT64_MAX - 2, source).value();
  EXPECT_EQ(range.nodes().size(), 63u);
  EXPECT_EQ(range.Root(), RangeHash(0, UINT64_MAX - 2, source).value());
  // 2^64 - 3 ends in binary 01: the first append completes a pair.
  std::vector<NodeId> reported;
  const CompactRange::Visitor record = [&](uint32_t level, uint64_t index, const Hash& hash) {
    EXPECT_EQ(hash, source(level, index).value()) << level;
    reported.emplace_back(level, index);
  };
  range.Append(leaf, record);
  range.Append(leaf, record);
  EXPECT_EQ(reported, (std::vector<NodeId>{
                          {0, UINT64_MAX - 2}, {1, (UINT64_MAX >> 1) - 1}, {0, UINT64_MAX - 1}}));
  EXPECT_EQ(range.size(), UINT64_MAX);
  EXPECT_EQ(range.Root(), RangeHash(0, UINT64_MAX, source).value());
  EXPECT_DEATH(range.Append(leaf), "CHECK failed");
}

}  // namespace
}  // namespace ledger::merkle
