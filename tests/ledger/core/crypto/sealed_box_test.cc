#include "ledger/crypto/sealed_box.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "c2sp_test_util.h"

namespace ledger {
namespace {

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }
Bytes Hex(const nlohmann::json& j) { return HexDecode(j.get<std::string>()).value(); }

nlohmann::json Vector() { return testing::LoadVectorJson("formats/sealed-box-example.json"); }

class SealedBoxTest : public ::testing::Test {
 protected:
  P256PrivateKey recipient_ = P256PrivateKey::Generate().value();
  const Bytes context_ = ToBytes("manifest digest A");
  const Bytes secret_ = ToBytes("a share of the quorum key");
};

// The worked example of sealed-box.md §5, produced by an independent
// implementation (tests/vectors/formats/quorum_examples.py).
TEST(SealedBoxVectorTest, WorkedExample) {
  auto v = Vector();
  auto recipient = P256PrivateKey::FromScalar(Hex(v["recipient_scalar_hex"])).value();
  EXPECT_EQ(recipient.public_key().Hex(), v["recipient_public_key_hex"].get<std::string>());
  auto ephemeral = P256PrivateKey::FromScalar(Hex(v["ephemeral_scalar_hex"])).value();
  EXPECT_EQ(ephemeral.public_key().Hex(), v["ephemeral_public_key_hex"].get<std::string>());
  Bytes box = SealDeterministic(recipient.public_key().view(), Hex(v["plaintext_hex"]),
                                Hex(v["context_hex"]), ephemeral, Hex(v["iv_hex"]))
                  .value();
  EXPECT_EQ(HexEncode(box), v["box_hex"].get<std::string>());
  EXPECT_EQ(Open(recipient, box, Hex(v["context_hex"])).value(), Hex(v["plaintext_hex"]));
  EXPECT_EQ(Reason(Open(recipient, box, ToBytes("another context")).status()),
            "sealed_box_open_failed");
}

TEST_F(SealedBoxTest, RoundTripsAndLayout) {
  Bytes box = Seal(recipient_.public_key().view(), secret_, context_).value();
  EXPECT_EQ(box.size(), kSealedBoxOverhead + secret_.size());
  EXPECT_EQ(box[0], kSealedBoxVersion);
  EXPECT_EQ(Open(recipient_, box, context_).value(), secret_);
  // Two seals of the same plaintext differ (fresh ephemeral key and IV).
  EXPECT_NE(Seal(recipient_.public_key().view(), secret_, context_).value(), box);
}

TEST_F(SealedBoxTest, EmptyPlaintextAndEmptyContext) {
  Bytes box = Seal(recipient_.public_key().view(), {}, {}).value();
  EXPECT_EQ(box.size(), kSealedBoxOverhead);
  EXPECT_TRUE(Open(recipient_, box, {}).value().empty());
  EXPECT_EQ(Reason(Open(recipient_, box, context_).status()), "sealed_box_open_failed");
}

TEST_F(SealedBoxTest, ABoxForAnotherContextIsRefused) {
  Bytes box = Seal(recipient_.public_key().view(), secret_, context_).value();
  EXPECT_EQ(Reason(Open(recipient_, box, ToBytes("manifest digest B")).status()),
            "sealed_box_open_failed");
  EXPECT_EQ(Reason(Open(recipient_, box, {}).status()), "sealed_box_open_failed");
}

TEST_F(SealedBoxTest, ABoxForAnotherRecipientIsRefused) {
  auto other = P256PrivateKey::Generate().value();
  Bytes box = Seal(other.public_key().view(), secret_, context_).value();
  EXPECT_EQ(Reason(Open(recipient_, box, context_).status()), "sealed_box_open_failed");
}

TEST_F(SealedBoxTest, EveryFlippedBitIsRefused) {
  Bytes box = Seal(recipient_.public_key().view(), secret_, context_).value();
  for (size_t i = 0; i < box.size(); ++i) {
    for (int bit = 0; bit < 8; bit += 3) {
      Bytes bad = box;
      bad[i] ^= static_cast<uint8_t>(1 << bit);
      auto r = Open(recipient_, bad, context_);
      ASSERT_FALSE(r.ok()) << "byte " << i;
      EXPECT_TRUE(r.status().reason() == "sealed_box_open_failed" ||
                  r.status().reason() == "malformed_sealed_box")
          << r.status();
    }
  }
}

TEST_F(SealedBoxTest, MalformedBoxesAreRefused) {
  Bytes box = Seal(recipient_.public_key().view(), secret_, context_).value();
  EXPECT_EQ(Reason(Open(recipient_, Bytes(box.begin(), box.begin() + 93), context_).status()),
            "malformed_sealed_box");
  Bytes v2 = box;
  v2[0] = 2;
  EXPECT_EQ(Reason(Open(recipient_, v2, context_).status()), "malformed_sealed_box");
  Bytes not_point = box;
  not_point[2] ^= 1;  // ephemeral key off the curve
  EXPECT_EQ(Reason(Open(recipient_, not_point, context_).status()), "malformed_sealed_box");
  Bytes truncated(box.begin(), box.end() - 1);
  EXPECT_FALSE(Open(recipient_, truncated, context_).ok());
  Bytes huge(kSealedBoxOverhead + kSealedBoxMaxPlaintext + 1, 0);
  huge[0] = 1;
  EXPECT_EQ(Reason(Open(recipient_, huge, context_).status()), "malformed_sealed_box");
}

TEST_F(SealedBoxTest, SealRefusesBadInputs) {
  EXPECT_EQ(Reason(Seal(Bytes(65, 4), secret_, context_).status()), "bad_public_key");
  EXPECT_EQ(Reason(Seal(recipient_.public_key().view(), Bytes(kSealedBoxMaxPlaintext + 1),
                        context_)
                       .status()),
            "plaintext_too_large");
  auto e = P256PrivateKey::Generate().value();
  EXPECT_EQ(Reason(SealDeterministic(recipient_.public_key().view(), secret_, context_, e,
                                     Bytes(11))
                       .status()),
            "bad_iv");
}

}  // namespace
}  // namespace ledger
