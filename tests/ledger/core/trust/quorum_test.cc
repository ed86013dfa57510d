#include "ledger/trust/quorum.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "c2sp_test_util.h"

#include "ledger/crypto/sealed_box.h"
#include "ledger/note/note.h"

namespace ledger {
namespace {

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }
Bytes Hex(const nlohmann::json& j) { return HexDecode(j.get<std::string>()).value(); }

nlohmann::json Vector() { return testing::LoadVectorJson("formats/keys-example.json"); }

constexpr std::string_view kOrigin = "ledger.example/quorum-test";

// keys.md §6, produced by tests/vectors/formats/quorum_examples.py.
TEST(QuorumKeysTest, WorkedExampleDerivations) {
  auto v = Vector();
  auto secret = QuorumSecret::FromBytes(Hex(v["quorum_secret_hex"])).value();
  const std::string origin = v["origin"];
  EXPECT_EQ(HexEncode(QuorumPublicKey(secret).value().view()),
            v["quorum_public_key_hex"].get<std::string>());
  auto log = DeriveLogKey(secret, origin).value();
  Bytes seed = log.ExportSeed();
  EXPECT_EQ(HexEncode(seed), v["log_seed_hex"].get<std::string>());
  EXPECT_EQ(HexEncode(log.public_key().view()), v["log_public_key_hex"].get<std::string>());
  EXPECT_EQ(note::NewEd25519Verifier(origin, log.public_key())->VerifierKey(),
            v["log_vkey"].get<std::string>());
  auto reg = DeriveRegistryKey(secret, origin).value();
  EXPECT_EQ(HexEncode(reg.secret_key), v["registry_secret_key_hex"].get<std::string>());
  EXPECT_EQ(HexEncode(reg.public_key), v["registry_public_key_hex"].get<std::string>());
  // The vector's 2-of-3 shares (fixed coefficients) recombine to the secret.
  const auto expected = QuorumPublicKey(secret).value();
  std::vector<Bytes> shares;
  for (const auto& s : v["shares_hex"]) shares.push_back(Hex(s));
  for (size_t skip = 0; skip < 3; ++skip) {
    std::vector<Bytes> two;
    for (size_t i = 0; i < 3; ++i) {
      if (i != skip) two.push_back(shares[i]);
    }
    auto combined = CombineShares(two, 2, expected).value();
    EXPECT_EQ(HexEncode(combined.view()), v["quorum_secret_hex"].get<std::string>());
  }
}

TEST(QuorumKeysTest, DerivationsDependOnOriginAndSecret) {
  auto a = QuorumSecret::FromBytes(Bytes(32, 1)).value();
  auto b = QuorumSecret::FromBytes(Bytes(32, 2)).value();
  EXPECT_NE(QuorumPublicKey(a).value(), QuorumPublicKey(b).value());
  EXPECT_NE(DeriveLogKey(a, "x").value().public_key(), DeriveLogKey(a, "y").value().public_key());
  EXPECT_NE(DeriveLogKey(a, "x").value().public_key(), QuorumPublicKey(a).value());
  EXPECT_NE(DeriveRegistryKey(a, "x").value().public_key,
            DeriveRegistryKey(a, "y").value().public_key);
  EXPECT_EQ(Reason(QuorumSecret::FromBytes(Bytes(31, 1)).status()), "bad_quorum_secret");
}

class QuorumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 5; ++i) {
      keys_.push_back(P256PrivateKey::Generate().value());
      pubs_.push_back(keys_.back().public_key());
    }
    genesis_ = QuorumGenesis(pubs_, 3, AsBytes(kOperatorShareContext)).value();
  }
  // Operator i's plaintext share.
  Bytes OpenShare(size_t i) {
    return Open(keys_[i], genesis_.sealed_shares[i], AsBytes(kOperatorShareContext)).value();
  }
  std::vector<P256PrivateKey> keys_;
  std::vector<P256PublicKey> pubs_;
  QuorumShares genesis_;
};

TEST_F(QuorumTest, AnyKOfNGiveTheSameIdentityAndLogKey) {
  ASSERT_EQ(genesis_.sealed_shares.size(), 5u);
  std::optional<Ed25519PublicKey> log_key;
  // Every 3-subset of 5.
  for (size_t a = 0; a < 5; ++a) {
    for (size_t b = a + 1; b < 5; ++b) {
      for (size_t c = b + 1; c < 5; ++c) {
        std::vector<Bytes> shares = {OpenShare(c), OpenShare(a), OpenShare(b)};
        auto secret = CombineShares(shares, 3, genesis_.quorum_public_key);
        ASSERT_TRUE(secret.ok()) << secret.status();
        EXPECT_EQ(QuorumPublicKey(*secret).value(), genesis_.quorum_public_key);
        auto key = DeriveLogKey(*secret, kOrigin).value().public_key();
        if (!log_key) log_key = key;
        EXPECT_EQ(key, *log_key);
      }
    }
  }
}

TEST_F(QuorumTest, RestartThroughTheNotaryGivesTheSameLogKey) {
  const Hash manifest_digest = Sha256::Digest(std::string_view("manifest"));
  const Bytes notary_ctx = NotaryShareContext(manifest_digest);
  std::vector<Ed25519PublicKey> log_keys;
  for (int boot = 0; boot < 2; ++boot) {
    auto notary = P256PrivateKey::Generate().value();  // a fresh ephemeral key per boot
    std::vector<Bytes> received;
    for (size_t i : {4u, 1u, 2u}) {
      Bytes box = ReshareToNotary(keys_[i], genesis_.sealed_shares[i],
                                  AsBytes(kOperatorShareContext), notary.public_key().view(),
                                  notary_ctx)
                      .value();
      received.push_back(Open(notary, box, notary_ctx).value());
    }
    auto secret = CombineShares(received, 3, genesis_.quorum_public_key).value();
    log_keys.push_back(DeriveLogKey(secret, kOrigin).value().public_key());
  }
  EXPECT_EQ(log_keys[0], log_keys[1]);
}

