// RFC 9162 §2.1.3 and §2.1.4: inclusion and consistency proofs.
//
// Generation walks the RFC's recursive definitions (PATH, SUBPROOF) top-down
// and iteratively: every step either moves into the left child, whose right
// sibling may be an incomplete "right-edge" subtree (RangeHash), or into the
// right child, whose left sibling is always a perfect subtree (one source
// call). Once the walk enters a perfect subtree every further sibling is
// perfect, so a proof costs at most ~2·log2(n) NodeSource calls.
//
// Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step, after an
// up-front length check so that a malformed proof gets a precise reason.
#include <array>
#include <bit>
#include <iterator>
#include <string>
#include <string_view>

#include "ledger/merkle/merkle.h"

namespace ledger::merkle {
namespace {

// An RFC 9162 tree of at most 2^64 - 1 leaves is at most 64 levels deep.
constexpr size_t kMaxDepth = 64;

Status WrongLength(std::string_view what, size_t got, uint64_t want) {
  return Status::VerificationFailed("proof_wrong_length",
                                    std::string(what) + " proof has " + std::to_string(got) +
                                        " hashes, want " + std::to_string(want));
}

Status IndexOutOfRange(uint64_t index, uint64_t size) {
  return Status::InvalidArgument(
      "index_out_of_range",
      "leaf " + std::to_string(index) + " not in tree of size " + std::to_string(size));
}

// The subtree (level, index) is complete in a tree of `size` iff its last
// leaf (index + 1)·2^level - 1 is below size; written to avoid overflow.
Status CheckSubtree(uint32_t level, uint64_t index, uint64_t size) {
  if (level < 64 && index < (size >> level)) return Status::Ok();
  return Status::InvalidArgument(
      "index_out_of_range", "subtree (" + std::to_string(level) + ", " + std::to_string(index) +
                                ") not complete in tree of size " + std::to_string(size));
}

Status BadTreeSizes(uint64_t size1, uint64_t size2) {
  return Status::InvalidArgument(
      "bad_tree_sizes", "size1 " + std::to_string(size1) + " > size2 " + std::to_string(size2));
}

// ceil(size / 2^level): the number of leaves of the tree of 2^level-blocks.
uint64_t BlockCount(uint64_t size, unsigned level) {
  const uint64_t mask = (uint64_t{1} << level) - 1;
  return (size >> level) + ((size & mask) != 0 ? 1 : 0);
}

// The top-down walk shared by PATH (RFC 9162 §2.1.3.1) and SUBPROOF
// (§2.1.4.1): at node D[lo:hi] both split at k, the largest power of two
// smaller than hi - lo, descend into one half and emit the other half's hash.
class Walk {
 public:
  explicit Walk(uint64_t size) : hi_(size) {}

  uint64_t lo() const { return lo_; }
  uint64_t hi() const { return hi_; }
  uint64_t width() const { return hi_ - lo_; }
  // lo + k. REQUIRES width() >= 2.
  uint64_t mid() const { return lo_ + std::bit_floor(hi_ - lo_ - 1); }

  // Descends into D[lo:mid], emitting MTH(D[mid:hi]), which may be an
  // incomplete right-edge subtree.
  Status Left(const NodeSource& source) {
    const uint64_t m = mid();
    RETURN_IF_ERROR(Emit(RangeHash(m, hi_, source)));
    hi_ = m;
    return Status::Ok();
  }
  // Descends into D[mid:hi], emitting MTH(D[lo:mid]), a perfect subtree.
  Status Right(const NodeSource& source) {
    const uint64_t m = mid();
    const auto level = static_cast<uint32_t>(std::countr_zero(m - lo_));
    RETURN_IF_ERROR(Emit(source(level, lo_ >> level)));
    lo_ = m;
    return Status::Ok();
  }
  size_t count() const { return count_; }
  // The RFC appends each sibling after the deeper part of the proof, so the
  // hashes go out deepest first.
  void AppendTo(std::vector<Hash>& out) const {
    out.insert(out.end(), std::make_reverse_iterator(siblings_.begin() + count_), siblings_.rend());
  }

