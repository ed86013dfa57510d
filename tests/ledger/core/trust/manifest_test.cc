#include "ledger/trust/manifest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "c2sp_test_util.h"

namespace ledger {
namespace {

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }
Bytes Hex(const nlohmann::json& j) { return HexDecode(j.get<std::string>()).value(); }

nlohmann::json Vector() { return testing::LoadVectorJson("formats/manifest-example.json"); }

template <size_t N>
std::array<uint8_t, N> Arr(const Bytes& b) {
  LEDGER_CHECK(b.size() == N);
  std::array<uint8_t, N> a{};
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}

// The manifest of the worked example, built field by field from the vector.
Manifest FromVector(const nlohmann::json& v) {
  Manifest m;
  m.nonce = v["nonce"];
  m.origin = v["origin"];
  m.pcr0 = Arr<kPcrSize>(Hex(v["pcr0_hex"]));
  m.pcr1 = Arr<kPcrSize>(Hex(v["pcr1_hex"]));
  for (const auto& op : v["operators"]) {
    m.operators.push_back({op["name"], P256PublicKey::FromSec1(Hex(op["public_key_hex"])).value()});
  }
  m.threshold = v["threshold"];
  m.quorum_public_key = Ed25519PublicKey::FromBytes(Hex(v["quorum_public_key_hex"])).value();
  for (const auto& s : v["submitters"]) {
    ManifestSubmitter sub{s["name"], s["verifier_key"], {}};
    for (const auto& k : s["kinds"]) sub.kinds.push_back(ParseEventKind(k.get<std::string>()).value());
    for (const auto& p : s["subjects"]) sub.subjects.push_back(p);
    m.submitters.push_back(sub);
  }
  for (const auto& w : v["witnesses"]) m.witnesses.push_back(w);
  m.witness_quorum = v["witness_quorum"];
  m.registry_chain_id = v["registry_chain_id"].get<uint64_t>();
  m.registry_address = Arr<kRegistryAddressSize>(Hex(v["registry_address_hex"]));
  return m;
}

P256PrivateKey OperatorKey(const nlohmann::json& v, size_t i) {
  return P256PrivateKey::FromScalar(Hex(v["operators"][i]["scalar_hex"])).value();
}

class ManifestTest : public ::testing::Test {
 protected:
  nlohmann::json v_ = Vector();
  Manifest m_ = FromVector(v_);
  Hash digest_ = ManifestDigest(m_).value();
  // Vector operators are listed carol, alice, bob.
  P256PrivateKey carol_ = OperatorKey(v_, 0), alice_ = OperatorKey(v_, 1), bob_ = OperatorKey(v_, 2);
  Approval Approve(const P256PrivateKey& k, const std::string& name) {
    return ApproveManifest(digest_, name, k).value();
  }
};

// manifest.md §5, produced by tests/vectors/formats/quorum_examples.py.
TEST_F(ManifestTest, WorkedExampleEncodingDigestAndApprovals) {
  Bytes enc = EncodeManifest(m_).value();
  EXPECT_EQ(HexEncode(enc), v_["encoding_hex"].get<std::string>());
  EXPECT_EQ(digest_.Hex(), v_["digest_hex"].get<std::string>());
  EXPECT_EQ(ManifestDigest(enc), digest_);
  EXPECT_EQ(HexEncode(ApprovalMessage(digest_)), v_["approval_message_hex"].get<std::string>());
  Manifest decoded = DecodeManifest(enc).value();
  EXPECT_EQ(EncodeManifest(decoded).value(), enc);
  EXPECT_EQ(decoded.operators[0].name, "alice");  // sorted
  std::vector<Approval> approvals;
  for (const auto& [name, hex] : v_["approvals_hex"].items()) {
    approvals.push_back(DecodeApproval(Hex(hex)).value());
    EXPECT_EQ(HexEncode(EncodeApproval(approvals.back()).value()), hex.get<std::string>());
  }
  EXPECT_TRUE(VerifyApprovals(decoded, approvals).ok());
}

TEST_F(ManifestTest, MinimalManifestRoundTrips) {
  Manifest m;
  m.origin = "o";
  m.operators.push_back({"op", alice_.public_key()});
  m.threshold = 1;
  Bytes enc = EncodeManifest(m).value();
  EXPECT_EQ(DecodeManifest(enc).value(), m);
}

TEST_F(ManifestTest, ThresholdApprovalsVerify) {
  std::vector<Approval> two = {Approve(alice_, "alice"), Approve(carol_, "carol")};
  EXPECT_TRUE(VerifyApprovals(m_, two).ok());
  std::vector<Approval> all = {Approve(bob_, "bob"), Approve(alice_, "alice"),
                               Approve(carol_, "carol")};
  EXPECT_TRUE(VerifyApprovals(m_, all).ok());
}

TEST_F(ManifestTest, RefusesBelowThresholdDuplicatesAndNonOperators) {
  std::vector<Approval> one = {Approve(alice_, "alice")};
  EXPECT_EQ(Reason(VerifyApprovals(m_, one)), "insufficient_approvals");
  EXPECT_EQ(Reason(VerifyApprovals(m_, {})), "insufficient_approvals");
  std::vector<Approval> dup = {Approve(alice_, "alice"), Approve(alice_, "alice")};
  EXPECT_EQ(Reason(VerifyApprovals(m_, dup)), "duplicate_approval");
  auto mallory = P256PrivateKey::Generate().value();
  std::vector<Approval> outsider = {Approve(alice_, "alice"), Approve(mallory, "mallory")};
  EXPECT_EQ(Reason(VerifyApprovals(m_, outsider)), "unknown_operator");
  // A non-operator signing under an operator's name.
  std::vector<Approval> impostor = {Approve(alice_, "alice"), Approve(mallory, "bob")};
  EXPECT_EQ(Reason(VerifyApprovals(m_, impostor)), "bad_approval_signature");
  // Alice's key under Bob's name.
  std::vector<Approval> swapped = {Approve(alice_, "alice"), Approve(alice_, "bob")};
  EXPECT_EQ(Reason(VerifyApprovals(m_, swapped)), "bad_approval_signature");
}

TEST_F(ManifestTest, RefusesApprovalsOfAnotherManifest) {
  Manifest other = m_;
  other.nonce += 1;
  Hash other_digest = ManifestDigest(other).value();
  EXPECT_NE(other_digest, digest_);
  std::vector<Approval> approvals = {Approve(alice_, "alice"),
                                     ApproveManifest(other_digest, "bob", bob_).value()};
  EXPECT_EQ(Reason(VerifyApprovals(m_, approvals)), "approval_for_other_manifest");
  // A signature over another digest, relabelled with this manifest's digest.
  approvals[1].manifest_digest = digest_;
  EXPECT_EQ(Reason(VerifyApprovals(m_, approvals)), "bad_approval_signature");
}

TEST_F(ManifestTest, EveryFieldChangesTheDigest) {
  std::vector<Manifest> variants(11, m_);
  variants[0].origin = "other.example/log";
  variants[1].pcr0[0] ^= 1;
  variants[2].pcr2 = variants[2].pcr0;
  variants[3].threshold = 3;
  variants[4].operators.pop_back();
  variants[4].threshold = 2;
  variants[5].submitters[0].kinds.push_back(EventKind::kKeyRetired);
  variants[9].submitters[0].subjects.push_back("svc/");
  variants[6].witnesses.clear();  // one witness needs quorum 1 (manifest.md §2.1)
  variants[6].witness_quorum = 0;
  variants[7].registry_address.reset();
  variants[8].registry_chain_id = 1;
  variants[10].predecessor = Hash{};
  for (const auto& v : variants) EXPECT_NE(ManifestDigest(v).value(), digest_);
}

TEST_F(ManifestTest, EncodeRefusesInvalidManifests) {
  auto bad = [&](auto mutate) {
    Manifest m = m_;
    mutate(m);
    return Reason(EncodeManifest(m).status());
  };
  EXPECT_EQ(bad([](Manifest& m) { m.origin = ""; }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.origin = "has space"; }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.threshold = 0; }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.threshold = 4; }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.operators.clear(); }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.operators[1].name = m.operators[0].name; }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.operators[1].public_key = m.operators[0].public_key; }),
            "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.operators[0].public_key = P256PublicKey(); }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].kinds.clear(); }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].kinds.push_back(static_cast<EventKind>(999)); }),
            "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].kinds.push_back(m.submitters[0].kinds[0]); }),
            "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].verifier_key = "with space"; }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters.push_back(m.submitters[0]); }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].subjects.clear(); }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].subjects.push_back("key/"); }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].subjects.push_back(std::string(256, 'a')); }),
            "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].subjects.push_back("bad\xff"); }),
            "bad_manifest");
  // The notary's own records are never granted (ownership.h).
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].kinds.push_back(EventKind::kPolicyChanged); }),
            "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].kinds.push_back(EventKind::kEnclaveBooted); }),
            "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].subjects.push_back("notary/"); }),
            "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.submitters[0].subjects.push_back("notary-policy/x"); }),
            "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.witnesses.push_back(m.witnesses[0]); }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.witness_quorum = 2; }), "bad_manifest");
  EXPECT_EQ(bad([](Manifest& m) { m.registry_chain_id = 0; }), "bad_manifest");
}

