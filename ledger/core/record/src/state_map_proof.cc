// Map proofs: the compressed encoding, verification and the update the
// notary computes from a verified proof (state_map.h, map.md §3, §4).
#include "ledger/record/state_map.h"

namespace ledger::state_map {
namespace {

constexpr uint8_t kProofVersion = 1;
constexpr uint8_t kTerminalEmpty = 0;
constexpr uint8_t kTerminalLeaf = 1;

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("malformed_map_proof", "map proof: " + why);
}

// True iff a and b agree on their first `bits` bits.
bool SharePrefix(const Hash& a, const Hash& b, size_t bits) {
  for (size_t i = 0; i < bits; ++i) {
    if (KeyBit(a, i) != KeyBit(b, i)) return false;
  }
  return true;
}

// Folds `h`, the hash of the subtree at depth siblings.size() on key's path,
// up to the root (map.md §3: bit 0 means the path goes left).
Hash FoldUp(const Hash& key, Hash h, const std::vector<Hash>& siblings) {
  for (size_t d = siblings.size(); d-- > 0;) {
    h = KeyBit(key, d) ? NodeHash(siblings[d], h) : NodeHash(h, siblings[d]);
  }
  return h;
}

}  // namespace

Bytes Proof::Encode() const {
  Bytes out;
  AppendU8(out, kProofVersion);
  if (leaf) {
    AppendU8(out, kTerminalLeaf);
    Append(out, leaf->key.view());
    Append(out, leaf->value.Encode());
  } else {
    AppendU8(out, kTerminalEmpty);
  }
  LEDGER_CHECK(siblings.size() <= kKeyBits);
  AppendU16BE(out, static_cast<uint16_t>(siblings.size()));
  Bytes bitmap((siblings.size() + 7) / 8, 0);
  for (size_t d = 0; d < siblings.size(); ++d) {
    if (siblings[d] != EmptyHash()) bitmap[d / 8] |= static_cast<uint8_t>(0x80u >> (d % 8));
  }
  Append(out, bitmap);
  for (const Hash& s : siblings) {
    if (s != EmptyHash()) Append(out, s.view());
  }
  return out;
}

Result<Proof> Proof::Decode(ByteView bytes) {
  ByteReader r(bytes, "malformed_map_proof");
  ASSIGN_OR_RETURN(uint8_t version, r.U8());
  if (version != kProofVersion) return Malformed("unknown version");
  ASSIGN_OR_RETURN(uint8_t terminal, r.U8());
  Proof p;
  if (terminal == kTerminalLeaf) {
    ASSIGN_OR_RETURN(ByteView key, r.Take(Hash::kSize));
    ASSIGN_OR_RETURN(ByteView value, r.Take(kValueSize));
    Leaf leaf;
    leaf.key = Hash::FromBytes(key).value();
    auto v = Value::Decode(value);
    if (!v.ok()) return Malformed("bad leaf value");
    leaf.value = *v;
    p.leaf = leaf;
  } else if (terminal != kTerminalEmpty) {
    return Malformed("unknown terminal");
  }
  ASSIGN_OR_RETURN(uint16_t depth, r.U16BE());
  if (depth > kKeyBits) return Malformed("depth above 256");
  ASSIGN_OR_RETURN(ByteView bitmap, r.Take((depth + 7u) / 8u));
  // Padding bits after the last sibling must be zero: one proof, one encoding.
  if (depth % 8 != 0 && (bitmap.back() & (0xffu >> (depth % 8))) != 0) {
    return Malformed("non-zero bitmap padding");
  }
  p.siblings.assign(depth, EmptyHash());
  for (size_t d = 0; d < depth; ++d) {
    if ((bitmap[d / 8] & (0x80u >> (d % 8))) == 0) continue;
    ASSIGN_OR_RETURN(ByteView s, r.Take(Hash::kSize));
    p.siblings[d] = Hash::FromBytes(s).value();
    if (p.siblings[d] == EmptyHash()) return Malformed("empty sibling written out");
  }
  RETURN_IF_ERROR(r.ExpectEnd());
  return p;
}

Result<Hash> RootFromProof(const Hash& key, const Proof& proof) {
  if (proof.siblings.size() > kKeyBits) return Malformed("depth above 256");
  Hash h = EmptyHash();
  if (proof.leaf) {
    if (!SharePrefix(proof.leaf->key, key, proof.siblings.size())) {
      return Status::InvalidArgument("map_proof_off_path",
                                     "the proof's leaf is not on the key's path");
    }
    h = LeafHash(proof.leaf->key, proof.leaf->value);
  }
  return FoldUp(key, h, proof.siblings);
}

Result<std::optional<Value>> VerifyProof(const Hash& root, const Hash& key, const Proof& proof) {
  ASSIGN_OR_RETURN(Hash computed, RootFromProof(key, proof));
  if (computed != root) {
    return Status::VerificationFailed("map_proof_mismatch",
                                      "the map proof does not lead to the map root");
  }
  if (proof.leaf && proof.leaf->key == key) return std::optional<Value>(proof.leaf->value);
  return std::optional<Value>();
}

Result<Hash> ApplyUpdate(const Hash& root, const Hash& key, const Proof& proof,
                         const Value& value, const NodeSink& sink) {
  RETURN_IF_ERROR(VerifyProof(root, key, proof).status());
  Node leaf;
  leaf.is_leaf = true;
  leaf.key = key;
  leaf.value = value;
  Hash h = leaf.Digest();
  if (sink) sink(h, leaf);
  // Joins `h` (on key's side at depth d + 1) with `other` into the node at depth d.
  auto join = [&](size_t d, const Hash& other) {
    Node n;
    n.left = KeyBit(key, d) ? other : h;
    n.right = KeyBit(key, d) ? h : other;
    h = NodeHash(n.left, n.right);
    if (sink) sink(h, n);
  };
  const size_t depth = proof.siblings.size();
  if (proof.leaf && proof.leaf->key != key) {
    // Another key ends here: the two leaves split at their first differing
    // bit j, with empty subtrees beside the path between depth and j
    // (map.md §3: a subtree of two leaves is no longer collapsed).
    size_t j = depth;
    while (KeyBit(key, j) == KeyBit(proof.leaf->key, j)) ++j;  // keys differ: j < 256
    join(j, LeafHash(proof.leaf->key, proof.leaf->value));
    for (size_t d = j; d-- > depth;) join(d, EmptyHash());
  }
  for (size_t d = depth; d-- > 0;) join(d, proof.siblings[d]);
  return h;
}

}  // namespace ledger::state_map
