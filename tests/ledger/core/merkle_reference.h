// A reference RFC 9162 Merkle tree, for tests only.
//
// Written straight from the recursive definitions of RFC 9162 §2.1 over a
// list of leaf data D[n]: MTH (§2.1.1), PATH (§2.1.3.1) and PROOF/SUBPROOF
// (§2.1.4.1). It is deliberately slow and shares no code with
// ledger/core/merkle/src/merkle.cc (it hashes with the incremental Sha256 class), so
// that the fast code can be cross-checked against it.
//
// TestTree adds an in-memory NodeSource whose perfect-subtree hashes are built
// with the reference hash functions, counting how often it is called.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/merkle/merkle.h"

namespace ledger::merkle::reference {

// SHA-256(0x00 || d).
Hash LeafHash(ByteView d);
// SHA-256(0x01 || left || right), children of any length (the RFC 6962
// hasher vectors use short ASCII children).
Hash NodeHash(ByteView left, ByteView right);

// MTH(D[n]) (RFC 9162 §2.1.1).
Hash Mth(std::span<const Bytes> d);
// PATH(m, D[n]) (RFC 9162 §2.1.3.1). REQUIRES m < n.
std::vector<Hash> Path(uint64_t m, std::span<const Bytes> d);
// PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1).
// REQUIRES 0 < m <= n; PROOF(n, D[n]) is empty.
std::vector<Hash> Proof(uint64_t m, std::span<const Bytes> d);

// The leaf data of the generated vectors: ASCII "leaf-<i>".
Bytes LeafData(uint64_t i);
// LeafData(0..n-1).
std::vector<Bytes> Leaves(uint64_t n);

// The source of a tree, of any size up to 2^64 - 1, in which every leaf hash
// is `leaf`: node (l, i) depends only on l, so proofs for huge trees can be
// generated and verified consistently. Counts calls in *calls if given.
NodeSource UniformSource(const Hash& leaf, uint64_t* calls = nullptr);

// An in-memory tree over leaf data with a NodeSource for proof generation.
class TestTree {
 public:
  explicit TestTree(std::vector<Bytes> leaves);

  uint64_t size() const { return static_cast<uint64_t>(leaves_.size()); }
  const std::vector<Bytes>& leaves() const { return leaves_; }
  // Reference leaf hashes, in order.
  const std::vector<Hash>& leaf_hashes() const { return levels_[0]; }
  // Hash of the perfect subtree (level, index); REQUIRES that it exists.
  const Hash& Node(uint32_t level, uint64_t index) const;

  // Answers (level, index) for every perfect subtree inside [0, size());
  // NotFound("no_such_node") otherwise. Counts calls in *calls if given.
  NodeSource Source(uint64_t* calls = nullptr) const;

 private:
  std::vector<Bytes> leaves_;
  std::vector<std::vector<Hash>> levels_;  // levels_[l][i] = node (l, i)
};

}  // namespace ledger::merkle::reference
