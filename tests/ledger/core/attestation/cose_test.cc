#include "ledger/attestation/cose.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/crypto/p384.h"
#include "ledger_test_paths.h"

namespace ledger::cose {
namespace {

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }

nlohmann::json Vector() {
  std::ifstream in(LEDGER_TEST_VECTORS "/nitro/cose_es384_vector.json");
  LEDGER_CHECK(static_cast<bool>(in));
  return nlohmann::json::parse(in);
}
Bytes Hex(const nlohmann::json& j) { return HexDecode(j.get<std::string>()).value(); }

Bytes Sha384(ByteView data) {
  Bytes out(48);
  unsigned int len = 0;
  LEDGER_CHECK(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha384(), nullptr) == 1);
  return out;
}

P384PublicKey VectorKey(const nlohmann::json& v) {
  return P384PublicKey::FromAffine(Hex(v["public_key_x_hex"]), Hex(v["public_key_y_hex"])).value();
}

// awslabs/aws-nitro-enclaves-cose cose_sign1_ec384_validate: the known answer.
TEST(Cose, KnownAnswerVector) {
  const auto v = Vector();
  const Bytes cose = Hex(v["cose_sign1_hex"]);
  auto sign1 = ParseSign1(cose);
  ASSERT_TRUE(sign1.ok()) << sign1.status();
  EXPECT_FALSE(sign1->tagged);
  EXPECT_EQ(sign1->protected_header, Hex(v["protected_header_bstr_hex"]));
  EXPECT_EQ(sign1->payload, Hex(v["payload_hex"]));
  EXPECT_EQ(HexEncode(sign1->signature),
            v["signature_r_hex"].get<std::string>() + v["signature_s_hex"].get<std::string>());
  ASSERT_NE(sign1->unprotected.FindInt(4), nullptr);  // kid
  EXPECT_EQ(AsString(sign1->unprotected.FindInt(4)->bytes), "11");
  EXPECT_EQ(sign1->to_be_signed, Hex(v["sig_structure_hex"]));
  EXPECT_EQ(Sha384(sign1->to_be_signed), Hex(v["sig_structure_sha384_hex"]));
  EXPECT_EQ(SigStructure(sign1->protected_header, sign1->payload), sign1->to_be_signed);
  EXPECT_TRUE(VerifySign1(*sign1, VectorKey(v)).ok());
}

TEST(Cose, TaggedFormVerifies) {
  const auto v = Vector();
  Bytes cose{0xd2};
  Append(cose, Hex(v["cose_sign1_hex"]));
  auto sign1 = ParseSign1(cose);
  ASSERT_TRUE(sign1.ok()) << sign1.status();
  EXPECT_TRUE(sign1->tagged);
  EXPECT_TRUE(VerifySign1(*sign1, VectorKey(v)).ok());
  cose[0] = 0xd3;  // tag 19 is COSE_Mac0, not ours
  EXPECT_EQ(Reason(ParseSign1(cose).status()), "malformed_cose");
}

TEST(Cose, SignThenVerifyWithTheVectorKey) {
  const auto v = Vector();
  auto key = P384PrivateKey::FromScalar(Hex(v["private_key_d_hex"]));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_TRUE(key->public_key() == VectorKey(v));
  for (bool tagged : {false, true}) {
    auto cose = SignSign1(AsBytes("payload"), *key, tagged);
    ASSERT_TRUE(cose.ok()) << cose.status();
    // 84 44 a1013822 a0 47 "payload" 58 60 <r||s>
    const std::string hex = HexEncode(*cose);
    const std::string prefix = std::string(tagged ? "d2" : "") + "8444a1013822a047";
    EXPECT_EQ(hex.substr(0, prefix.size()), prefix);
    auto sign1 = ParseSign1(*cose);
    ASSERT_TRUE(sign1.ok()) << sign1.status();
    EXPECT_TRUE(VerifySign1(*sign1, VectorKey(v)).ok());
    auto other = P384PrivateKey::Generate().value();
    EXPECT_EQ(Reason(VerifySign1(*sign1, other.public_key())), "bad_cose_signature");
  }
}

TEST(Cose, TamperingFails) {
  const auto v = Vector();
  const Bytes cose = Hex(v["cose_sign1_hex"]);
  // Every single-bit change fails, whatever stage notices it, except in the
  // unprotected header (bytes 6..10: a1 04 42 3131, the kid), which RFC 9052
  // §3 leaves unsigned on purpose: nothing may depend on it.
  for (size_t i = 0; i < cose.size(); ++i) {
    if (i >= 7 && i <= 10) continue;
    Bytes bad = cose;
    bad[i] ^= 0x01;
    auto sign1 = ParseSign1(bad);
    EXPECT_FALSE(sign1.ok() && VerifySign1(*sign1, VectorKey(v)).ok()) << "byte " << i;
  }
}

