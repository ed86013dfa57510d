#include "ledger/note/cosignature.h"

#include <gtest/gtest.h>

#include <string>

#include "c2sp_test_util.h"
#include "ledger/note/checkpoint.h"

namespace ledger::note {
namespace {

using ledger::testing::KeyFromSeedHex;
using ledger::testing::LoadVectorJson;
using ledger::testing::TestKey;
using ledger::testing::VerifierFromVkey;

const std::string kText = "ledger.example/log\n7\nHm7Q1jioTyB8ijVHpsCOFGc5h8mgbHaowvdH1t3hEnc=\n";

TEST(CosignatureTest, MessageLayout) {
  // tlog-cosignature §Ed25519 signed message.
  EXPECT_EQ(CosignatureV1Message(kText, 1679315147), "cosignature/v1\ntime 1679315147\n" + kText);
  EXPECT_EQ(CosignatureV1Message(kText, 0), "cosignature/v1\ntime 0\n" + kText);
}

TEST(CosignatureTest, SignerMatchesTheWorkedExample) {
  auto v = LoadVectorJson("formats/checkpoint-example.json");
  CosignatureV1Signer signer(v["witness_name"], KeyFromSeedHex(v["witness_seed_hex"]));
  EXPECT_EQ(signer.key_id(), 0x20324abeu);
  EXPECT_EQ(signer.VerifierKey(), v["witness_vkey"]);
  uint64_t ts = v["cosignature_timestamp"];
  auto payload = signer.SignAt(v["text"].get<std::string>(), ts);
  ASSERT_TRUE(payload.ok()) << payload.status();
  ASSERT_EQ(payload->size(), kCosignatureV1PayloadSize);
  EXPECT_EQ(HexEncode(*payload), v["cosignature_payload_hex"]);
  EXPECT_EQ(LoadU64BE(payload->data()), ts);
  EXPECT_EQ(*CosignatureV1Timestamp(*payload), ts);
}

TEST(CosignatureTest, SignUsesTheClock) {
  uint64_t now = 1000;
  CosignatureV1Signer signer("w", TestKey(4), [&] { return now; });
  CosignatureV1Verifier verifier("w", TestKey(4).public_key());
  auto a = signer.Sign(kText).value();
  now = 2000;
  auto b = signer.Sign(kText).value();
  EXPECT_EQ(*verifier.VerifyTimestamped(kText, a), 1000u);
  EXPECT_EQ(*verifier.VerifyTimestamped(kText, b), 2000u);
  CosignatureV1Signer no_clock("w", TestKey(4), nullptr);
  EXPECT_EQ(no_clock.Sign(kText).status().reason(), "no_clock");
  EXPECT_GT(SystemClockSeconds(), 1700000000u);  // 2023-11-14
}

TEST(CosignatureTest, CosignsOnlyCheckpoints) {
  CosignatureV1Signer signer("w", TestKey(4));
  EXPECT_EQ(signer.SignAt("hello\n", 1).status().reason(), "malformed_checkpoint");
  EXPECT_EQ(signer.SignAt(kText, kMaxCosignatureTimestamp + 1).status().reason(), "bad_timestamp");
  EXPECT_TRUE(signer.SignAt(kText, kMaxCosignatureTimestamp).ok());
}

TEST(CosignatureTest, VerifierRejectsTampering) {
  CosignatureV1Signer signer("w", TestKey(4));
  auto verifier = VerifierFromVkey(signer.VerifierKey());
  ASSERT_EQ(verifier->alg(), kAlgCosignatureV1);
  Bytes p = signer.SignAt(kText, 42).value();
  EXPECT_TRUE(verifier->Verify(kText, p).ok());
  EXPECT_EQ(verifier->Verify(kText + "ext\n", p).reason(), "bad_signature");
  Bytes later = p;
  later[7] = 43;  // the timestamp is signed
  EXPECT_EQ(verifier->Verify(kText, later).reason(), "bad_signature");
  Bytes short_payload(p.begin(), p.end() - 1);
  EXPECT_EQ(verifier->Verify(kText, short_payload).reason(), "bad_signature");
  // A plain Ed25519 signature over the text is not a cosignature (domain
  // separation by the "cosignature/v1" header).
  Bytes plain(8, 0);
  Append(plain, TestKey(4).Sign(AsBytes(kText)));
  EXPECT_EQ(verifier->Verify(kText, plain).reason(), "bad_signature");
  // A timestamp above 2^63-1 is malformed even under a valid signature.
  Bytes huge = p;
  huge[0] = 0x80;
  EXPECT_EQ(CosignatureV1Timestamp(huge).status().reason(), "malformed_cosignature");
  EXPECT_EQ(verifier->Verify(kText, huge).reason(), "bad_signature");
}

TEST(CosignatureTest, SameKeyDifferentTypeHasDifferentKeyId) {
  // signed-note §Signatures: the type byte separates 0x01 and 0x04 keys.
  auto ed = NewEd25519Verifier("w", TestKey(4).public_key());
  auto co = NewCosignatureV1Verifier("w", TestKey(4).public_key());
  EXPECT_NE(ed->key_id(), co->key_id());
  EXPECT_EQ(co->key_id(), KeyId("w", kAlgCosignatureV1, TestKey(4).public_key().view()));
}

// Real cosignature: witness remora.n621.de on arche2025h1 (florolf/tlog-scales
// tests/test_signing.py, see tests/vectors/c2sp/PROVENANCE.md).
TEST(CosignatureTest, RealWitnessCosignatureWithTimestamp) {
  auto cases = LoadVectorJson("c2sp/signed-note-vectors.json")["cases"];
  for (const auto& c : cases) {
    if (c["kind"] != "cosignature-v1" || c["want_valid"] != true) continue;
    auto v = VerifierFromVkey(c["vkeys"][0]);
    auto* cosigner = dynamic_cast<const CosignatureV1Verifier*>(v.get());
    ASSERT_NE(cosigner, nullptr);
    Note n = Parse(c["note"].get<std::string>()).value();
    bool found = false;
    for (const Signature& s : n.signatures) {
      if (s.name != v->name() || s.key_id != v->key_id()) continue;
      auto ts = cosigner->VerifyTimestamped(n.text, s.payload);
      ASSERT_TRUE(ts.ok()) << ts.status();
      EXPECT_EQ(*ts, 1779573024u);
      found = true;
    }
    EXPECT_TRUE(found);
  }
}

}  // namespace
}  // namespace ledger::note
