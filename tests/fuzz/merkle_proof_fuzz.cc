// Fuzzes the RFC 9162 proof verifiers with arbitrary sizes and hashes.
//
// Input: u64 a (index or size1, big-endian), u64 b (size or size2), u8 flag,
// then 32-byte hashes (a trailing partial hash is ignored). The low two bits
// of the flag pick the mode:
//   0  VerifyInclusion(a, b, h[0], h[2..], h[1])
//   1  RootFromInclusionProof(a, b, h[0], h[1..])
//   2  VerifyConsistency(a, b, h[2..], h[0], h[1])
//   3  generation: proofs from a tree of identical leaves (any size, up to
//      2^64 - 1) and from a real tree of at most 64 leaves, which must verify.
// Besides "no crash, no hang", it checks invariants a correct implementation
// keeps; a violation aborts so that libFuzzer reports it.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/merkle/merkle.h"

namespace {

using ledger::Hash;
using ledger::Result;
using ledger::Status;
namespace merkle = ledger::merkle;

void Require(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "merkle_proof_fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

// A tree whose leaves all hash to `leaf`: node (l, i) depends on l only, so
// proofs of any size can be generated in O(log n).
merkle::NodeSource UniformSource(const Hash& leaf) {
  std::array<Hash, 64> by_level;
  by_level[0] = leaf;
  for (size_t l = 1; l < by_level.size(); ++l) {
    by_level[l] = merkle::NodeHash(by_level[l - 1], by_level[l - 1]);
  }
  return [by_level](uint32_t level, uint64_t index) -> Result<Hash> {
    if (level >= 64 || index >= (UINT64_MAX >> level)) {
      return Status::NotFound("no_such_node", "outside every tree");
    }
    return by_level[level];
  };
}

// A real tree over the given leaf hashes (at most 64), node by node.
merkle::NodeSource VectorSource(const std::vector<Hash>& leaves) {
  return [&leaves](uint32_t level, uint64_t index) -> Result<Hash> {
    if (level >= 7) return Status::NotFound("no_such_node", "outside the tree");
    const uint64_t width = uint64_t{1} << level;
    if (index >= leaves.size() / width) return Status::NotFound("no_such_node", "outside");
    const auto begin = static_cast<std::ptrdiff_t>(index * width);
    return merkle::RootFromLeafHashes(std::span(
        leaves.begin() + begin, leaves.begin() + begin + static_cast<std::ptrdiff_t>(width)));
  };
}

void Generate(uint64_t a, uint64_t b, std::span<const Hash> hashes) {
  const Hash leaf = hashes.empty() ? merkle::EmptyRoot() : hashes[0];
  const merkle::NodeSource uniform = UniformSource(leaf);
  if (a < b) {
    const Hash root = merkle::RangeHash(0, b, uniform).value();
    const auto proof = merkle::InclusionProof(a, b, uniform);
    Require(proof.ok(), "inclusion proof generated");
    Require(proof->size() == merkle::InclusionProofSize(a, b), "inclusion proof size");
    Require(merkle::VerifyInclusion(a, b, leaf, *proof, root).ok(), "inclusion verifies");
    const auto old_root = a == 0 ? merkle::EmptyRoot() : merkle::RangeHash(0, a, uniform).value();
    const auto consistency = merkle::ConsistencyProof(a, b, uniform);
    Require(consistency.ok(), "consistency proof generated");
    Require(merkle::VerifyConsistency(a, b, *consistency, old_root, root).ok(),
            "consistency verifies");
  }
  // A real tree of up to 64 distinct leaves taken from the input.
  if (hashes.size() < 2) return;
  const auto count = static_cast<std::ptrdiff_t>(std::min<size_t>(hashes.size(), 64));
  std::vector<Hash> leaves(hashes.begin(), hashes.begin() + count);
  const uint64_t n = leaves.size();
  const uint64_t m = a % n;
  const merkle::NodeSource real = VectorSource(leaves);
  const Hash root = merkle::RootFromLeafHashes(leaves);
  const auto proof = merkle::InclusionProof(m, n, real);
  Require(proof.ok() && merkle::VerifyInclusion(m, n, leaves[m], *proof, root).ok(),
          "real inclusion verifies");
  const uint64_t size1 = b % (n + 1);
  const Hash root1 = merkle::RootFromLeafHashes(std::span(leaves).first(size1));
  const auto consistency = merkle::ConsistencyProof(size1, n, real);
  Require(consistency.ok() && merkle::VerifyConsistency(size1, n, *consistency, root1, root).ok(),
          "real consistency verifies");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 17) return 0;
  const uint64_t a = ledger::LoadU64BE(data);
  const uint64_t b = ledger::LoadU64BE(data + 8);
  const uint8_t flag = data[16];
  std::vector<Hash> hashes;
  // Far more hashes than any proof can have (64) still exercises the length
  // checks; the cap keeps each run fast.
  for (size_t off = 17; off + Hash::kSize <= size && hashes.size() < 200; off += Hash::kSize) {
    hashes.push_back(Hash::FromBytes(ledger::ByteView(data + off, Hash::kSize)).value());
  }
  const std::span<const Hash> all(hashes);
  switch (flag & 3) {
    case 0: {
      if (hashes.size() < 2) return 0;
      const Status s = merkle::VerifyInclusion(a, b, all[0], all.subspan(2), all[1]);
      // Accepting means the root computed from the proof is the given one.
      if (s.ok()) {
        Require(merkle::RootFromInclusionProof(a, b, all[0], all.subspan(2)).value() == all[1],
                "accepted inclusion implies its root");
      }
      break;
    }
    case 1: {
      if (hashes.empty()) return 0;
      const auto root = merkle::RootFromInclusionProof(a, b, all[0], all.subspan(1));
      if (root.ok()) {
        Require(all.size() - 1 == merkle::InclusionProofSize(a, b), "accepted proof length");
      } else {
        Require(root.status().reason() == "index_out_of_range" ||
                    root.status().reason() == "proof_wrong_length",
                "documented inclusion reason");
      }
      break;
    }
    case 2: {
      if (hashes.size() < 2) return 0;
      const Status s = merkle::VerifyConsistency(a, b, all.subspan(2), all[0], all[1]);
      if (s.ok() && a != 0 && a != b) {
        Require(all.size() - 2 == merkle::ConsistencyProofSize(a, b), "accepted proof length");
      }
      break;
    }
    default:
      Generate(a, b, all);
      break;
  }
  return 0;
}
