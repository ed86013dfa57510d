// The app proof payload against its spec vector (schemas/formats/app-proof.md).
#include <gtest/gtest.h>

#include "ledger/crypto/p256.h"
#include "notary/app_proof.h"

namespace notary {
namespace {

AppProofFields VectorFields() {
  AppProofFields f;
  f.origin = "example.com/log";
  f.size = 5;
  f.root.bytes.fill(0x11);
  f.first_index = 3;
  f.count = 2;
  f.checkpoint_digest.bytes.fill(0x22);
  return f;
}

TEST(AppProofTest, MatchesTheSpecVector) {
  const std::string want =
      "{\"scheme\":\"audit-ledger/app-proof/v1\",\"origin\":\"example.com/log\",\"size\":5,"
      "\"root\":\"1111111111111111111111111111111111111111111111111111111111111111\","
      "\"first_index\":3,\"count\":2,"
      "\"checkpoint_digest\":\"2222222222222222222222222222222222222222222222222222222222222222\"}";
  EXPECT_EQ(AppProofPayload(VectorFields()).value(), want);
  EXPECT_EQ(ledger::Sha256::Digest(want).Hex(),
            "4080221f6265324e12f95bff6183e2269a3e5e7eb419ac47124575b5098e3359");
}

TEST(AppProofTest, EscapesQuoteAndBackslashAndRefusesBadOrigins) {
  auto f = VectorFields();
  f.origin = "a\"b\\c";
  EXPECT_NE(AppProofPayload(f).value().find("\"origin\":\"a\\\"b\\\\c\""), std::string::npos);
  f.origin = "has space";
  EXPECT_FALSE(AppProofPayload(f).ok());
}

TEST(AppProofTest, VerifiesOnlyTheRightPayloadAndSignature) {
  auto key = ledger::P256PrivateKey::Generate().value();
  const std::string note = "example.com/log\n5\nERERERERERERERERERERERERERERERERERERERERERE=\n\n"
                           "\xe2\x80\x94 example.com/log AAAAAAAA\n";
  // The checkpoint note need not verify here; only its text and digest matter.
  AppProofFields f = VectorFields();
  f.checkpoint_digest = ledger::Sha256::Digest(note);
  std::string payload = AppProofPayload(f).value();
  auto sig = key.Sign(ledger::AsBytes(payload)).value();
  auto pub = key.public_key().view();
  EXPECT_TRUE(VerifyAppProof(note, 3, 2, ledger::AsBytes(payload), sig, pub).ok());
  EXPECT_EQ(VerifyAppProof(note, 3, 3, ledger::AsBytes(payload), sig, pub).reason(),
            "app_proof_mismatch");
  sig[5] ^= 1;
  EXPECT_EQ(VerifyAppProof(note, 3, 2, ledger::AsBytes(payload), sig, pub).reason(),
            "bad_signature");
}

}  // namespace
}  // namespace notary
