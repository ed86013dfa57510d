#include "ledger/trust/policy.h"

#include <gtest/gtest.h>

#include <cctype>
#include <map>

#include <nlohmann/json.hpp>

#include "c2sp_test_util.h"

namespace ledger {
namespace {

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }
Bytes Hex(const nlohmann::json& j) { return HexDecode(j.get<std::string>()).value(); }

Policy FromVector(const nlohmann::json& v) {
  Policy p;
  p.version = v["version"];
  for (const auto& s : v["submitters"]) {
    ManifestSubmitter sub{s["name"], s["verifier_key"], {}};
    for (const auto& k : s["kinds"]) sub.kinds.push_back(ParseEventKind(k.get<std::string>()).value());
    for (const auto& prefix : s["subjects"]) sub.subjects.push_back(prefix);
    p.submitters.push_back(sub);
  }
  return p;
}

class PolicyTest : public ::testing::Test {
 protected:
  PolicyTest() {
    for (const auto& op : mv_["operators"]) {
      keys_.emplace(op["name"].get<std::string>(),
                    P256PrivateKey::FromScalar(Hex(op["scalar_hex"])).value());
    }
  }

  Approval Approve(const std::string& key, const std::string& name) const {
    return ApprovePolicy(manifest_digest_, digest_, name, keys_.at(key)).value();
  }