TEST(Cose, RejectsMalformedEnvelopes) {
  const Bytes sig(96, 0x01);
  auto build = [&](std::string_view prot, std::string_view unprot, std::string_view payload,
                   size_t sig_len) {
    Bytes out = HexDecode(std::string("84") + std::string(prot) + std::string(unprot) +
                          std::string(payload))
                    .value();
    cbor::AppendHead(out, 2, sig_len);
    out.insert(out.end(), sig.begin(), sig.begin() + static_cast<long>(sig_len));
    return out;
  };
  EXPECT_TRUE(ParseSign1(build("44a1013822", "a0", "4100", 96)).ok());
  EXPECT_EQ(Reason(ParseSign1(build("44a1013822", "a0", "4100", 95)).status()), "malformed_cose");
  EXPECT_EQ(Reason(ParseSign1(build("44a1013822", "a0", "f6", 96)).status()), "malformed_cose");
  EXPECT_EQ(Reason(ParseSign1(build("44a1013822", "a0", "5f4100ff", 96)).status()),
            "malformed_cose");  // indefinite payload
  EXPECT_EQ(Reason(ParseSign1(build("44a1013822", "80", "4100", 96)).status()), "malformed_cose");
  EXPECT_EQ(Reason(ParseSign1(build("a1013822", "a0", "4100", 96)).status()), "malformed_cose");
  EXPECT_EQ(Reason(ParseSign1(build("43a10126", "a0", "4100", 96)).status()),
            "unsupported_cose_algorithm");  // ES256
  EXPECT_EQ(Reason(ParseSign1(build("40", "a0", "4100", 96)).status()),
            "unsupported_cose_algorithm");  // no protected header at all
  EXPECT_EQ(Reason(ParseSign1(build("44a1013822", "a1013822", "4100", 96)).status()),
            "malformed_cose");  // alg in both buckets
  EXPECT_EQ(Reason(ParseSign1(build("47a201382202810c", "a0", "4100", 96)).status()),
            "malformed_cose");  // crit
  EXPECT_EQ(Reason(ParseSign1(build("45a1013822ff", "a0", "4100", 96)).status()),
            "malformed_cbor");  // protected header with trailing bytes
  Bytes trailing = build("44a1013822", "a0", "4100", 96);
  trailing.push_back(0x00);
  EXPECT_EQ(Reason(ParseSign1(trailing).status()), "malformed_cbor");
  EXPECT_EQ(Reason(ParseSign1(HexDecode("83404040").value()).status()), "malformed_cose");
}

TEST(P384, Keys) {
  EXPECT_EQ(Reason(P384PrivateKey::FromScalar(Bytes(48, 0)).status()), "bad_private_key");
  EXPECT_EQ(Reason(P384PrivateKey::FromScalar(Bytes(48, 0xff)).status()), "bad_private_key");
  EXPECT_EQ(Reason(P384PrivateKey::FromScalar(Bytes(47, 1)).status()), "bad_private_key");
  EXPECT_EQ(Reason(P384PublicKey::FromAffine(Bytes(48, 1), Bytes(48, 2)).status()),
            "bad_public_key");  // not on the curve
  EXPECT_EQ(Reason(P384PublicKey::FromSpki(Bytes{0x30, 0x00}).status()), "bad_public_key");
  auto key = P384PrivateKey::Generate().value();
  auto spki = P384PublicKey::FromSpki(key.public_key().Spki());
  ASSERT_TRUE(spki.ok());
  EXPECT_TRUE(*spki == key.public_key());
  auto pem = key.ToPem().value();
  auto again = P384PrivateKey::FromPem(pem);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->public_key() == key.public_key());
  const Bytes sig = key.Sign(AsBytes("m")).value();
  ASSERT_EQ(sig.size(), 96u);
  EXPECT_TRUE(key.public_key().Verify(AsBytes("m"), sig).ok());
  EXPECT_EQ(Reason(key.public_key().Verify(AsBytes("n"), sig)), "bad_signature");
  EXPECT_EQ(Reason(key.public_key().Verify(AsBytes("m"), Bytes(96, 0))), "bad_signature");
  P384PublicKey copy = key.public_key();
  EXPECT_TRUE(copy == key.public_key());
}

}  // namespace
}  // namespace ledger::cose
