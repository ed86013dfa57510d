// Fuzzes the state-map proof decoder, verifier and update (state_map.h).
//
// Input: a 32-byte key, a 32-byte root, then a proof encoding (map.md §4).
// Besides "no crash, no hang", it checks invariants a correct implementation
// keeps; a violation aborts so that libFuzzer reports it:
//  - a decoded proof re-encodes to the input bytes (one encoding per proof);
//  - a proof accepted against a root implies that root, and the update it
//    allows yields a root whose proof for the key (the same siblings, the
//    key's own leaf at the same or a deeper level) verifies with the value.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "ledger/base/bytes.h"
#include "ledger/record/state_map.h"

namespace {

namespace sm = ledger::state_map;
using ledger::ByteView;
using ledger::Hash;

void Require(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "map_proof_fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 * Hash::kSize) return 0;
  const Hash key = Hash::FromBytes(ByteView(data, Hash::kSize)).value();
  Hash root = Hash::FromBytes(ByteView(data + Hash::kSize, Hash::kSize)).value();
  const ByteView encoding(data + 2 * Hash::kSize, size - 2 * Hash::kSize);
  auto proof = sm::Proof::Decode(encoding);
  if (!proof.ok()) {
    Require(proof.status().reason() == "malformed_map_proof", "documented decode reason");
    return 0;
  }
  const ledger::Bytes again = proof->Encode();
  Require(ByteView(again).size() == encoding.size() &&
              std::equal(again.begin(), again.end(), encoding.begin()),
          "decode/encode round trip");
  auto implied = sm::RootFromProof(key, *proof);
  if (!implied.ok()) {
    Require(implied.status().reason() == "map_proof_off_path", "documented off-path reason");
    return 0;
  }
  // A root byte pattern of all 0xff means "use the implied root" so that the
  // accepting paths are reached, not only the refusals.
  bool use_implied = true;
  for (auto b : root.bytes) use_implied = use_implied && b == 0xff;
  if (use_implied) root = *implied;
  auto verified = sm::VerifyProof(root, key, *proof);
  Require(verified.ok() == (root == *implied), "accepted iff the implied root");
  if (!verified.ok()) return 0;
  const sm::Value value{7, verified->has_value() ? (*verified)->version + 1 : 1, root};
  const Hash next = sm::ApplyUpdate(root, key, *proof, value).value();
  // The key's new leaf sits at the proof's depth (replaced or filled in) or,
  // when another key ended there, deeper: its proof extends the old one.
  sm::Proof after = *proof;
  if (proof->leaf && proof->leaf->key != key) {
    size_t j = proof->siblings.size();
    while (sm::KeyBit(key, j) == sm::KeyBit(proof->leaf->key, j)) ++j;
    after.siblings.resize(j + 1, sm::EmptyHash());
    after.siblings[j] = sm::LeafHash(proof->leaf->key, proof->leaf->value);
  }
  after.leaf = sm::Proof::Leaf{key, value};
  auto got = sm::VerifyProof(next, key, after);
  Require(got.ok() && got->has_value() && **got == value, "updated map proves the new value");
  return 0;
}