 private:
  Status Emit(const Result<Hash>& sibling) {
    if (!sibling.ok()) return sibling.status();
    LEDGER_CHECK(count_ < kMaxDepth);
    siblings_[count_++] = *sibling;
    return Status::Ok();
  }

  uint64_t lo_ = 0;
  uint64_t hi_;
  std::array<Hash, kMaxDepth> siblings_;
  size_t count_ = 0;
};

// Siblings on the path from the complete block [target, target + 2^level) to
// the root of [0, size), leaf-to-root. With level 0 this is PATH(target,
// D[size]); with level L it is the same path in the tree of 2^L-blocks (see
// merkle.md). REQUIRES: level < 64, target a multiple of 2^level and
// target + 2^level <= size.
Result<std::vector<Hash>> PathProof(uint64_t target, uint32_t level, uint64_t size,
                                    const NodeSource& source) {
  const uint64_t block = uint64_t{1} << level;
  Walk walk(size);
  while (walk.width() > block) {
    RETURN_IF_ERROR(target < walk.mid() ? walk.Left(source) : walk.Right(source));
  }
  std::vector<Hash> proof;
  proof.reserve(walk.count());
  walk.AppendTo(proof);
  return proof;
}

// RFC 9162 §2.1.3.2 and §2.1.4.2: "right-shift both fn and sn equally until
// either LSB(fn) is set or fn is 0".
void ShiftToOddOrZero(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Result<Hash> RangeHash(uint64_t begin, uint64_t end, const NodeSource& source) {
  if (begin >= end) {
    return Status::InvalidArgument(
        "bad_range", "empty range [" + std::to_string(begin) + ", " + std::to_string(end) + ")");
  }
  const uint64_t n = end - begin;
  // A subtree of an RFC 9162 tree starts at a multiple of bit_ceil(n); for
  // n > 2^63 that is 2^64, so only begin == 0 qualifies.
  const bool aligned = n > (uint64_t{1} << 63) ? begin == 0 : begin % std::bit_ceil(n) == 0;
  if (!aligned) {
    return Status::InvalidArgument("bad_range", "[" + std::to_string(begin) + ", " +
                                                    std::to_string(end) +
                                                    ") is not a subtree of an RFC 9162 tree");
  }
  // MTH(D[begin:end]) splits at the largest power of two < n (RFC 9162
  // §2.1.1), so the range is the perfect subtrees given by the set bits of n,
  // largest first, and its hash is their right fold.
  std::array<Hash, kMaxDepth> pieces;
  size_t count = 0;
  uint64_t pos = begin;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((n & width) == 0) continue;
    auto piece = source(static_cast<uint32_t>(level), pos >> level);
    if (!piece.ok()) return piece.status();
    pieces[count++] = *piece;
    pos += width;
  }
  Hash h = pieces[count - 1];
  for (size_t i = count - 1; i-- > 0;) h = NodeHash(pieces[i], h);
  return h;
}

size_t InclusionProofSize(uint64_t index, uint64_t size) {
  if (index >= size) return 0;
  // Levels below the point where the paths to `index` and to the last leaf
  // meet are inside a perfect subtree; above it, one sibling per set bit of
  // the remaining index (a left sibling on the right edge).
  const auto inner = static_cast<unsigned>(std::bit_width(index ^ (size - 1)));
  const uint64_t rest = inner >= 64 ? 0 : index >> inner;
  return inner + static_cast<size_t>(std::popcount(rest));
}

size_t ConsistencyProofSize(uint64_t size1, uint64_t size2) {
  if (size1 == 0 || size1 >= size2) return 0;
  // The proof is the largest perfect subtree ending at size1 (omitted when it
  // is on the left spine, i.e. size1 is a power of two) plus that subtree's
  // inclusion path in the tree of size2, which in the tree of 2^level-blocks
  // is the inclusion path of leaf `index`.
  const auto level = static_cast<unsigned>(std::countr_zero(size1));
  const uint64_t index = (size1 - 1) >> level;
  return (index != 0 ? 1 : 0) + InclusionProofSize(index, BlockCount(size2, level));
}

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeSource& source) {
  if (index >= size) return IndexOutOfRange(index, size);
  return PathProof(index, 0, size, source);
}

Result<std::vector<Hash>> SubtreeInclusionProof(uint32_t level, uint64_t index, uint64_t size,
                                                const NodeSource& source) {
  RETURN_IF_ERROR(CheckSubtree(level, index, size));
  return PathProof(index << level, level, size, source);
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                           const NodeSource& source) {
  if (size1 > size2) return BadTreeSizes(size1, size2);
  // Policy (merkle.h): from size 0 and between equal sizes the proof is empty.
  if (size1 == 0 || size1 == size2) return std::vector<Hash>{};

  // RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b) evaluated top-down; b stays
  // true while the walk is on the left spine, whose hash the verifier has.
  Walk walk(size2);
  bool b = true;
  while (walk.hi() != size1) {
    if (size1 <= walk.mid()) {
      RETURN_IF_ERROR(walk.Left(source));  // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
    } else {
      RETURN_IF_ERROR(walk.Right(source));  // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
      b = false;
    }
  }
  std::vector<Hash> proof;
  proof.reserve(walk.count() + 1);
  if (!b) {
    // SUBPROOF(m, D[m], false) = {MTH(D[m])}; D[lo:hi] is perfect here.
    ASSIGN_OR_RETURN(Hash node, RangeHash(walk.lo(), walk.hi(), source));
    proof.push_back(node);
  }
  walk.AppendTo(proof);
  return proof;
}

Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                    std::span<const Hash> proof) {
  // RFC 9162 §2.1.3.2 step 1.
  if (index >= size) return IndexOutOfRange(index, size);
  const size_t want = InclusionProofSize(index, size);
  if (proof.size() != want) return WrongLength("inclusion", proof.size(), want);
  // Steps 2-5.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return WrongLength("inclusion", proof.size(), want);  // 4a
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      ShiftToOddOrZero(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return WrongLength("inclusion", proof.size(), want);  // step 5
  return r;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  auto computed = RootFromInclusionProof(index, size, leaf_hash, proof);
  if (!computed.ok()) return computed.status();
  if (*computed != root) {
    return Status::VerificationFailed(
        "root_mismatch",
        "inclusion proof for leaf " + std::to_string(index) + " implies root " + computed->Hex());
  }
  return Status::Ok();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2) {
  if (size1 > size2) return BadTreeSizes(size1, size2);
  // Policy (merkle.h, C2SP tlog-witness): RFC 9162 leaves these cases open.
  if (size1 == size2 || size1 == 0) {
    if (!proof.empty()) return WrongLength("consistency", proof.size(), 0);
    if (size1 == size2 && root1 != root2) {
      return Status::VerificationFailed("root_mismatch", "equal tree sizes with different roots");
    }
    return Status::Ok();
  }
  // Step 1 (an empty proof) is covered by the length check.
  const size_t want = ConsistencyProofSize(size1, size2);
  if (proof.size() != want) return WrongLength("consistency", proof.size(), want);

  // Step 2: a power-of-two size1 is a left-spine subtree whose hash is root1.
  size_t next = 0;
  Hash fr;
  if (std::has_single_bit(size1)) {
    fr = root1;
  } else {
    fr = proof[next++];
  }
  Hash sr = fr;  // step 5
  // Steps 3-4.
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  // Step 6.
  for (; next < proof.size(); ++next) {
    const Hash& c = proof[next];
    if (sn == 0) return WrongLength("consistency", proof.size(), want);  // 6a
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftToOddOrZero(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  if (sn != 0) return WrongLength("consistency", proof.size(), want);
  if (fr != root1) {
    return Status::VerificationFailed("root_mismatch",
                                      "consistency proof implies old root " + fr.Hex());
  }
  if (sr != root2) {
    return Status::VerificationFailed("root_mismatch",
                                      "consistency proof implies new root " + sr.Hex());
  }
  return Status::Ok();
}

Status VerifySubtreeInclusion(uint32_t level, uint64_t index, uint64_t size,
                              const Hash& subtree_hash, std::span<const Hash> proof,
                              const Hash& root) {
  RETURN_IF_ERROR(CheckSubtree(level, index, size));
  // The tree of 2^level-blocks has the same shape above the blocks (merkle.md).
  return VerifyInclusion(index, BlockCount(size, level), subtree_hash, proof, root);
}

}  // namespace ledger::merkle
