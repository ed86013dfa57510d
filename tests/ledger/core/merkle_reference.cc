#include "merkle_reference.h"

#include <cstdint>
#include <string>
#include <utility>

namespace ledger::merkle::reference {
namespace {

// The largest power of two smaller than n (RFC 9162 §2.1.1: "k"), by counting
// up rather than with bit tricks, to stay independent of the fast code.
uint64_t K(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

std::span<const Bytes> Sub(std::span<const Bytes> d, uint64_t begin, uint64_t end) {
  return d.subspan(static_cast<size_t>(begin), static_cast<size_t>(end - begin));
}

// SUBPROOF(m, D[n], b) (RFC 9162 §2.1.4.1).
std::vector<Hash> SubProof(uint64_t m, std::span<const Bytes> d, bool b) {
  const uint64_t n = d.size();
  if (m == n) {
    // "If m = n, SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}."
    if (b) return {};
    return {Mth(d)};
  }
  const uint64_t k = K(n);
  std::vector<Hash> out;
  if (m <= k) {
    // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
    out = SubProof(m, Sub(d, 0, k), b);
    out.push_back(Mth(Sub(d, k, n)));
  } else {
    // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
    out = SubProof(m - k, Sub(d, k, n), false);
    out.push_back(Mth(Sub(d, 0, k)));
  }
  return out;
}

}  // namespace

Hash LeafHash(ByteView d) {
  Sha256 sha;
  return sha.Update(uint8_t{0x00}).Update(d).Final();
}

Hash NodeHash(ByteView left, ByteView right) {
  Sha256 sha;
  return sha.Update(uint8_t{0x01}).Update(left).Update(right).Final();
}

Hash Mth(std::span<const Bytes> d) {
  const uint64_t n = d.size();
  // "The hash of an empty list is the hash of an empty string."
  if (n == 0) return Sha256::Digest(ByteView());
  // "The hash of a list with one entry (also known as a leaf hash)."
  if (n == 1) return LeafHash(d[0]);
  // "MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))"
  const uint64_t k = K(n);
  return NodeHash(Mth(Sub(d, 0, k)).view(), Mth(Sub(d, k, n)).view());
}

std::vector<Hash> Path(uint64_t m, std::span<const Bytes> d) {
  const uint64_t n = d.size();
  // "The path for the single leaf in a tree with a one-element input list
  // D[1] = {d(0)} is empty."
  if (n == 1) return {};
  const uint64_t k = K(n);
  std::vector<Hash> out;
  if (m < k) {
    // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
    out = Path(m, Sub(d, 0, k));
    out.push_back(Mth(Sub(d, k, n)));
  } else {
    // PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])
    out = Path(m - k, Sub(d, k, n));
    out.push_back(Mth(Sub(d, 0, k)));
  }
  return out;
}

std::vector<Hash> Proof(uint64_t m, std::span<const Bytes> d) { return SubProof(m, d, true); }

Bytes LeafData(uint64_t i) { return ToBytes("leaf-" + std::to_string(i)); }

std::vector<Bytes> Leaves(uint64_t n) {
  std::vector<Bytes> out;
  for (uint64_t i = 0; i < n; ++i) out.push_back(LeafData(i));
  return out;
}

NodeSource UniformSource(const Hash& leaf, uint64_t* calls) {
  std::vector<Hash> by_level{leaf};
  for (int l = 1; l < 64; ++l)
    by_level.push_back(NodeHash(by_level.back().view(), by_level.back().view()));
  return [by_level, calls](uint32_t level, uint64_t index) -> Result<Hash> {
    if (calls != nullptr) ++*calls;
    if (level >= 64 || index >= (UINT64_MAX >> level)) {
      return Status::NotFound(
          "no_such_node", "node (" + std::to_string(level) + ", " + std::to_string(index) + ")");
    }
    return by_level[level];
  };
}

TestTree::TestTree(std::vector<Bytes> leaves) : leaves_(std::move(leaves)) {
  levels_.emplace_back();
  for (const Bytes& d : leaves_) levels_[0].push_back(LeafHash(d));
  // Perfect subtrees only: node (l + 1, i) joins (l, 2i) and (l, 2i + 1).
  while (levels_.back().size() >= 2) {
    const std::vector<Hash>& below = levels_.back();
    std::vector<Hash> above;
    for (size_t i = 0; i + 1 < below.size(); i += 2) {
      above.push_back(NodeHash(below[i].view(), below[i + 1].view()));
    }
    levels_.push_back(std::move(above));
  }
}

const Hash& TestTree::Node(uint32_t level, uint64_t index) const {
  return levels_.at(level).at(static_cast<size_t>(index));
}

NodeSource TestTree::Source(uint64_t* calls) const {
  return [this, calls](uint32_t level, uint64_t index) -> Result<Hash> {
    if (calls != nullptr) ++*calls;
    if (level >= levels_.size() || index >= levels_[level].size()) {
      return Status::NotFound(
          "no_such_node", "node (" + std::to_string(level) + ", " + std::to_string(index) + ")");
    }
    return levels_[level][static_cast<size_t>(index)];
  };
}

}  // namespace ledger::merkle::reference