TEST_F(ManifestTest, DecodeIsStrict) {
  const Bytes enc = EncodeManifest(m_).value();
  auto reason = [](const Bytes& b) { return Reason(DecodeManifest(b).status()); };
  for (size_t n = 0; n < enc.size(); ++n) {
    ASSERT_EQ(reason(Bytes(enc.begin(), enc.begin() + static_cast<long>(n))), "malformed_manifest")
        << n;
  }
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_EQ(reason(trailing), "malformed_manifest");
  Bytes magic = enc;
  magic[0] ^= 1;
  EXPECT_EQ(reason(magic), "malformed_manifest");
  Bytes version = enc;
  version[kManifestMagic.size()] = 2;
  EXPECT_EQ(reason(version), "malformed_manifest");
  Bytes flags = enc;
  const size_t pcr_flags = kManifestMagic.size() + 1 + 8 + 1 + m_.origin.size();
  flags[pcr_flags] = 0x02;  // no PCR0
  EXPECT_EQ(reason(flags), "malformed_manifest");
  Bytes reg = enc;
  reg[reg.size() - 1 - 20 - 8] = 0x07;  // unknown registry flag
  EXPECT_EQ(reason(reg), "malformed_manifest");
  // Operators out of order: swap the entries of alice and bob (sorted:
  // alice, bob, carol), each str8 name || 65-byte key.
  const size_t ops = pcr_flags + 1 + 2 * kPcrSize + 1;
  const size_t alice_len = 1 + 5 + P256PublicKey::kSize, bob_len = 1 + 3 + P256PublicKey::kSize;
  ASSERT_EQ(enc[ops], 5);
  auto at = [&](size_t i) { return enc.begin() + static_cast<long>(i); };
  Bytes order(enc.begin(), at(ops));
  order.insert(order.end(), at(ops + alice_len), at(ops + alice_len + bob_len));
  order.insert(order.end(), at(ops), at(ops + alice_len));
  order.insert(order.end(), at(ops + alice_len + bob_len), enc.end());
  ASSERT_EQ(order.size(), enc.size());
  EXPECT_EQ(reason(order), "malformed_manifest");
  // A grant of the notary's own POLICY_CHANGED (kms-api's kinds 1 3 7 8 with
  // 3 replaced by 6, still sorted), or of its subjects ("key/" -> "notary"):
  // the notary refuses such a manifest at provisioning (ownership.h).
  const Bytes kinds = {0, 1, 0, 3, 0, 7, 0, 8, 1, 4, 'k', 'e', 'y', '/'};
  auto found = std::search(enc.begin(), enc.end(), kinds.begin(), kinds.end());
  ASSERT_NE(found, enc.end());
  const size_t k = static_cast<size_t>(found - enc.begin());
  Bytes granted = enc;
  granted[k + 3] = 6;
  EXPECT_EQ(reason(granted), "malformed_manifest");
  Bytes subject(enc.begin(), at(k + 9));
  for (char c : std::string("\x06notary")) subject.push_back(static_cast<uint8_t>(c));
  subject.insert(subject.end(), at(k + 14), enc.end());
  EXPECT_EQ(reason(subject), "malformed_manifest");
  Bytes other_subject = subject;
  other_subject[k + 10] = 'm';  // "motary": an ordinary prefix decodes
  EXPECT_EQ(reason(other_subject), "ok");
}

TEST_F(ManifestTest, ApprovalDecodeIsStrict) {
  Bytes enc = EncodeApproval(Approve(alice_, "alice")).value();
  EXPECT_TRUE(DecodeApproval(enc).ok());
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_EQ(Reason(DecodeApproval(Bytes(enc.begin(), enc.begin() + static_cast<long>(n))).status()),
              "malformed_approval");
  }
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_EQ(Reason(DecodeApproval(trailing).status()), "malformed_approval");
  Bytes version = enc;
  version[0] = 2;
  EXPECT_EQ(Reason(DecodeApproval(version).status()), "malformed_approval");
  EXPECT_EQ(Reason(ApproveManifest(digest_, "bad name", alice_).status()), "bad_manifest");
}

}  // namespace
}  // namespace ledger
