#include "ledger/crypto/p256.h"

#include <gtest/gtest.h>

#include "ledger/crypto/hkdf.h"

namespace ledger {
namespace {

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }

// d = 1: the public key is the generator G (SEC2 §2.4.2).
constexpr char kGeneratorHex[] =
    "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

Bytes Scalar(uint8_t last) {
  Bytes d(32, 0);
  d[31] = last;
  return d;
}

TEST(P256Test, ScalarOneGivesTheGenerator) {
  auto key = P256PrivateKey::FromScalar(Scalar(1)).value();
  EXPECT_EQ(key.public_key().Hex(), kGeneratorHex);
  EXPECT_EQ(key.ExportScalar(), Scalar(1));
}

TEST(P256Test, RefusesOutOfRangeScalars) {
  EXPECT_EQ(Reason(P256PrivateKey::FromScalar(Scalar(0)).status()), "bad_private_key");
  EXPECT_EQ(Reason(P256PrivateKey::FromScalar(Bytes(31, 1)).status()), "bad_private_key");
  // n itself, and 2^256 - 1, are not scalars.
  Bytes n = HexDecode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551").value();
  EXPECT_EQ(Reason(P256PrivateKey::FromScalar(n).status()), "bad_private_key");
  EXPECT_EQ(Reason(P256PrivateKey::FromScalar(Bytes(32, 0xff)).status()), "bad_private_key");
  n[31] = 0x50;  // n - 1
  EXPECT_TRUE(P256PrivateKey::FromScalar(n).ok());
}

TEST(P256Test, GeneratedKeysRoundTripThroughTheirScalar) {
  auto a = P256PrivateKey::Generate().value();
  auto b = P256PrivateKey::Generate().value();
  EXPECT_NE(a.public_key(), b.public_key());
  auto again = P256PrivateKey::FromScalar(a.ExportScalar()).value();
  EXPECT_EQ(again.public_key(), a.public_key());
}

TEST(P256Test, PublicKeyParsingRefusesNonPoints) {
  Bytes g = HexDecode(kGeneratorHex).value();
  EXPECT_TRUE(P256PublicKey::FromSec1(g).ok());
  Bytes off = g;
  off[64] ^= 1;  // (x, y+1) is not on the curve
  EXPECT_EQ(Reason(P256PublicKey::FromSec1(off).status()), "bad_public_key");
  Bytes compressed(g.begin(), g.begin() + 33);
  compressed[0] = 0x02;
  EXPECT_EQ(Reason(P256PublicKey::FromSec1(compressed).status()), "bad_public_key");
  Bytes hybrid = g;
  hybrid[0] = 0x06;
  EXPECT_EQ(Reason(P256PublicKey::FromSec1(hybrid).status()), "bad_public_key");
  EXPECT_EQ(Reason(P256PublicKey::FromSec1(Bytes{0x00}).status()), "bad_public_key");
  EXPECT_EQ(Reason(P256PublicKey::FromSec1(Bytes(65, 0)).status()), "bad_public_key");
}

TEST(P256Test, SignVerifyRawSignatures) {
  auto key = P256PrivateKey::Generate().value();
  const Bytes msg = ToBytes("approve manifest");
  Bytes sig = key.Sign(msg).value();
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_TRUE(key.public_key().Verify(msg, sig).ok());
  EXPECT_EQ(Reason(key.public_key().Verify(ToBytes("other"), sig)), "bad_signature");
  Bytes flipped = sig;
  flipped[10] ^= 0x40;
  EXPECT_EQ(Reason(key.public_key().Verify(msg, flipped)), "bad_signature");
  EXPECT_EQ(Reason(key.public_key().Verify(msg, Bytes(64, 0))), "bad_signature");
  EXPECT_EQ(Reason(key.public_key().Verify(msg, Bytes(sig.begin(), sig.end() - 1))),
            "bad_signature");
  auto other = P256PrivateKey::Generate().value();
  EXPECT_EQ(Reason(other.public_key().Verify(msg, sig)), "bad_signature");
}

TEST(P256Test, EcdhAgreesBothWays) {
  auto a = P256PrivateKey::Generate().value();
  auto b = P256PrivateKey::Generate().value();
  Bytes ab = a.SharedSecret(b.public_key()).value();
  EXPECT_EQ(ab.size(), 32u);
  EXPECT_EQ(ab, b.SharedSecret(a.public_key()).value());
  // d = 1: the shared secret is the peer's x-coordinate.
  auto one = P256PrivateKey::FromScalar(Scalar(1)).value();
  Bytes x(b.public_key().view().begin() + 1, b.public_key().view().begin() + 33);
  EXPECT_EQ(one.SharedSecret(b.public_key()).value(), x);
}

// RFC 5869 Appendix A.1 (test case 1).
TEST(HkdfTest, Rfc5869TestCase1) {
  Bytes ikm(22, 0x0b);
  Bytes salt = HexDecode("000102030405060708090a0b0c").value();
  Bytes info = HexDecode("f0f1f2f3f4f5f6f7f8f9").value();
  EXPECT_EQ(HexEncode(HkdfSha256(ikm, salt, info, 42).value()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
            "34007208d5b887185865");
  EXPECT_FALSE(HkdfSha256(ikm, salt, info, 0).ok());
}

// RFC 5869 Appendix A.3 (test case 3: empty salt and info).
TEST(HkdfTest, Rfc5869TestCase3) {
  Bytes ikm(22, 0x0b);
  EXPECT_EQ(HexEncode(HkdfSha256(ikm, {}, {}, 42).value()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
            "9d201395faa4b61a96c8");
}

}  // namespace
}  // namespace ledger
