// RFC 9162 §2.1.1 hashing, and the compact range (frontier) of a tree.
//
// Node and leaf hashes are the hot path of appending (about log2(n) node
// hashes per leaf) and of serving proofs, so each is a single one-shot
// One-shot SHA-256 over a stack buffer with a pre-fetched implementation.
//
// The compact range holds the perfect subtrees of [0, size) whose widths are
// the set bits of size, leftmost (largest) first. It is all the state an
// appender needs: appending leaf `size` merges it with the trailing subtrees
// of equal width exactly as a binary counter carries (each trailing 1-bit of
// size is one merge), and MTH(D[0:size]) is the right fold of the nodes
// because RFC 9162 §2.1.1 always splits at the largest power of two below n,
// i.e. at the boundary of the leftmost node.
#include "ledger/merkle/merkle.h"


#include <array>
#include <bit>
#include <cstring>
#include <string>
#include <utility>

namespace ledger::merkle {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;  // RFC 9162 §2.1.1: HASH(0x00 || d)
constexpr uint8_t kNodePrefix = 0x01;  // RFC 9162 §2.1.1: HASH(0x01 || l || r)
// Leaves up to this size are prefixed in a stack buffer and hashed one-shot;
// larger ones (events are at most 64 KiB) stream through a digest context.
constexpr size_t kStackLeafMax = 1024;

// Sha256::Digest uses an implementation fetched once (hash.cc): with
// EVP_sha256() every call would fetch it from the provider store again
// (OpenSSL 3), which more than doubles the cost of hashing a 65-byte node.
Hash Digest(const uint8_t* data, size_t len) { return Sha256::Digest(ByteView(data, len)); }

}  // namespace

Hash EmptyRoot() {
  static const Hash kEmpty = [] {
    const uint8_t nothing = 0;
    return Digest(&nothing, 0);
  }();
  return kEmpty;
}

Hash LeafHash(ByteView leaf) {
  if (leaf.size() <= kStackLeafMax) {
    std::array<uint8_t, 1 + kStackLeafMax> buf;
    buf[0] = kLeafPrefix;
    if (!leaf.empty()) std::memcpy(buf.data() + 1, leaf.data(), leaf.size());
    return Digest(buf.data(), 1 + leaf.size());
  }
  Sha256 sha;
  return sha.Update(kLeafPrefix).Update(leaf).Final();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  std::array<uint8_t, 1 + 2 * Hash::kSize> buf;
  buf[0] = kNodePrefix;
  std::memcpy(buf.data() + 1, left.bytes.data(), Hash::kSize);
  std::memcpy(buf.data() + 1 + Hash::kSize, right.bytes.data(), Hash::kSize);
  return Digest(buf.data(), buf.size());
}

Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes) {
  // The frontier holds at most 64 nodes, so the fold needs no allocation
  // proportional to n.
  CompactRange range;
  for (const Hash& leaf : leaf_hashes) range.Append(leaf);
  return range.Root();
}

Result<CompactRange> CompactRange::FromNodes(uint64_t size, std::vector<Hash> nodes) {
  const auto want = static_cast<size_t>(std::popcount(size));
  if (nodes.size() != want) {
    return Status::InvalidArgument("bad_compact_range", "size " + std::to_string(size) + " needs " +
                                                            std::to_string(want) + " nodes, got " +
                                                            std::to_string(nodes.size()));
  }
  CompactRange range;
  range.size_ = size;
  range.nodes_ = std::move(nodes);
  return range;
}

Result<CompactRange> CompactRange::Load(uint64_t size, const NodeSource& source) {
  std::vector<Hash> nodes;
  nodes.reserve(static_cast<size_t>(std::popcount(size)));
  uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    auto node = source(static_cast<uint32_t>(level), begin >> level);
    if (!node.ok()) {
      return node.status().Annotate("compact range node (" + std::to_string(level) + ", " +
                                    std::to_string(begin >> level) + ")");
    }
    nodes.push_back(*node);
    begin += width;
  }
  return FromNodes(size, std::move(nodes));
}

void CompactRange::Append(const Hash& leaf_hash, const Visitor& visitor) {
  // A tree of 2^64 - 1 leaves cannot be extended; reaching it is a bug.
  LEDGER_CHECK(size_ != UINT64_MAX);
  if (visitor) visitor(0, size_, leaf_hash);
  Hash h = leaf_hash;
  uint32_t level = 0;
  // Each trailing 1-bit of the old size is a perfect subtree of width 2^level
  // that the new node of the same width completes into one of width 2^(level+1).
  while ((size_ >> level) & 1) {
    LEDGER_CHECK(!nodes_.empty());
    h = NodeHash(nodes_.back(), h);
    nodes_.pop_back();
    ++level;
    // The completed subtree ends at leaf size_, so its index is size_ >> level.
    if (visitor) visitor(level, size_ >> level, h);
  }
  nodes_.push_back(h);
  ++size_;
}

Hash CompactRange::Root() const {
  if (nodes_.empty()) return EmptyRoot();
  Hash h = nodes_.back();
  for (size_t i = nodes_.size() - 1; i-- > 0;) h = NodeHash(nodes_[i], h);
  return h;
}

}  // namespace ledger::merkle
