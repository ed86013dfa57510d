// RFC 9162 Merkle proofs: exhaustive cross-checks against the reference at
// small sizes, error reasons, huge sizes, subtree inclusion and the worked
// example of schemas/formats/merkle.md.
#include "ledger/merkle/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "merkle_reference.h"
#include "ledger_test_paths.h"

namespace ledger::merkle {
namespace {

using reference::TestTree;

Hash Tampered(Hash h, size_t byte = 0) {
  h.bytes[byte % Hash::kSize] ^= 0x01;
  return h;
}

// Generation asks the source at most once per level on the path plus once per
// piece of the one incomplete right-edge sibling.
uint64_t CallBudget(uint64_t size) { return 2 * static_cast<uint64_t>(std::bit_width(size)) + 1; }

TEST(MerkleTest, HashesMatchReference) {
  for (size_t len : {0u, 1u, 31u, 32u, 33u, 1023u, 1024u, 1025u, 4096u, 65536u}) {
    Bytes d(len, 0x5a);
    EXPECT_EQ(LeafHash(d), reference::LeafHash(d)) << len;
  }
  const Hash a = LeafHash(AsBytes("a"));
  const Hash b = LeafHash(AsBytes("b"));
  EXPECT_EQ(NodeHash(a, b), reference::NodeHash(a.view(), b.view()));
  EXPECT_NE(NodeHash(a, b), NodeHash(b, a));
  EXPECT_EQ(EmptyRoot().Hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// Every tree size 0..300: the root, and every inclusion proof generated,
// compared with RFC 9162 PATH, and verified.
TEST(MerkleTest, ExhaustiveInclusion) {
  for (uint64_t n = 0; n <= 300; ++n) {
    const TestTree tree(reference::Leaves(n));
    const Hash root = reference::Mth(tree.leaves());
    ASSERT_EQ(RootFromLeafHashes(tree.leaf_hashes()), root) << n;
    if (n > 0) {
      ASSERT_EQ(RangeHash(0, n, tree.Source()).value(), root) << n;
    }
    for (uint64_t m = 0; m < n; ++m) {
      uint64_t calls = 0;
      const auto proof = InclusionProof(m, n, tree.Source(&calls));
      ASSERT_TRUE(proof.ok()) << m << "/" << n << ": " << proof.status();
      ASSERT_EQ(*proof, reference::Path(m, tree.leaves())) << m << "/" << n;
      EXPECT_LE(calls, CallBudget(n)) << m << "/" << n;
      EXPECT_EQ(proof->size(), InclusionProofSize(m, n));
      const Hash& leaf = tree.leaf_hashes()[m];
      ASSERT_TRUE(VerifyInclusion(m, n, leaf, *proof, root).ok()) << m << "/" << n;
      EXPECT_EQ(RootFromInclusionProof(m, n, leaf, *proof).value(), root);
    }
  }
}

TEST(MerkleTest, InclusionRejectsTampering) {
  for (uint64_t n = 1; n <= 64; ++n) {
    const TestTree tree(reference::Leaves(n));
    const Hash root = RootFromLeafHashes(tree.leaf_hashes());
    for (uint64_t m = 0; m < n; ++m) {
      std::vector<Hash> proof = InclusionProof(m, n, tree.Source()).value();
      const Hash& leaf = tree.leaf_hashes()[m];
      EXPECT_EQ(VerifyInclusion(m, n, Tampered(leaf), proof, root).reason(), "root_mismatch");
      EXPECT_EQ(VerifyInclusion(m, n, leaf, proof, Tampered(root)).reason(), "root_mismatch");
      for (size_t i = 0; i < proof.size(); ++i) {
        std::vector<Hash> bad = proof;
        bad[i] = Tampered(bad[i], i);
        EXPECT_EQ(VerifyInclusion(m, n, leaf, bad, root).reason(), "root_mismatch");
      }
      std::vector<Hash> longer = proof;
      longer.push_back(root);
      EXPECT_EQ(VerifyInclusion(m, n, leaf, longer, root).reason(), "proof_wrong_length");
      if (!proof.empty()) {
        std::vector<Hash> shorter(proof.begin() + 1, proof.end());
        EXPECT_EQ(VerifyInclusion(m, n, leaf, shorter, root).reason(), "proof_wrong_length");
      }
      // The same proof must not pass for another leaf position.
      if (m + 1 < n) {
        EXPECT_FALSE(VerifyInclusion(m + 1, n, leaf, proof, root).ok());
      }
    }
  }
}

// Every pair 0 <= m <= n <= 64: generated, equal to RFC 9162 PROOF, verified,
// and every tampered variant rejected.
TEST(MerkleTest, ExhaustiveConsistency) {
  const TestTree full(reference::Leaves(64));
  std::vector<Hash> roots;
  for (uint64_t n = 0; n <= 64; ++n) {
    roots.push_back(RootFromLeafHashes(std::span(full.leaf_hashes()).first(n)));
  }
  for (uint64_t n = 0; n <= 64; ++n) {
    const TestTree tree(reference::Leaves(n));
    for (uint64_t m = 0; m <= n; ++m) {
      uint64_t calls = 0;
      const auto proof = ConsistencyProof(m, n, tree.Source(&calls));
      ASSERT_TRUE(proof.ok()) << m << "->" << n << ": " << proof.status();
      EXPECT_LE(calls, CallBudget(n) + 1);
      if (m == 0 || m == n) {
        EXPECT_TRUE(proof->empty());
      } else {
        ASSERT_EQ(*proof, reference::Proof(m, tree.leaves())) << m << "->" << n;
      }
      EXPECT_EQ(proof->size(), ConsistencyProofSize(m, n));
      const Hash& r1 = roots[m];
      const Hash& r2 = roots[n];
      ASSERT_TRUE(VerifyConsistency(m, n, *proof, r1, r2).ok()) << m << "->" << n;

      std::vector<Hash> longer = *proof;
      longer.push_back(r2);
      EXPECT_EQ(VerifyConsistency(m, n, longer, r1, r2).reason(), "proof_wrong_length");
      if (m == 0 && n > 0) {
        // Policy: from size 0 only the (empty) proof is checked.
        EXPECT_TRUE(VerifyConsistency(0, n, {}, Tampered(r1), Tampered(r2)).ok());
        continue;
      }
      EXPECT_EQ(VerifyConsistency(m, n, *proof, Tampered(r1), r2).reason(), "root_mismatch");
      EXPECT_EQ(VerifyConsistency(m, n, *proof, r1, Tampered(r2)).reason(), "root_mismatch");
      if (m < n) {
        EXPECT_FALSE(VerifyConsistency(m, n - 1, *proof, r1, roots[n - 1]).ok());
      }
      for (size_t i = 0; i < proof->size(); ++i) {
        std::vector<Hash> bad = *proof;
        bad[i] = Tampered(bad[i], i);
        EXPECT_EQ(VerifyConsistency(m, n, bad, r1, r2).reason(), "root_mismatch") << i;
        std::vector<Hash> missing = *proof;
        missing.erase(missing.begin() + static_cast<std::ptrdiff_t>(i));
        EXPECT_EQ(VerifyConsistency(m, n, missing, r1, r2).reason(), "proof_wrong_length");
      }
    }
  }
}

TEST(MerkleTest, ConsistencyPolicyForEmptyAndEqualSizes) {
  const Hash r = LeafHash(AsBytes("x"));
  EXPECT_TRUE(VerifyConsistency(0, 0, {}, EmptyRoot(), EmptyRoot()).ok());
  EXPECT_EQ(VerifyConsistency(0, 0, {}, EmptyRoot(), r).reason(), "root_mismatch");
  EXPECT_TRUE(VerifyConsistency(0, 7, {}, EmptyRoot(), r).ok());
  EXPECT_EQ(VerifyConsistency(0, 7, std::vector<Hash>{r}, EmptyRoot(), r).reason(),
            "proof_wrong_length");
  EXPECT_TRUE(VerifyConsistency(7, 7, {}, r, r).ok());
  EXPECT_EQ(VerifyConsistency(7, 7, {}, r, Tampered(r)).reason(), "root_mismatch");
  EXPECT_EQ(VerifyConsistency(7, 7, std::vector<Hash>{r}, r, r).reason(), "proof_wrong_length");
  EXPECT_EQ(VerifyConsistency(3, 7, {}, r, r).reason(), "proof_wrong_length");
}

TEST(MerkleTest, ErrorReasons) {
  const TestTree tree(reference::Leaves(5));
  const Hash h = tree.leaf_hashes()[0];
  for (auto [index, size] :
       {std::pair<uint64_t, uint64_t>{0, 0}, {5, 5}, {UINT64_MAX, 5}, {UINT64_MAX, UINT64_MAX}}) {
    EXPECT_EQ(InclusionProof(index, size, tree.Source()).status().reason(), "index_out_of_range");
    const auto root = RootFromInclusionProof(index, size, h, {});
    EXPECT_EQ(root.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(root.status().reason(), "index_out_of_range");
    EXPECT_EQ(VerifyInclusion(index, size, h, {}, h).reason(), "index_out_of_range");
  }
  EXPECT_EQ(ConsistencyProof(5, 3, tree.Source()).status().reason(), "bad_tree_sizes");
  const Status s = VerifyConsistency(5, 3, {}, h, h);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.reason(), "bad_tree_sizes");
  const Status wrong = VerifyInclusion(0, 5, h, std::vector<Hash>{h}, h);
  EXPECT_EQ(wrong.code(), Code::kVerificationFailed);
  EXPECT_EQ(wrong.reason(), "proof_wrong_length");
  EXPECT_EQ(InclusionProofSize(5, 5), 0u);
  EXPECT_EQ(ConsistencyProofSize(0, 5), 0u);
  EXPECT_EQ(ConsistencyProofSize(5, 5), 0u);
}

TEST(MerkleTest, RangeHashValidatesAndPropagatesSourceErrors) {
  const TestTree tree(reference::Leaves(7));
  EXPECT_EQ(RangeHash(3, 3, tree.Source()).status().reason(), "bad_range");
  EXPECT_EQ(RangeHash(4, 3, tree.Source()).status().reason(), "bad_range");
  EXPECT_EQ(RangeHash(2, 5, tree.Source()).status().reason(), "bad_range");  // not a subtree
  EXPECT_EQ(RangeHash(1, UINT64_MAX, tree.Source()).status().reason(), "bad_range");
  EXPECT_EQ(RangeHash(4, 7, tree.Source()).value(),
            reference::Mth(std::span(tree.leaves()).subspan(4)));

  // The source's own Status comes back unchanged, from every generator.
  const NodeSource failing = [](uint32_t, uint64_t) -> Result<Hash> {
    return Status::Unavailable("tile_missing", "tile not fetched");
  };
  for (const Status& st :
       {RangeHash(0, 7, failing).status(), InclusionProof(3, 7, failing).status(),
        ConsistencyProof(3, 7, failing).status(), SubtreeInclusionProof(1, 1, 7, failing).status(),
        CompactRange::Load(7, failing).status()}) {
    EXPECT_EQ(st.code(), Code::kUnavailable);
    EXPECT_EQ(st.reason(), "tile_missing");
  }
  // A source that knows only part of the tree: the missing node's error surfaces.
  const TestTree small(reference::Leaves(4));
  EXPECT_EQ(InclusionProof(0, 7, small.Source()).status().reason(), "no_such_node");
}

// Sizes near 2^64 over a tree of identical leaves: no overflow, no hang, and
// proofs still verify.
TEST(MerkleTest, HugeTrees) {
  const Hash leaf = LeafHash(AsBytes("same"));
  const NodeSource source = reference::UniformSource(leaf);
  for (uint64_t size : {UINT64_MAX, UINT64_MAX - 1, uint64_t{1} << 63, (uint64_t{1} << 63) + 1}) {
    const Hash root = RangeHash(0, size, source).value();
    EXPECT_EQ(CompactRange::Load(size, source).value().Root(), root);
    for (uint64_t index : {uint64_t{0}, size / 3, size - 2, size - 1}) {
      uint64_t calls = 0;
      const auto proof = InclusionProof(index, size, reference::UniformSource(leaf, &calls));
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_LE(calls, CallBudget(size));
      EXPECT_EQ(proof->size(), InclusionProofSize(index, size));
      EXPECT_TRUE(VerifyInclusion(index, size, leaf, *proof, root).ok()) << index;
    }
    for (uint64_t size1 : {uint64_t{1}, size / 2 + 1, size - 1}) {
      const Hash root1 = RangeHash(0, size1, source).value();
      const auto proof = ConsistencyProof(size1, size, source);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_EQ(proof->size(), ConsistencyProofSize(size1, size));
      EXPECT_TRUE(VerifyConsistency(size1, size, *proof, root1, root).ok()) << size1;
    }
  }
  // Far too long a proof is rejected by its length, without hashing it.
  const std::vector<Hash> many(100000, leaf);
  EXPECT_EQ(VerifyInclusion(1, UINT64_MAX, leaf, many, leaf).reason(), "proof_wrong_length");
  EXPECT_EQ(VerifyConsistency(3, UINT64_MAX, many, leaf, leaf).reason(), "proof_wrong_length");
}

// Random complete subtrees at levels 0..10 in trees of up to 5000 leaves.
TEST(SubtreeInclusionTest, RandomSubtrees) {
  std::mt19937_64 rng(9162);
  std::vector<uint64_t> sizes = {1, 2, 3, 1023, 1024, 1025, 4096, 5000};
  for (int i = 0; i < 12; ++i) sizes.push_back(1 + rng() % 5000);
  int checked = 0;
  for (uint64_t size : sizes) {
    const TestTree tree(reference::Leaves(size));
    const Hash root = RootFromLeafHashes(tree.leaf_hashes());
    for (uint32_t level = 0; level <= 10; ++level) {
      const uint64_t complete = size >> level;
      if (complete == 0) {
        EXPECT_EQ(SubtreeInclusionProof(level, 0, size, tree.Source()).status().reason(),
                  "index_out_of_range");
        continue;
      }
      for (int j = 0; j < 4; ++j) {
        const uint64_t index = rng() % complete;
        uint64_t calls = 0;
        const auto proof = SubtreeInclusionProof(level, index, size, tree.Source(&calls));
        ASSERT_TRUE(proof.ok()) << proof.status();
        EXPECT_LE(calls, CallBudget(size));
        // The subtree's path is the path of any of its leaves above `level`.
        const std::vector<Hash> leaf_path = reference::Path(index << level, tree.leaves());
        ASSERT_EQ(*proof, std::vector<Hash>(leaf_path.begin() + level, leaf_path.end()))
            << level << "/" << index << "/" << size;
        const Hash& node = tree.Node(level, index);
        EXPECT_TRUE(VerifySubtreeInclusion(level, index, size, node, *proof, root).ok());
        EXPECT_EQ(VerifySubtreeInclusion(level, index, size, Tampered(node), *proof, root).reason(),
                  "root_mismatch");
        if (index + 1 < complete) {
          EXPECT_FALSE(VerifySubtreeInclusion(level, index + 1, size, node, *proof, root).ok());
        }
        ++checked;
      }
      // Incomplete (right-edge) subtrees have no proof.
      EXPECT_EQ(SubtreeInclusionProof(level, complete, size, tree.Source()).status().reason(),
                "index_out_of_range");
      EXPECT_EQ(VerifySubtreeInclusion(level, complete, size, root, {}, root).reason(),
                "index_out_of_range");
    }
    EXPECT_EQ(SubtreeInclusionProof(64, 0, size, tree.Source()).status().reason(),
              "index_out_of_range");
  }
  EXPECT_GT(checked, 500);
}

// The worked example of schemas/formats/merkle.md.
TEST(MerkleTest, FormatWorkedExample) {
  std::ifstream in(std::string(LEDGER_TEST_VECTORS) + "/formats/merkle-example.json");
  ASSERT_TRUE(in.good());
  const nlohmann::json ex = nlohmann::json::parse(in);
  auto hash = [](const nlohmann::json& j) { return Hash::FromHex(j.get<std::string>()).value(); };
  auto hashes = [&](const nlohmann::json& arr) {
    std::vector<Hash> out;
    for (const auto& j : arr) out.push_back(hash(j));
    return out;
  };
  std::vector<Bytes> leaves;
  for (const auto& j : ex["leaves_hex"]) leaves.push_back(HexDecode(j.get<std::string>()).value());
  ASSERT_EQ(leaves.size(), 5u);
  const TestTree tree(leaves);
  for (size_t i = 0; i < leaves.size(); ++i)
    EXPECT_EQ(LeafHash(leaves[i]), hash(ex["leaf_hashes"][i]));
  for (const auto& n : ex["nodes"]) {
    EXPECT_EQ(tree.Node(n["level"], n["index"]), hash(n["hash"]));
  }
  CompactRange range;
  for (const auto& r : ex["roots"]) {
    while (range.size() < r["size"].get<uint64_t>()) range.Append(tree.leaf_hashes()[range.size()]);
    EXPECT_EQ(range.Root(), hash(r["root"])) << r["size"];
  }
  EXPECT_EQ(range.nodes(), hashes(ex["compact_range"]["nodes"]));

  const auto& inc = ex["inclusion"];
  EXPECT_EQ(InclusionProof(inc["leaf_index"], inc["tree_size"], tree.Source()).value(),
            hashes(inc["proof"]));
  EXPECT_TRUE(VerifyInclusion(inc["leaf_index"], inc["tree_size"], tree.leaf_hashes()[2],
                              hashes(inc["proof"]), hash(inc["root"]))
                  .ok());
  const auto& con = ex["consistency"];
  EXPECT_EQ(ConsistencyProof(con["size1"], con["size2"], tree.Source()).value(),
            hashes(con["proof"]));
  EXPECT_TRUE(VerifyConsistency(con["size1"], con["size2"], hashes(con["proof"]),
                                hash(con["root1"]), hash(con["root2"]))
                  .ok());
  const auto& sub = ex["subtree_inclusion"];
  EXPECT_EQ(
      SubtreeInclusionProof(sub["level"], sub["index"], sub["tree_size"], tree.Source()).value(),
      hashes(sub["proof"]));
  EXPECT_TRUE(VerifySubtreeInclusion(sub["level"], sub["index"], sub["tree_size"],
                                     hash(sub["subtree_hash"]), hashes(sub["proof"]),
                                     hash(sub["root"]))
                  .ok());
}

}  // namespace
}  // namespace ledger::merkle
