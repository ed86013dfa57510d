// RFC 9162 Merkle tree hashing and proofs (SHA-256, RFC 9162 §2.1).
//
// Proof generation is storage-agnostic: callers supply a NodeSource that
// returns the hash of a perfect subtree, i.e. MTH(D[index·2^level :
// (index+1)·2^level]). The store answers it from tlog tiles; tests answer it
// from an in-memory vector. Verification needs no source.
//
// Consistency policy (C2SP tlog-witness): a proof from size 0 is valid iff it
// is empty; a proof between equal sizes is valid iff it is empty and the roots
// are equal; size1 > size2 is rejected.
//
// Thread-safety: free functions; CompactRange is a value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace ledger::merkle {

// SHA-256("") — the root of the empty tree (RFC 9162 §2.1.1).
Hash EmptyRoot();
// SHA-256(0x00 || leaf).
Hash LeafHash(ByteView leaf);
// SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);

// MTH over the given leaf hashes, any count including 0. O(n).
Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes);

// Hash of the perfect subtree at (level, index). Must fail rather than guess.
using NodeSource = std::function<Result<Hash>(uint32_t level, uint64_t index)>;

// MTH(D[begin:end]) for a range that is a subtree of some RFC 9162 tree:
// begin is a multiple of the largest power of two <= end - begin, rounded up
// (true for every node visited by the RFC's recursive definitions). Computed
// by splitting the range into perfect subtrees and folding from the right.
// REQUIRES: begin < end. InvalidArgument("bad_range") for a range that is not
// such a subtree; errors of the source are returned unchanged.
Result<Hash> RangeHash(uint64_t begin, uint64_t end, const NodeSource& source);

// RFC 9162 §2.1.3.1 inclusion proof for leaf `index` in a tree of `size`.
// InvalidArgument("index_out_of_range") when index >= size.
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeSource& source);

// RFC 9162 §2.1.4.1 consistency proof from size1 to size2.
// InvalidArgument("bad_tree_sizes") when size1 > size2.
Result<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                           const NodeSource& source);

// RFC 9162 §2.1.3.2. Returns the root the proof implies.
// InvalidArgument("index_out_of_range"); VerificationFailed("proof_wrong_length").
Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                    std::span<const Hash> proof);
// OK, or VerificationFailed("root_mismatch" / "proof_wrong_length"), InvalidArgument(...).
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);

// RFC 9162 §2.1.4.2.
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2);

// Number of hashes in a correct proof, derived from the sizes alone (so that
// parsers can bound what they read). 0 for arguments with no proof: index >=
// size, size1 == 0 or size1 >= size2.
size_t InclusionProofSize(uint64_t index, uint64_t size);
size_t ConsistencyProofSize(uint64_t size1, uint64_t size2);

// Inclusion of the perfect subtree (level, index) in a tree of `size`: the
// tree whose leaves are 2^level-blocks has the same shape (see merkle.md), so
// this is an inclusion proof for leaf `index` of a tree of ceil(size/2^level).
// REQUIRES the subtree to be complete: (index+1)·2^level <= size, else
// InvalidArgument("index_out_of_range").
Result<std::vector<Hash>> SubtreeInclusionProof(uint32_t level, uint64_t index, uint64_t size,
                                                const NodeSource& source);
Status VerifySubtreeInclusion(uint32_t level, uint64_t index, uint64_t size,
                              const Hash& subtree_hash, std::span<const Hash> proof,
                              const Hash& root);

// The compact range (frontier) of [0, size): the perfect subtrees whose
// sizes are the set bits of `size`, largest (leftmost) first. Appending a leaf
// is O(log n) and the root is their right fold.
class CompactRange {
 public:
  CompactRange() = default;
  // InvalidArgument("bad_compact_range") unless nodes.size() == popcount(size).
  static Result<CompactRange> FromNodes(uint64_t size, std::vector<Hash> nodes);
  // Reads the popcount(size) frontier nodes from a source.
  static Result<CompactRange> Load(uint64_t size, const NodeSource& source);

  uint64_t size() const { return size_; }
  const std::vector<Hash>& nodes() const { return nodes_; }

  // Called for every perfect subtree completed by Append, bottom-up:
  // (level, index, hash). Level 0 is the leaf itself.
  using Visitor = std::function<void(uint32_t level, uint64_t index, const Hash& hash)>;
  void Append(const Hash& leaf_hash, const Visitor& visitor = nullptr);

  // MTH of [0, size); EmptyRoot() when size is 0.
  Hash Root() const;

  bool operator==(const CompactRange&) const = default;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> nodes_;
};

}  // namespace ledger::merkle
