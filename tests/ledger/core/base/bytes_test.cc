#include "ledger/base/bytes.h"

#include <gtest/gtest.h>

#include "ledger/base/hash.h"
#include "ledger/crypto/ed25519.h"

namespace ledger {
namespace {

TEST(HexTest, RoundTripAndRejects) {
  Bytes b = {0x00, 0xab, 0xff};
  EXPECT_EQ(HexEncode(b), "00abff");
  EXPECT_EQ(HexDecode("00ABff").value(), b);
  EXPECT_EQ(HexDecode("abc").status().reason(), "bad_hex");
  EXPECT_EQ(HexDecode("zz").status().reason(), "bad_hex");
}

TEST(Base64Test, StrictDecoding) {
  EXPECT_EQ(Base64Encode(AsBytes("foob")), "Zm9vYg==");
  EXPECT_EQ(AsString(Base64Decode("Zm9vYg==").value()), "foob");
  EXPECT_EQ(Base64Decode("").value().size(), 0u);
  EXPECT_FALSE(Base64Decode("Zm9vYg=").ok());    // length not a multiple of 4
  EXPECT_FALSE(Base64Decode("Zm9vYh==").ok());   // non-zero trailing bits
  EXPECT_FALSE(Base64Decode("Zm9v Yg=").ok());   // whitespace
  EXPECT_FALSE(Base64Decode("Zm9-_g==").ok());   // URL-safe alphabet
  EXPECT_FALSE(Base64Decode("Zm=vYg==").ok());   // padding in the middle
}

TEST(ByteReaderTest, BoundsAndTrailing) {
  Bytes b = {1, 0, 2, 0, 0, 0, 3};
  ByteReader r(b, "bad_thing");
  EXPECT_EQ(r.U8().value(), 1);
  EXPECT_EQ(r.U16BE().value(), 2);
  EXPECT_FALSE(r.U64BE().ok());
  EXPECT_EQ(r.U32BE().value(), 3u);
  EXPECT_TRUE(r.ExpectEnd().ok());
  ByteReader r2(b, "bad_thing");
  ASSERT_TRUE(r2.U8().ok());
  EXPECT_EQ(r2.ExpectEnd().reason(), "bad_thing");
}

TEST(Sha256Test, KnownAnswers) {
  EXPECT_EQ(Sha256::Digest("").Hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 h;
  h.Update("a").Update("bc");
  EXPECT_EQ(h.Final().Hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hash::FromHex("00").status().reason(), "bad_hash_length");
}

// RFC 8032 §7.1 TEST 1.
TEST(Ed25519Test, Rfc8032Vector) {
  auto seed = HexDecode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").value();
  auto key = Ed25519PrivateKey::FromSeed(seed).value();
  EXPECT_EQ(HexEncode(key.public_key().view()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Bytes sig = key.Sign({});
  EXPECT_EQ(HexEncode(sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
            "701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(key.public_key().Verify({}, sig).ok());
  sig[0] ^= 1;
  EXPECT_EQ(key.public_key().Verify({}, sig).reason(), "bad_signature");
  EXPECT_EQ(key.public_key().Verify({}, ByteView(sig.data(), 10)).reason(), "bad_signature");
}

}  // namespace
}  // namespace ledger
