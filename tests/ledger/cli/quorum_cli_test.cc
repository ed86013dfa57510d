// The quorum ceremony through ledgerctl, in-process: operator keys, genesis,
// manifest create/show/approve/verify, and what the files written contain.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_fixture.h"
#include "ledger/cli/ledgerctl.h"
#include "ledger/crypto/sealed_box.h"
#include "ledger/note/note.h"
#include "ledger/trust/manifest.h"
#include "ledger/trust/quorum.h"

namespace ledger::cli {
namespace {
namespace fs = std::filesystem;

std::string Trim(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

using testing::Slurp;

class QuorumCliTest : public testing::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    for (const char* name : {"alice", "bob", "carol"}) {
      auto r = Ctl({"operator-key", "--out", P(std::string(name) + ".key")});
      ASSERT_EQ(r.code, kExitOk) << r.err;
      ASSERT_EQ(Trim(r.out), Trim(Slurp(P(std::string(name) + ".key.pub"))));
    }
  }
  std::vector<std::string> Operators() {
    return {"--operator", "alice=" + P("alice.key.pub"), "--operator", "bob=" + P("bob.key.pub"),
            "--operator", "carol=" + P("carol.key.pub")};
  }
  testing::CtlResult Genesis() {
    auto args = Operators();
    args.insert(args.begin(), {"quorum", "genesis"});
    args.insert(args.end(), {"--threshold", "2", "--out", P("shares")});
    return Ctl(args);
  }
  testing::CtlResult CreateManifest(const std::string& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"manifest", "create", "--origin", "ledger.example/cli",
                                     "--pcr0", std::string(96, 'a'), "--threshold", "2",
                                     "--quorum-pub", P("shares/quorum.pub"), "--out", P(out)};
    auto ops = Operators();
    args.insert(args.end(), ops.begin(), ops.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return Ctl(args);
  }
  testing::CtlResult Approve(const std::string& key, const std::string& name, const std::string& out,
                    const std::string& manifest = "m.bin") {
    return Ctl({"manifest", "approve", "--key", P(key + ".key"), "--name", name, P(manifest),
                "--out", P(out)});
  }
  P256PrivateKey Key(const std::string& name) {
    return P256PrivateKey::FromScalar(HexDecode(Trim(Slurp(P(name + ".key")))).value()).value();
  }
};

TEST_F(QuorumCliTest, OperatorKeyIsPrivateAndNeverOverwritten) {
  struct stat st {};
  ASSERT_EQ(::stat(P("alice.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Key("alice").public_key().Hex(), Trim(Slurp(P("alice.key.pub"))));
  auto again = Ctl({"operator-key", "--out", P("alice.key")});
  EXPECT_EQ(again.code, kExitFailed);
  EXPECT_NE(again.err.find("write_failed"), std::string::npos);
}

TEST_F(QuorumCliTest, GenesisSharesRecombineToTheQuorumKey) {
  auto r = Genesis();
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const std::string pub_hex = Trim(r.out);
  EXPECT_EQ(pub_hex, Trim(Slurp(P("shares/quorum.pub"))));
  auto quorum_pub = Ed25519PublicKey::FromBytes(HexDecode(pub_hex).value()).value();
  std::vector<Bytes> opened;
  for (const char* name : {"carol", "alice"}) {
    const std::string box = Slurp(P("shares/" + std::string(name) + ".share"));
    opened.push_back(Open(Key(name), AsBytes(box), AsBytes(kOperatorShareContext)).value());
  }
  EXPECT_TRUE(CombineShares(opened, 2, quorum_pub).ok());
  opened.pop_back();
  EXPECT_EQ(CombineShares(opened, 2, quorum_pub).status().reason(), "insufficient_shares");
  // Bob cannot open Alice's share.
  EXPECT_FALSE(Open(Key("bob"), AsBytes(Slurp(P("shares/alice.share"))),
                    AsBytes(kOperatorShareContext))
                   .ok());
  // Nothing in the output directory is the secret: only shares and the public key.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(P("shares"))) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 4u);
}

TEST_F(QuorumCliTest, GenesisRefusesBadThresholds) {
  auto args = Operators();
  args.insert(args.begin(), {"quorum", "genesis"});
  args.insert(args.end(), {"--threshold", "1", "--out", P("shares")});
  EXPECT_EQ(Ctl(args).code, kExitUsage);
  args[args.size() - 3] = "4";
  EXPECT_EQ(Ctl(args).code, kExitUsage);
}

TEST_F(QuorumCliTest, ManifestCreateShowApproveVerify) {
  ASSERT_EQ(Genesis().code, kExitOk);
  auto created = CreateManifest(
      "m.bin", {"--submitter", "kms-api=kms-api+01020304+AQIDBA==:KEY_CREATED,KEY_ROTATED",
                "--subjects", "kms-api=key/", "--chain-id", "31337", "--registry",
                "0x5fbdb2315678afecb367f032d93f642f64180aa3", "--nonce", "3"});
  ASSERT_EQ(created.code, kExitOk) << created.err;
  const std::string digest = Trim(created.out);
  EXPECT_EQ(ManifestDigest(AsBytes(Slurp(P("m.bin")))).Hex(), digest);

  auto shown = Ctl({"--json", "manifest", "show", P("m.bin")});
  ASSERT_EQ(shown.code, kExitOk) << shown.err;
  auto j = shown.Json();
  EXPECT_EQ(j["digest"], digest);
  EXPECT_EQ(j["threshold"], 2);
  EXPECT_EQ(j["operators"].size(), 3u);
  EXPECT_EQ(j["submitters"][0]["kinds"][1], "KEY_ROTATED");
  EXPECT_EQ(j["submitters"][0]["subjects"], nlohmann::json::array({"key/"}));
  EXPECT_EQ(j["registry_chain_id"], 31337);
  EXPECT_EQ(j["quorum_public_key"], Trim(Slurp(P("shares/quorum.pub"))));

  ASSERT_EQ(Approve("alice", "alice", "a.ap").code, kExitOk);
  ASSERT_EQ(Approve("carol", "carol", "c.ap").code, kExitOk);
  auto one = Ctl({"manifest", "verify", P("m.bin"), P("a.ap")});
  EXPECT_EQ(one.code, kExitVerificationFailed);
  EXPECT_NE(one.err.find("insufficient_approvals"), std::string::npos);
  auto two = Ctl({"--json", "manifest", "verify", P("m.bin"), P("a.ap"), P("c.ap")});
  EXPECT_EQ(two.code, kExitOk) << two.out;
  EXPECT_EQ(two.Json()["ok"], true);
  auto dup = Ctl({"--json", "manifest", "verify", P("m.bin"), P("a.ap"), P("a.ap")});
  EXPECT_EQ(dup.code, kExitVerificationFailed);
  EXPECT_EQ(dup.Json()["error"]["reason"], "duplicate_approval");
}

TEST_F(QuorumCliTest, ApprovalsOfOtherManifestsAndNonOperatorsAreRefused) {
  ASSERT_EQ(Genesis().code, kExitOk);
  ASSERT_EQ(CreateManifest("m.bin").code, kExitOk);
  ASSERT_EQ(CreateManifest("m2.bin", {"--nonce", "2"}).code, kExitOk);
  ASSERT_EQ(Approve("alice", "alice", "a.ap").code, kExitOk);
  ASSERT_EQ(Approve("bob", "bob", "b2.ap", "m2.bin").code, kExitOk);
  auto other = Ctl({"--json", "manifest", "verify", P("m.bin"), P("a.ap"), P("b2.ap")});
  EXPECT_EQ(other.code, kExitVerificationFailed);
  EXPECT_EQ(other.Json()["error"]["reason"], "approval_for_other_manifest");
  // ledgerctl will not sign as an operator with someone else's key ...
  auto wrong = Approve("bob", "alice", "x.ap");
  EXPECT_EQ(wrong.code, kExitFailed);
  EXPECT_NE(wrong.err.find("not_an_operator"), std::string::npos);
  // ... and an approval signed outside it by a non-operator does not count.
  ASSERT_EQ(Ctl({"operator-key", "--out", P("mallory.key")}).code, kExitOk);
  auto m = DecodeManifest(AsBytes(Slurp(P("m.bin")))).value();
  auto forged = ApproveManifest(ManifestDigest(m).value(), "bob", Key("mallory")).value();
  std::ofstream(P("forged.ap"), std::ios::binary) << AsString(EncodeApproval(forged).value());
  auto bad = Ctl({"--json", "manifest", "verify", P("m.bin"), P("a.ap"), P("forged.ap")});
  EXPECT_EQ(bad.code, kExitVerificationFailed);
  EXPECT_EQ(bad.Json()["error"]["reason"], "bad_approval_signature");
}

TEST_F(QuorumCliTest, BadInputsAreUsageErrors) {
  ASSERT_EQ(Genesis().code, kExitOk);
  EXPECT_EQ(CreateManifest("m.bin", {"--pcr0", "abcd"}).code, kExitUsage);
  EXPECT_EQ(CreateManifest("m.bin", {"--submitter", "kms=vkey:NOT_A_KIND"}).code, kExitUsage);
  EXPECT_EQ(CreateManifest("m.bin", {"--witness-quorum", "1"}).code, kExitUsage);
}

// The notary's own records are never granted, and every grant names its
// subjects (policy.md §2).
TEST_F(QuorumCliTest, ManifestCreateRefusesGrantsOfTheNotarysRecords) {
  ASSERT_EQ(Genesis().code, kExitOk);
  const std::string sub = "kms=kms+01020304+AQIDBA==:";
  auto refused = [&](std::vector<std::string> flags) {
    auto r = CreateManifest("m.bin", flags);
    EXPECT_EQ(r.code, kExitUsage) << r.out;
    EXPECT_NE(r.err.find("bad_manifest"), std::string::npos) << r.err;
    return r.err;
  };
  EXPECT_NE(refused({"--submitter", sub + "KEY_CREATED,POLICY_CHANGED", "--subjects", "kms=key/"})
                .find("POLICY_CHANGED"),
            std::string::npos);
  refused({"--submitter", sub + "ENCLAVE_BOOTED", "--subjects", "kms=key/"});
  refused({"--submitter", sub + "KEY_CREATED", "--subjects", "kms=key/,notary-policy/"});
  refused({"--submitter", sub + "KEY_CREATED"});  // no subjects
  auto unknown =
      CreateManifest("m.bin", {"--submitter", sub + "KEY_CREATED", "--subjects", "other=key/"});
  EXPECT_EQ(unknown.code, kExitUsage);
  EXPECT_NE(unknown.err.find("bad_submitter"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(P("m.bin")));
  auto all = CreateManifest("m.bin", {"--submitter", sub + "KEY_CREATED", "--subjects", "kms="});
  EXPECT_EQ(all.code, kExitOk) << all.err;
}

TEST_F(QuorumCliTest, PolicyCreateRefusesGrantsOfTheNotarysRecords) {
  const std::string sub = "kms=kms+01020304+AQIDBA==:";
  auto create = [&](std::vector<std::string> flags) {
    std::vector<std::string> args = {"policy", "create", "--version", "1", "--out", P("p.bin")};
    args.insert(args.end(), flags.begin(), flags.end());
    return Ctl(args);
  };
  for (auto flags : std::vector<std::vector<std::string>>{
           {"--submitter", sub + "POLICY_CHANGED", "--subjects", "kms=policy/"},
           {"--submitter", sub + "ENCLAVE_BOOTED", "--subjects", "kms=key/"},
           {"--submitter", sub + "KEY_CREATED", "--subjects", "kms=notary/"},
           {"--submitter", sub + "KEY_CREATED"}}) {
    auto r = create(flags);
    EXPECT_EQ(r.code, kExitUsage) << flags[1];
    EXPECT_NE(r.err.find("bad_policy"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(P("p.bin")));
  auto ok = create({"--submitter", sub + "KEY_CREATED", "--subjects", "kms=key/,svc/kms/"});
  ASSERT_EQ(ok.code, kExitOk) << ok.err;
  auto shown = Ctl({"--json", "policy", "show", P("p.bin")});
  ASSERT_EQ(shown.code, kExitOk) << shown.err;
  EXPECT_EQ(shown.Json()["submitters"][0]["subjects"], nlohmann::json::array({"key/", "svc/kms/"}));
  std::ofstream(P("junk.bin")) << "not a manifest";
  EXPECT_EQ(Ctl({"manifest", "show", P("junk.bin")}).code, kExitUsage);
  EXPECT_EQ(Ctl({"manifest", "show", P("missing.bin")}).code, kExitNotFound);
  EXPECT_EQ(Ctl({"manifest", "verify"}).code, kExitUsage);
}


// manifest.md §2.1: the witness quorum must be more than half the witnesses,
// and one public key may not be listed twice under different names.
TEST_F(QuorumCliTest, ManifestCreateRefusesWitnessQuorumsThatNeedNotIntersect) {
  ASSERT_EQ(Genesis().code, kExitOk);
  std::vector<Ed25519PublicKey> keys;
  std::vector<std::string> witnesses;
  for (int i = 0; i < 4; ++i) {
    keys.push_back(Ed25519PrivateKey::Generate().value().public_key());
    witnesses.insert(witnesses.end(),
                     {"--witness", note::FormatVerifierKey("w" + std::to_string(i) + ".test",
                                                           note::kAlgCosignatureV1,
                                                           keys.back().view())});
  }
  auto with_quorum = [&](std::vector<std::string> w, const std::string& k) {
    w.insert(w.end(), {"--witness-quorum", k});
    return w;
  };
  auto split = CreateManifest("m4.bin", with_quorum(witnesses, "2"));
  EXPECT_EQ(split.code, kExitUsage);
  EXPECT_NE(split.err.find("non_intersecting_witness_quorum"), std::string::npos) << split.err;
  EXPECT_FALSE(fs::exists(P("m4.bin")));
  auto three = CreateManifest("m3.bin", with_quorum(witnesses, "3"));
  EXPECT_EQ(three.code, kExitOk) << three.err;

  // w0's key again under another name.
  std::vector<std::string> dup = {witnesses[0], witnesses[1], witnesses[2], witnesses[3],
                                  "--witness",
                                  note::FormatVerifierKey("w9.test", note::kAlgCosignatureV1,
                                                          keys[0].view())};
  auto twice = CreateManifest("dup.bin", with_quorum(dup, "2"));
  EXPECT_EQ(twice.code, kExitUsage);
  EXPECT_NE(twice.err.find("duplicate_witness_key"), std::string::npos) << twice.err;
  EXPECT_FALSE(fs::exists(P("dup.bin")));
}

// manifest.md §6: --predecessor names the manifest in force; the digest
// (and so every approval) covers it.
TEST_F(QuorumCliTest, ASuccessorManifestNamesItsPredecessor) {
  ASSERT_EQ(Genesis().code, kExitOk);
  auto first = CreateManifest("m1.bin");
  ASSERT_EQ(first.code, kExitOk) << first.err;
  auto second = CreateManifest("m2.bin", {"--nonce", "2", "--predecessor", P("m1.bin")});
  ASSERT_EQ(second.code, kExitOk) << second.err;
  auto m1 = DecodeManifest(AsBytes(Slurp(P("m1.bin")))).value();
  auto m2 = DecodeManifest(AsBytes(Slurp(P("m2.bin")))).value();
  EXPECT_FALSE(m1.predecessor.has_value());
  ASSERT_TRUE(m2.predecessor.has_value());
  EXPECT_EQ(*m2.predecessor, ManifestDigest(m1).value());
  auto shown = Ctl({"manifest", "show", P("m2.bin")});
  EXPECT_NE(shown.out.find("predecessor " + m2.predecessor->Hex()), std::string::npos) << shown.out;
  // A manifest of another log cannot be a predecessor.
  std::vector<std::string> args = {"manifest", "create", "--origin", "other.example/log",
                                   "--pcr0", std::string(96, 'a'), "--threshold", "2",
                                   "--quorum-pub", P("shares/quorum.pub"), "--predecessor",
                                   P("m1.bin"), "--out", P("other.bin")};
  auto ops = Operators();
  args.insert(args.end(), ops.begin(), ops.end());
  EXPECT_EQ(Ctl(args).code, kExitUsage);
}

}  // namespace
}  // namespace ledger::cli
