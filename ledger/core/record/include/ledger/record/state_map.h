// The verifiable state map: a compact sparse Merkle tree from subject to
// (latest index, version, state hash), with membership and absence proofs
// (schemas/formats/map.md).
//
// Keys are 256-bit (SHA-256 of a domain-separated subject, map.md §2). The
// tree is the sparse Merkle tree of depth 256 in which every subtree holding
// one leaf is replaced by that leaf's hash and every empty subtree by the
// zero hash (map.md §3), so a path is as deep as the keys' common prefixes
// (about log2 n), not 256. Leaf and node hashes use prefix bytes 0x10 and
// 0x11, never the 0x00 / 0x01 of RFC 9162 §2.1.1, so no map hash can be
// taken for a log hash or the other way round.
//
// What the notary needs is here, with no I/O: it holds only a root, and for
// each entry the host hands it the entry's proof against that root;
// ApplyUpdate verifies the proof and computes the next root. Storage of the
// nodes is the host's (ledger/state).
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace ledger::state_map {

inline constexpr size_t kKeyBits = 256;
// The encoded value: index u64 || version u64 || state hash (map.md §2).
inline constexpr size_t kValueSize = 48;
// Hash prefixes (map.md §3); distinct from RFC 9162's 0x00 and 0x01.
inline constexpr uint8_t kKeyPrefix = 0x12;
// The stamp keys' prefix (map.md §2): a stamp key is never a subject key.
inline constexpr uint8_t kStampKeyPrefix = 0x13;
inline constexpr uint8_t kLeafPrefix = 0x10;
inline constexpr uint8_t kNodePrefix = 0x11;

// What the map records for one subject.
struct Value {
  uint64_t index = 0;    // log index of the latest entry naming the subject
  uint64_t version = 0;  // how many entries named it (1 for the first)
  Hash state;            // latest notarized state hash; all zero: none yet
  bool operator==(const Value&) const = default;

  Bytes Encode() const;
  // InvalidArgument("malformed_map_value") unless exactly kValueSize bytes
  // with version >= 1.
  static Result<Value> Decode(ByteView bytes);
};

// SHA-256(0x12 || subject): the subject's key (map.md §2).
Hash KeyOf(std::string_view subject);
// SHA-256(0x13 || SHA-256(event bytes)): the key that records that a stamped
// event was sequenced (map.md §2, §5a). It names the signed event, not the
// stamp bytes, so no second stamp over the same event can be sequenced.
Hash StampKeyOf(ByteView event_bytes);
// What a stamp key holds once the entry at `index` set it: index, version 1,
// state zero (map.md §5a).
Value StampValue(uint64_t index);
// Whether an entry with this stamp sets its stamp key (map.md §5a): every
// stamped entry except the notary's own, stamped by the log key (whose name
// is the origin and key ID `log_key_id`). False for an empty stamp.
bool RecordsStamp(ByteView stamp, std::string_view log_key_name, uint32_t log_key_id);
// Bit `i` of a key, most significant bit of byte 0 first: 0 goes left.
inline bool KeyBit(const Hash& key, size_t i) {
  return ((key.bytes[i / 8] >> (7 - i % 8)) & 1) != 0;
}
// SHA-256(0x10 || key || Value::Encode()).
Hash LeafHash(const Hash& key, const Value& value);
// SHA-256(0x11 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// The hash of an empty subtree and the root of the empty map: 32 zero bytes.
inline Hash EmptyHash() { return Hash{}; }
// The checkpoint extension line binding a root (map.md §6): "map <hex>".
std::string ExtensionLine(const Hash& root);
// Parses such a line; InvalidArgument("malformed_map_line").
Result<Hash> ParseExtensionLine(std::string_view line);
// The root named by a checkpoint's extension lines: nullopt when none starts
// with "map "; InvalidArgument("malformed_map_line") for a malformed one or
// more than one.
Result<std::optional<Hash>> FindRoot(const std::vector<std::string>& extensions);

// The proof for one key: the path from the root to the subtree where the
// key's search ends, which is empty (absent) or a single leaf — the key's own
// (present) or another key with the same path prefix (absent).
struct Proof {
  struct Leaf {
    Hash key;
    Value value;
    bool operator==(const Leaf&) const = default;
  };
  std::optional<Leaf> leaf;    // nullopt: the path ends in an empty subtree
  // siblings[d] is the sibling of the path node at depth d + 1, root side
  // first; EmptyHash() for an empty one. size() is the depth of the end.
  std::vector<Hash> siblings;
  bool operator==(const Proof&) const = default;

  // The compressed encoding (map.md §4): a bitmap marks non-empty siblings,
  // and only those are written.
  Bytes Encode() const;
  // Strict inverse of Encode: InvalidArgument("malformed_map_proof") for an
  // unknown version or terminal, depth above 256, non-zero padding bits, a
  // zero hash written as a sibling, truncation or trailing bytes.
  static Result<Proof> Decode(ByteView bytes);
};

// The root a proof implies for `key`. InvalidArgument("map_proof_off_path")
// when the terminal leaf's key does not share the path's prefix with `key`.
Result<Hash> RootFromProof(const Hash& key, const Proof& proof);

// Checks `proof` for `key` against `root` and says what it proves: the value
// (present) or nullopt (absent). VerificationFailed("map_proof_mismatch")
// when the proof does not lead to `root`.
Result<std::optional<Value>> VerifyProof(const Hash& root, const Hash& key, const Proof& proof);

// A stored node (map.md §8) is its hash preimage: 0x10 || key || value for a
// leaf, 0x11 || left || right for an inner node, so SHA-256 of the stored
// bytes is its address and every read can be checked.
struct Node {
  bool is_leaf = false;
  Hash key;     // leaf
  Value value;  // leaf
  Hash left, right;  // inner node; EmptyHash() for an empty child

  Bytes Encode() const;
  Hash Digest() const;
  // InvalidArgument("malformed_map_node") unless exactly one of the two forms.
  static Result<Node> Decode(ByteView bytes);
};

// Receives every node an update creates (the host stores them).
using NodeSink = std::function<void(const Hash& digest, const Node& node)>;

// Verifies `proof` for `key` against `root` and returns the root of the map
// with key set to `value` (inserted or replaced). This is the notary's
// update: the host supplies the proof but cannot change what it proves.
// `sink`, if given, receives the new nodes, leaf first.
Result<Hash> ApplyUpdate(const Hash& root, const Hash& key, const Proof& proof,
                         const Value& value, const NodeSink& sink = nullptr);

// The value a log entry gives its subject (map.md §5): index, version one
// above the previous one (1 if absent), the entry's new state hash if it has
// one, else the previous state.
Value NextValue(const std::optional<Value>& previous, uint64_t index,
                const std::optional<Hash>& new_state_hash);

// The compare-and-swap rule of a STATE_NOTARIZED entry against the
// subject's current value (map.md §5): it must carry a new state hash, and
// its prior state hash must be the current one — absent exactly when the
// subject has no state yet. FailedPrecondition("state_conflict") otherwise
// (a stale or rolled-back writer); InvalidArgument("missing_state_hash"),
// InvalidArgument("zero_state_hash") for an all-zero hash (that value means
// "no state"). Other kinds are not compare-and-swap: a POLICY_CHANGED entry,
// say, names the digest it replaces, not a map state.
Status CheckStateTransition(const std::optional<Value>& current,
                            const std::optional<Hash>& prior_state_hash,
                            const std::optional<Hash>& new_state_hash);

}  // namespace ledger::state_map