TEST_F(QuorumTest, FewerThanKSharesAreRefused) {
  std::vector<Bytes> two = {OpenShare(0), OpenShare(1)};
  EXPECT_EQ(Reason(CombineShares(two, 3, genesis_.quorum_public_key).status()),
            "insufficient_shares");
  // Lying about k does not help: the shares carry their k, and the result is checked.
  EXPECT_EQ(Reason(CombineShares(two, 2, genesis_.quorum_public_key).status()), "bad_share");
}

TEST_F(QuorumTest, AShareForAnotherManifestIsRefused) {
  auto notary = P256PrivateKey::Generate().value();
  const Bytes ctx_a = NotaryShareContext(Sha256::Digest(std::string_view("manifest A")));
  const Bytes ctx_b = NotaryShareContext(Sha256::Digest(std::string_view("manifest B")));
  Bytes box = ReshareToNotary(keys_[0], genesis_.sealed_shares[0], AsBytes(kOperatorShareContext),
                              notary.public_key().view(), ctx_a)
                  .value();
  EXPECT_EQ(Reason(Open(notary, box, ctx_b).status()), "sealed_box_open_failed");
  EXPECT_TRUE(Open(notary, box, ctx_a).ok());
  // An operator cannot open another operator's share.
  EXPECT_EQ(Reason(ReshareToNotary(keys_[1], genesis_.sealed_shares[0],
                                   AsBytes(kOperatorShareContext), notary.public_key().view(), ctx_a)
                       .status()),
            "sealed_box_open_failed");
}

TEST_F(QuorumTest, TamperedShareCiphertextIsRefused) {
  Bytes box = genesis_.sealed_shares[2];
  box[box.size() - 20] ^= 1;
  EXPECT_EQ(Reason(Open(keys_[2], box, AsBytes(kOperatorShareContext)).status()),
            "sealed_box_open_failed");
}

TEST_F(QuorumTest, SharesOfAnotherQuorumKeyAreRefused) {
  auto other = QuorumGenesis(pubs_, 3, AsBytes(kOperatorShareContext)).value();
  EXPECT_NE(other.quorum_public_key, genesis_.quorum_public_key);
  std::vector<Bytes> shares = {OpenShare(0), OpenShare(1), OpenShare(2)};
  EXPECT_EQ(Reason(CombineShares(shares, 3, other.quorum_public_key).status()),
            "quorum_key_mismatch");
  // Mixing two quorums' shares yields neither key.
  shares[2] = Open(keys_[2], other.sealed_shares[2], AsBytes(kOperatorShareContext)).value();
  EXPECT_EQ(Reason(CombineShares(shares, 3, genesis_.quorum_public_key).status()),
            "quorum_key_mismatch");
}

TEST_F(QuorumTest, MalformedAndDuplicateSharesAreRefused) {
  Bytes s0 = OpenShare(0);
  std::vector<Bytes> dup = {s0, s0, OpenShare(1)};
  EXPECT_EQ(Reason(CombineShares(dup, 3, genesis_.quorum_public_key).status()), "bad_share");
  Bytes short_share(s0.begin(), s0.end() - 1);
  std::vector<Bytes> bad = {short_share, OpenShare(1), OpenShare(2)};
  EXPECT_EQ(Reason(CombineShares(bad, 3, genesis_.quorum_public_key).status()), "bad_share");
  Bytes zero_x = s0;
  zero_x[2] = 0;
  std::vector<Bytes> zero = {zero_x, OpenShare(1), OpenShare(2)};
  EXPECT_EQ(Reason(CombineShares(zero, 3, genesis_.quorum_public_key).status()), "bad_share");
  Bytes version = s0;
  version[0] = 2;
  std::vector<Bytes> ver = {version, OpenShare(1), OpenShare(2)};
  EXPECT_EQ(Reason(CombineShares(ver, 3, genesis_.quorum_public_key).status()), "bad_share");
}

TEST_F(QuorumTest, GenesisRefusesBadThresholds) {
  EXPECT_EQ(Reason(QuorumGenesis(pubs_, 1, {}).status()), "bad_threshold");
  EXPECT_EQ(Reason(QuorumGenesis(pubs_, 6, {}).status()), "bad_threshold");
  EXPECT_EQ(Reason(QuorumGenesis(std::span<const P256PublicKey>(pubs_.data(), 1), 1, {}).status()),
            "bad_threshold");
  EXPECT_EQ(Reason(QuorumGenesis(std::vector<P256PublicKey>(2), 2, {}).status()),
            "bad_public_key");
}

TEST(QuorumSecretTest, MoveCleansTheSource) {
  auto a = QuorumSecret::FromBytes(Bytes(32, 7)).value();
  QuorumSecret b = std::move(a);
  EXPECT_EQ(b.view()[0], 7);
  EXPECT_EQ(a.view()[0], 0);  // NOLINT(bugprone-use-after-move): checking the wipe
}

}  // namespace
}  // namespace ledger
