// The manifest's witness rules and successor manifests (manifest.md §2.1,
// §6): witness quorums that always intersect, witnesses distinct by public
// key, and the version-2 encoding that names the predecessor.
#include <gtest/gtest.h>

#include "ledger/note/cosignature.h"
#include "ledger/note/note.h"
#include "ledger/trust/manifest.h"

namespace ledger {
namespace {

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }

class ManifestWitnessTest : public ::testing::Test {
 protected:
  ManifestWitnessTest() {
    m_.nonce = 3;
    m_.origin = "ledger.example/witnessed";
    m_.pcr0.fill(0x5a);
    for (const char* name : {"alice", "bob"}) {
      m_.operators.push_back({name, P256PrivateKey::Generate().value().public_key()});
    }
    m_.threshold = 2;
    m_.quorum_public_key = Ed25519PrivateKey::Generate().value().public_key();
  }

  // A cosignature/v1 vkey "w-<i>.example" for a fresh key (or for `key`).
  static std::string Witness(int i, std::optional<Ed25519PublicKey> key = std::nullopt) {
    if (!key) key = Ed25519PrivateKey::Generate().value().public_key();
    return note::FormatVerifierKey("w-" + std::to_string(i) + ".example", note::kAlgCosignatureV1,
                                   key->view());
  }
  Manifest WithWitnesses(int n, int k) const {
    Manifest m = m_;
    for (int i = 0; i < n; ++i) m.witnesses.push_back(Witness(i));
    m.witness_quorum = static_cast<uint8_t>(k);
    return m;
  }

  Manifest m_;
};

// With N witnesses, two quorums of K are disjoint unless 2K > N: then a host
// shows new heads to one quorum and confirms an old backup with the other.
TEST_F(ManifestWitnessTest, QuorumsMustIntersect) {
  struct Case {
    int n, k;
    const char* want;
  };
  for (const Case& c : {Case{0, 0, "ok"}, Case{1, 1, "ok"}, Case{2, 2, "ok"}, Case{3, 2, "ok"},
                        Case{4, 3, "ok"}, Case{5, 3, "ok"},
                        Case{1, 0, "non_intersecting_witness_quorum"},
                        Case{2, 1, "non_intersecting_witness_quorum"},
                        Case{3, 1, "non_intersecting_witness_quorum"},
                        Case{4, 2, "non_intersecting_witness_quorum"},
                        Case{6, 3, "non_intersecting_witness_quorum"}}) {
    const Manifest m = WithWitnesses(c.n, c.k);
    EXPECT_EQ(Reason(ValidateManifest(m)), c.want) << c.n << "/" << c.k;
    EXPECT_EQ(Reason(EncodeManifest(m).status()), c.want) << c.n << "/" << c.k;
  }
  const Status s = ValidateManifest(WithWitnesses(4, 2));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("at least 3"), std::string::npos) << s.message();
}

// A cosignature/v1 line does not sign the witness's name: one key under two
// names (or under both Ed25519 key types) would be counted twice.
TEST_F(ManifestWitnessTest, WitnessesAreDistinctByPublicKey) {
  const Ed25519PublicKey key = Ed25519PrivateKey::Generate().value().public_key();
  Manifest m = m_;
  m.witnesses = {Witness(1, key), Witness(2, key), Witness(3)};
  m.witness_quorum = 2;
  EXPECT_EQ(Reason(ValidateManifest(m)), "duplicate_witness_key");
  m.witnesses = {Witness(1, key),
                 note::FormatVerifierKey("w-2.example", note::kAlgEd25519, key.view()), Witness(3)};
  EXPECT_EQ(Reason(ValidateManifest(m)), "duplicate_witness_key");
  m.witnesses = {Witness(1, key), Witness(2), Witness(3)};
  EXPECT_EQ(Reason(ValidateManifest(m)), "ok");
  // Not a vkey, or a key of another type: no public key to compare.
  m.witnesses[2] = "w-3.example+00000000+AQ";
  EXPECT_EQ(Reason(ValidateManifest(m)), "bad_manifest");
  std::string wrong_id = Witness(3);
  wrong_id[wrong_id.find('+') + 1] ^= 1;
  m.witnesses[2] = wrong_id;
  EXPECT_EQ(Reason(ValidateManifest(m)), "bad_manifest");
}

// Bytes no encoder writes (a hostile host's manifest) are refused on decode
// under the same reasons: the notary, ledgerd and ledgerctl decode with it.
TEST_F(ManifestWitnessTest, DecodeRefusesWhatTheRulesForbid) {
  // Four witnesses, quorum 3, patched to quorum 2 (the byte before the
  // registry flags, with no registry).
  Bytes enc = EncodeManifest(WithWitnesses(4, 3)).value();
  ASSERT_TRUE(DecodeManifest(enc).ok());
  ASSERT_EQ(enc[enc.size() - 2], 3);
  enc[enc.size() - 2] = 2;
  EXPECT_EQ(Reason(DecodeManifest(enc).status()), "non_intersecting_witness_quorum");

  // Two witnesses whose names have the same length, the second rewritten to
  // carry the first one's key.
  const Ed25519PublicKey key = Ed25519PrivateKey::Generate().value().public_key();
  Manifest m = m_;
  m.witnesses = {Witness(1, key), Witness(2)};
  m.witness_quorum = 2;
  Bytes two = EncodeManifest(m).value();
  const std::string w2 = Witness(2, key);
  std::string s(AsString(two));
  const size_t at = s.find("w-2.example+");
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(s.substr(at - 2, 2), std::string("\0", 1) + static_cast<char>(w2.size()));
  s.replace(at, w2.size(), w2);
  EXPECT_EQ(Reason(DecodeManifest(AsBytes(s)).status()), "duplicate_witness_key");
}

// manifest.md §6: a successor is version 2, version 1's fields followed by
// the predecessor's digest; the digest covers it, so approvals of a
// successor approve the succession.
TEST_F(ManifestWitnessTest, SuccessorNamesItsPredecessor) {
  const Bytes first = EncodeManifest(m_).value();
  EXPECT_EQ(first[kManifestMagic.size()], kManifestVersion);
  Manifest next = m_;
  next.predecessor = ManifestDigest(first);
  const Bytes second = EncodeManifest(next).value();
  ASSERT_EQ(second.size(), first.size() + Hash::kSize);
  Bytes expected = first;
  expected[kManifestMagic.size()] = kManifestVersionSuccessor;
  Append(expected, ManifestDigest(first).view());
  EXPECT_EQ(second, expected);
  auto decoded = DecodeManifest(second);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, next);
  EXPECT_NE(ManifestDigest(second), ManifestDigest(first));

  // Strict: a version 2 without its digest, a version 1 with trailing
  // digest bytes.
  Bytes short_v2 = first;
  short_v2[kManifestMagic.size()] = kManifestVersionSuccessor;
  EXPECT_EQ(Reason(DecodeManifest(short_v2).status()), "malformed_manifest");
  Bytes long_v1 = second;
  long_v1[kManifestMagic.size()] = kManifestVersion;
  EXPECT_EQ(Reason(DecodeManifest(long_v1).status()), "malformed_manifest");
  Bytes unknown = second;
  unknown[kManifestMagic.size()] = 3;
  EXPECT_EQ(Reason(DecodeManifest(unknown).status()), "malformed_manifest");
}

}  // namespace
}  // namespace ledger