  nlohmann::json mv_ = testing::LoadVectorJson("formats/manifest-example.json");
  nlohmann::json v_ = testing::LoadVectorJson("formats/policy-example.json");
  Manifest m_ = DecodeManifest(Hex(mv_["encoding_hex"])).value();
  Hash manifest_digest_ = ManifestDigest(m_).value();
  Policy p_ = FromVector(v_);
  Hash digest_ = PolicyDigest(p_).value();
  std::map<std::string, P256PrivateKey> keys_;
};

// policy.md §6, produced by tests/vectors/formats/policy_examples.py.
TEST_F(PolicyTest, WorkedExampleEncodingDigestLineAndApprovals) {
  Bytes enc = EncodePolicy(p_).value();
  EXPECT_EQ(HexEncode(enc), v_["encoding_hex"].get<std::string>());
  EXPECT_EQ(digest_.Hex(), v_["digest_hex"].get<std::string>());
  EXPECT_EQ(PolicyDigest(enc), digest_);
  EXPECT_EQ(PolicyExtensionLine(p_).value(), v_["extension_line"].get<std::string>());
  EXPECT_EQ(manifest_digest_.Hex(), v_["manifest_digest_hex"].get<std::string>());
  EXPECT_EQ(HexEncode(PolicyApprovalMessage(manifest_digest_, digest_)),
            v_["approval_message_hex"].get<std::string>());
  Policy decoded = DecodePolicy(enc).value();
  EXPECT_EQ(EncodePolicy(decoded).value(), enc);
  EXPECT_EQ(decoded.submitters[0].name, "billing");  // sorted
  std::vector<Approval> approvals;
  for (const auto& [name, hex] : v_["approvals_hex"].items()) {
    approvals.push_back(DecodeApproval(Hex(hex)).value());
    EXPECT_EQ(HexEncode(EncodeApproval(approvals.back()).value()), hex.get<std::string>());
  }
  EXPECT_TRUE(VerifyPolicyApprovals(m_, digest_, approvals).ok());
}

TEST_F(PolicyTest, EmptyPolicyRoundTripsAndGenesisIsTheManifests) {
  Policy empty{5, {}};
  EXPECT_EQ(DecodePolicy(EncodePolicy(empty).value()).value(), empty);
  Policy genesis = GenesisPolicy(m_);
  EXPECT_EQ(genesis.version, 0u);
  EXPECT_EQ(genesis.submitters, m_.submitters);
  EXPECT_NE(PolicyDigest(genesis).value(), PolicyDigest(Policy{1, m_.submitters}).value());
}

TEST_F(PolicyTest, DecodeIsStrict) {
  Bytes enc = EncodePolicy(p_).value();
  auto reason = [](const Bytes& b) { return Reason(DecodePolicy(b).status()); };
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_EQ(reason(Bytes(enc.begin(), enc.begin() + static_cast<long>(n))), "malformed_policy")
        << n;
  }
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_EQ(reason(trailing), "malformed_policy");
  Bytes magic = enc;
  magic[0] ^= 1;
  EXPECT_EQ(reason(magic), "malformed_policy");
  Bytes format = enc;
  format[kPolicyMagic.size()] = 2;
  EXPECT_EQ(reason(format), "malformed_policy");
  // A manifest is not a policy.
  EXPECT_EQ(reason(Hex(mv_["encoding_hex"])), "malformed_policy");
  // Unsorted submitters or kinds, duplicates and unknown kinds: hand-built.
  auto raw = [](std::vector<ManifestSubmitter> subs) {
    Bytes out = ToBytes(kPolicyMagic);
    AppendU8(out, kPolicyFormatVersion);
    AppendU64BE(out, 1);
    AppendU8(out, static_cast<uint8_t>(subs.size()));
    for (const auto& s : subs) {
      AppendU8(out, static_cast<uint8_t>(s.name.size()));
      Append(out, s.name);
      AppendU16BE(out, static_cast<uint16_t>(s.verifier_key.size()));
      Append(out, s.verifier_key);
      AppendU8(out, static_cast<uint8_t>(s.kinds.size()));
      for (EventKind k : s.kinds) AppendU16BE(out, static_cast<uint16_t>(k));
      AppendU8(out, static_cast<uint8_t>(s.subjects.size()));
      for (const std::string& p : s.subjects) {
        AppendU8(out, static_cast<uint8_t>(p.size()));
        Append(out, p);
      }
    }
    return out;
  };
  ManifestSubmitter a{"a", "a+00000000+key", {EventKind::kKeyCreated}, {"key/"}};
  ManifestSubmitter b{
      "b", "b+00000000+key", {EventKind::kKeyCreated, EventKind::kKeyRotated}, {"", "svc/"}};
  EXPECT_TRUE(DecodePolicy(raw({a, b})).ok());
  EXPECT_EQ(reason(raw({b, a})), "malformed_policy");
  EXPECT_EQ(reason(raw({a, a})), "malformed_policy");
  ManifestSubmitter unsorted_kinds{
      "b", "k", {EventKind::kKeyRotated, EventKind::kKeyCreated}, {"key/"}};
  EXPECT_EQ(reason(raw({unsorted_kinds})), "malformed_policy");
  ManifestSubmitter unknown{"b", "k", {static_cast<EventKind>(999)}, {"key/"}};
  EXPECT_EQ(reason(raw({unknown})), "malformed_policy");
  ManifestSubmitter no_kinds{"b", "k", {}, {"key/"}};
  EXPECT_EQ(reason(raw({no_kinds})), "malformed_policy");
  ManifestSubmitter spaced{"b", "a key", {EventKind::kKeyCreated}, {"key/"}};
  EXPECT_EQ(reason(raw({spaced})), "malformed_policy");
  // Subject prefixes: at least one, sorted, distinct; never the notary's.
  ManifestSubmitter no_subjects{"b", "k", {EventKind::kKeyCreated}};
  EXPECT_EQ(reason(raw({no_subjects})), "malformed_policy");
  ManifestSubmitter unsorted_subjects{"b", "k", {EventKind::kKeyCreated}, {"svc/", "key/"}};
  EXPECT_EQ(reason(raw({unsorted_subjects})), "malformed_policy");
  ManifestSubmitter twice{"b", "k", {EventKind::kKeyCreated}, {"key/", "key/"}};
  EXPECT_EQ(reason(raw({twice})), "malformed_policy");
  // A policy that grants the notary's own records: refused by DecodePolicy,
  // hence by the notary's ChangePolicy (ownership.h).
  ManifestSubmitter boots{"b", "k", {EventKind::kEnclaveBooted}, {"key/"}};
  EXPECT_EQ(reason(raw({boots})), "malformed_policy");
  ManifestSubmitter policies{"b", "k", {EventKind::kPolicyChanged}, {"policy/"}};
  EXPECT_EQ(reason(raw({policies})), "malformed_policy");
  ManifestSubmitter notary_subject{"b", "k", {EventKind::kKeyCreated}, {"notary-policy/"}};
  EXPECT_EQ(reason(raw({notary_subject})), "malformed_policy");
  EXPECT_EQ(Reason(EncodePolicy(Policy{1, {policies}}).status()), "bad_policy");
  EXPECT_EQ(Reason(EncodePolicy(Policy{1, {notary_subject}}).status()), "bad_policy");
  // Encode refuses what decode would.
  EXPECT_EQ(Reason(EncodePolicy(Policy{1, {a, a}}).status()), "bad_policy");
  EXPECT_EQ(Reason(EncodePolicy(Policy{1, {no_kinds}}).status()), "bad_policy");
}

TEST_F(PolicyTest, EveryFieldChangesTheDigest) {
  std::vector<Policy> variants(5, p_);
  variants[4].submitters[0].subjects.push_back("svc/");
  variants[0].version += 1;
  variants[1].submitters.pop_back();
  variants[2].submitters[0].kinds.push_back(EventKind::kKeyRotated);
  variants[3].submitters[1].name = "billing2";
  for (const Policy& v : variants) EXPECT_NE(PolicyDigest(v).value(), digest_);
}

