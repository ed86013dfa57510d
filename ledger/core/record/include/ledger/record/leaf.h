// Leaf: what the notary sequences, and the hash chain that links leaves
// (schemas/formats/leaf.md).
//
// The notary produces the leaf bytes once; they are stored verbatim and hashed
// as stored. The leaf hash is merkle::LeafHash(leaf bytes) = SHA-256(0x00 ||
// leaf bytes) (RFC 9162 §2.1.1), and each leaf carries the leaf hash of its
// predecessor, so one hash serves both the Merkle tree and the chain: a reader
// holding any leaf and its successor can check they are adjacent without the
// tree, and a reader of the tree gets the chain for free.
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace ledger {

// tlog-tiles entry bundles prefix each entry with a u16 length.
inline constexpr size_t kMaxLeafSize = 65535;
// version || index || recorded_at_us || prev_leaf_hash || u16 || u16.
inline constexpr size_t kLeafOverhead = 1 + 8 + 8 + Hash::kSize + 2 + 2;

struct Leaf {
  uint64_t index = 0;           // position in the log (the notary's monotonic counter)
  uint64_t recorded_at_us = 0;  // notary clock, µs since the Unix epoch, never decreasing
  Hash prev_leaf_hash;          // leaf hash of leaf index-1, or ChainGenesis(origin) for leaf 0
  Bytes event;                  // canonical event bytes (event.md), non-empty
  Bytes stamp;                  // submitter's stamp (stamp.md); empty = unstamped
  bool operator==(const Leaf&) const = default;
};

// Leaf bytes v1 (leaf.md §2). InvalidArgument("leaf_too_large") when the
// result would exceed kMaxLeafSize; InvalidArgument("malformed_leaf") when the
// event is empty.
Result<Bytes> EncodeLeaf(const Leaf& leaf);

// Strict inverse of EncodeLeaf: InvalidArgument("malformed_leaf") for an
// unknown version, an empty event, truncation, trailing bytes or an input
// longer than kMaxLeafSize. Does not decode the event (DecodeEvent does) nor
// the stamp (DecodeStamp does).
Result<Leaf> DecodeLeaf(ByteView bytes);

// SHA-256("audit-ledger/chain/v1\n" || origin || "\n"): the prev_leaf_hash of
// leaf 0. Binding the origin means a chain cannot be replayed into another log.
Hash ChainGenesis(std::string_view origin);

// Checks that `leaf` is the successor the verifier expects: leaf.index ==
// expected_index and leaf.prev_leaf_hash == expected_prev_leaf_hash (the leaf
// hash of leaf expected_index-1, or ChainGenesis(origin) when expected_index
// is 0). VerificationFailed("chain_broken") with the evidence in the message.
Status VerifyChainLink(const Leaf& leaf, const Hash& expected_prev_leaf_hash,
                       uint64_t expected_index);

}  // namespace ledger