TEST_F(PolicyTest, ExtensionLineParsesStrictly) {
  std::string line = PolicyExtensionLine(p_).value();
  PolicyRef ref = ParsePolicyExtensionLine(line).value();
  EXPECT_EQ(ref.version, 1u);
  EXPECT_EQ(ref.digest, digest_);
  std::string upper = "policy 1 " + digest_.Hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& bad : std::vector<std::string>{std::string("policy 01 ") + digest_.Hex(), "policy 1  " + digest_.Hex(),
        "policy 1 " + digest_.Hex() + " ", "policy 1 " + digest_.Hex().substr(2),
        "Policy 1 " + digest_.Hex(), "policy -1 " + digest_.Hex(), std::string("policy 1"), upper,
        std::string("")}) {
    EXPECT_EQ(Reason(ParsePolicyExtensionLine(bad).status()), "bad_policy_line") << bad;
  }
}

TEST_F(PolicyTest, ApprovalsNeedThresholdDistinctOperators) {
  std::vector<Approval> two = {Approve("alice", "alice"), Approve("bob", "bob")};
  EXPECT_TRUE(VerifyPolicyApprovals(m_, digest_, two).ok());
  std::vector<Approval> one = {Approve("alice", "alice")};
  EXPECT_EQ(Reason(VerifyPolicyApprovals(m_, digest_, one)), "insufficient_approvals");
  std::vector<Approval> dup = {Approve("alice", "alice"), Approve("alice", "alice")};
  EXPECT_EQ(Reason(VerifyPolicyApprovals(m_, digest_, dup)), "duplicate_approval");
  auto mallory = P256PrivateKey::Generate().value();
  std::vector<Approval> outsider = {
      Approve("alice", "alice"),
      ApprovePolicy(manifest_digest_, digest_, "mallory", mallory).value()};
  EXPECT_EQ(Reason(VerifyPolicyApprovals(m_, digest_, outsider)), "unknown_operator");
  std::vector<Approval> impostor = {Approve("alice", "alice"), Approve("alice", "bob")};
  EXPECT_EQ(Reason(VerifyPolicyApprovals(m_, digest_, impostor)), "bad_approval_signature");
  // Approvals of another policy version.
  Hash other = PolicyDigest(Policy{2, p_.submitters}).value();
  std::vector<Approval> stale = {Approve("alice", "alice"),
                                 ApprovePolicy(manifest_digest_, other, "bob", keys_.at("bob")).value()};
  EXPECT_EQ(Reason(VerifyPolicyApprovals(m_, digest_, stale)), "approval_for_other_policy");
}

TEST_F(PolicyTest, ManifestApprovalsAreNotPolicyApprovals) {
  // Same operators, same digest field, but signed as manifest approvals.
  std::vector<Approval> as_manifest = {ApproveManifest(digest_, "alice", keys_.at("alice")).value(),
                                       ApproveManifest(digest_, "bob", keys_.at("bob")).value()};
  EXPECT_EQ(Reason(VerifyPolicyApprovals(m_, digest_, as_manifest)), "bad_approval_signature");
  // And the other way round.
  std::vector<Approval> as_policy = {
      ApprovePolicy(manifest_digest_, manifest_digest_, "alice", keys_.at("alice")).value(),
      ApprovePolicy(manifest_digest_, manifest_digest_, "bob", keys_.at("bob")).value()};
  EXPECT_EQ(Reason(VerifyApprovals(m_, as_policy)), "bad_approval_signature");
  // An approval for the same policy under another manifest does not count.
  Manifest other = m_;
  other.nonce += 1;
  std::vector<Approval> other_deployment = {
      ApprovePolicy(ManifestDigest(other).value(), digest_, "alice", keys_.at("alice")).value(),
      ApprovePolicy(ManifestDigest(other).value(), digest_, "bob", keys_.at("bob")).value()};
  EXPECT_EQ(Reason(VerifyPolicyApprovals(m_, digest_, other_deployment)), "bad_approval_signature");
}

TEST_F(PolicyTest, ToSubmitterPolicyParsesKeys) {
  SubmitterPolicy sp = ToSubmitterPolicy(p_).value();
  ASSERT_EQ(sp.submitters.size(), 2u);
  EXPECT_EQ(sp.submitters[0].key->name(), "kms-api");
  EXPECT_TRUE(sp.RequiresStamps());
  EXPECT_EQ(sp.submitters[1].subjects, p_.submitters[1].subjects);
  // Review F7: an empty policy used to admit unstamped events of any kind.
  // A notarized policy always requires stamps (the rule changed on purpose).
  EXPECT_TRUE(ToSubmitterPolicy(Policy{3, {}}).value().RequiresStamps());
  Policy bad = p_;
  bad.submitters[0].verifier_key = "not-a-key";
  EXPECT_EQ(Reason(ToSubmitterPolicy(bad).status()), "unsupported_submitter_key");
}

}  // namespace
}  // namespace ledger
