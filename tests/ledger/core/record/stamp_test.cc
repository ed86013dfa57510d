#include "ledger/record/stamp.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/base/hash.h"
#include "ledger/note/ecdsa_note.h"
#include "ledger_test_paths.h"

namespace ledger {
namespace {

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }

nlohmann::json Vector() {
  std::ifstream in(LEDGER_TEST_VECTORS "/formats/stamp-example.json");
  LEDGER_CHECK(static_cast<bool>(in));
  return nlohmann::json::parse(in);
}
Bytes Hex(const nlohmann::json& j) { return HexDecode(j.get<std::string>()).value(); }

std::unique_ptr<note::Signer> SignerFromSeed(std::string name, uint8_t fill) {
  Bytes seed(32, fill);
  return note::NewEd25519Signer(std::move(name), Ed25519PrivateKey::FromSeed(seed).value());
}
std::unique_ptr<note::Verifier> VerifierOf(const note::Signer& s) {
  return note::ParseVerifierKey(s.VerifierKey()).value();
}

constexpr std::string_view kOrigin = "log.example/test";
const Bytes kEvent = {1, 2, 3};

// The worked example of stamp.md §4, with a key from a fixed seed.
TEST(StampTest, WorkedExampleVector) {
  auto v = Vector();
  auto key = Ed25519PrivateKey::FromSeed(Hex(v["seed_hex"])).value();
  EXPECT_EQ(HexEncode(key.public_key().view()), v["public_key_hex"].get<std::string>());
  std::string name = v["key_name"];
  auto signer = note::NewEd25519Signer(name, std::move(key));
  EXPECT_EQ(signer->VerifierKey(), v["vkey"].get<std::string>());
  Bytes key_id;
  AppendU32BE(key_id, signer->key_id());
  EXPECT_EQ(HexEncode(key_id), v["key_id_hex"].get<std::string>());

  std::string origin = v["origin"];
  Bytes event = Hex(v["event_hex"]);
  EXPECT_EQ(StampText(origin, event), v["stamp_text"].get<std::string>());
  // Ed25519 is deterministic, so the stamp is byte-exact.
  Bytes stamp = MakeStamp(origin, event, *signer).value();
  EXPECT_EQ(HexEncode(stamp), v["stamp_hex"].get<std::string>());

  Stamp decoded = DecodeStamp(stamp).value();
  EXPECT_EQ(decoded.key_name, name);
  EXPECT_EQ(decoded.key_id, signer->key_id());
  EXPECT_EQ(HexEncode(decoded.payload), v["signature_hex"].get<std::string>());
  EXPECT_EQ(EncodeStamp(decoded).value(), stamp);

  auto verifier = note::ParseVerifierKey(v["vkey"].get<std::string>()).value();
  const note::Verifier* known[] = {verifier.get()};
  EXPECT_EQ(VerifyStamp(origin, event, stamp, known).value(), verifier.get());
  // The raw signature verifies over the stamp text with the public key alone.
  auto pub = Ed25519PublicKey::FromBytes(Hex(v["public_key_hex"])).value();
  EXPECT_TRUE(pub.Verify(AsBytes(v["stamp_text"].get<std::string>()), decoded.payload).ok());
}

// The worked examples of stamp.md §5 (python-cryptography, randomized ECDSA:
// verified, and for secp256k1 reproduced through RFC 6979).
TEST(StampTest, EcdsaWorkedExamples) {
  std::ifstream in(LEDGER_TEST_VECTORS "/formats/stamp-ecdsa-examples.json");
  ASSERT_TRUE(static_cast<bool>(in));
  auto v = nlohmann::json::parse(in);
  std::string origin = v["origin"];
  Bytes event = Hex(v["event_hex"]);
  ASSERT_EQ(v["cases"].size(), 2u);
  for (const auto& c : v["cases"]) {
    SCOPED_TRACE(c["alg"].get<std::string>());
    auto verifier = note::ParseVerifierKey(c["vkey"].get<std::string>()).value();
    Bytes key_id;
    AppendU32BE(key_id, verifier->key_id());
    EXPECT_EQ(HexEncode(key_id), c["key_id_hex"].get<std::string>());
    EXPECT_EQ(StampText(origin, event), c["stamp_text"].get<std::string>());
    Bytes stamp = Hex(c["stamp_hex"]);
    Stamp decoded = DecodeStamp(stamp).value();
    EXPECT_EQ(decoded.key_name, c["key_name"].get<std::string>());
    EXPECT_EQ(HexEncode(decoded.payload), c["signature_hex"].get<std::string>());
    EXPECT_EQ(EncodeStamp(decoded).value(), stamp);
    const note::Verifier* known[] = {verifier.get()};
    EXPECT_EQ(VerifyStamp(origin, event, stamp, known).value(), verifier.get());
    // The high-s twin is valid ECDSA but not a stamp (stamp.md §3).
    Stamp high = decoded;
    high.payload = Hex(c["high_s_signature_hex"]);
    EXPECT_EQ(Reason(VerifyStamp(origin, event, EncodeStamp(high).value(), known).status()),
              "bad_stamp");
    // The same key signs a fresh stamp that verifies.
    Bytes secret = Hex(c["secret_hex"]);
    std::unique_ptr<note::Signer> signer =
        c["alg"] == "p256"
            ? note::NewP256Signer(c["key_name"], P256PrivateKey::FromScalar(secret).value())
            : note::NewSecp256k1Signer(c["key_name"], secret).value();
    EXPECT_EQ(signer->VerifierKey(), c["vkey"].get<std::string>());
    Bytes fresh = MakeStamp(origin, event, *signer).value();
    EXPECT_EQ(VerifyStamp(origin, event, fresh, known).value(), verifier.get());
    EXPECT_EQ(Reason(VerifyStamp("other.example/log", event, fresh, known).status()), "bad_stamp");
    if (c.contains("rfc6979_signature_hex")) {
      EXPECT_EQ(HexEncode(DecodeStamp(fresh).value().payload),
                c["rfc6979_signature_hex"].get<std::string>());
    }
  }
}

TEST(StampTest, AcceptsTheThreeKeyTypes) {
  std::unique_ptr<note::Signer> signers[] = {
      SignerFromSeed("svc", 1),
      note::NewP256Signer("svc", P256PrivateKey::FromScalar(Bytes(32, 1)).value()),
      note::NewSecp256k1Signer("svc", Bytes(32, 1)).value()};
  std::vector<std::unique_ptr<note::Verifier>> verifiers;
  std::vector<const note::Verifier*> known;
  for (const auto& s : signers) {
    verifiers.push_back(VerifierOf(*s));
    known.push_back(verifiers.back().get());
  }
  EXPECT_EQ(known[0]->alg(), note::kAlgEd25519);
  EXPECT_EQ(known[1]->alg(), note::kAlgECDSA);
  EXPECT_EQ(known[2]->alg(), note::kAlgPrivate);
  for (size_t i = 0; i < 3; ++i) {
    Bytes stamp = MakeStamp(kOrigin, kEvent, *signers[i]).value();
    EXPECT_EQ(VerifyStamp(kOrigin, kEvent, stamp, known).value(), known[i]) << i;
    EXPECT_EQ(Reason(VerifyStamp(kOrigin, Bytes{9}, stamp, known).status()), "bad_stamp") << i;
    // Another type's signature under this key's name and ID.
    Stamp swapped = DecodeStamp(stamp).value();
    swapped.payload = DecodeStamp(MakeStamp(kOrigin, kEvent, *signers[(i + 1) % 3]).value())
                          .value()
                          .payload;
    EXPECT_EQ(Reason(VerifyStamp(kOrigin, kEvent, EncodeStamp(swapped).value(), known).status()),
              "bad_stamp")
        << i;
  }
}

TEST(StampTest, TextBindsOriginAndEventHash) {
  EXPECT_EQ(StampText("a/b", AsBytes("")),
            "audit-ledger/stamp/v1\na/b\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
}

TEST(StampTest, VerifyPicksTheSigner) {
  auto alice = SignerFromSeed("alice", 1), bob = SignerFromSeed("bob", 2);
  auto va = VerifierOf(*alice), vb = VerifierOf(*bob);
  const note::Verifier* known[] = {va.get(), vb.get()};
  Bytes by_bob = MakeStamp(kOrigin, kEvent, *bob).value();
  EXPECT_EQ(VerifyStamp(kOrigin, kEvent, by_bob, known).value(), vb.get());
  Bytes by_alice = MakeStamp(kOrigin, kEvent, *alice).value();
  EXPECT_EQ(VerifyStamp(kOrigin, kEvent, by_alice, known).value(), va.get());
}

TEST(StampTest, VerifyFailures) {
  auto alice = SignerFromSeed("alice", 1);
  auto va = VerifierOf(*alice);
  const note::Verifier* known[] = {nullptr, va.get()};
  Bytes stamp = MakeStamp(kOrigin, kEvent, *alice).value();
  auto verify = [&](std::string_view origin, const Bytes& event, const Bytes& s,
                    std::span<const note::Verifier* const> keys) {
    return Reason(VerifyStamp(origin, event, s, keys).status());
  };
  EXPECT_EQ(verify(kOrigin, kEvent, stamp, known), "ok");
  // Replayed into another log, or over another event.
  EXPECT_EQ(verify("log.example/other", kEvent, stamp, known), "bad_stamp");
  EXPECT_EQ(verify(kOrigin, Bytes{1, 2, 4}, stamp, known), "bad_stamp");
  // A flipped signature bit.
  Bytes flipped = stamp;
  flipped.back() ^= 1;
  EXPECT_EQ(verify(kOrigin, kEvent, flipped, known), "bad_stamp");
  EXPECT_EQ(VerifyStamp(kOrigin, kEvent, flipped, known).status().code(),
            Code::kVerificationFailed);
  // Nobody known, or a different key under the same name (other key ID).
  EXPECT_EQ(verify(kOrigin, kEvent, stamp, {}), "unknown_submitter");
  auto impostor = VerifierOf(*SignerFromSeed("alice", 9));
  const note::Verifier* only_impostor[] = {impostor.get()};
  EXPECT_EQ(verify(kOrigin, kEvent, stamp, only_impostor), "unknown_submitter");
  // Same key ID under another name.
  Stamp renamed = DecodeStamp(stamp).value();
  renamed.key_name = "mallory";
  EXPECT_EQ(verify(kOrigin, kEvent, EncodeStamp(renamed).value(), known), "unknown_submitter");
  // Unstamped and malformed.
  EXPECT_EQ(verify(kOrigin, kEvent, {}, known), "missing_stamp");
  EXPECT_EQ(verify(kOrigin, kEvent, {1}, known), "malformed_stamp");
}

TEST(StampTest, DecodeIsStrict) {
  auto alice = SignerFromSeed("alice", 1);
  Bytes good = MakeStamp(kOrigin, kEvent, *alice).value();
  ASSERT_EQ(good.size(), 1 + 1 + 5 + 4 + 2 + 64u);
  for (size_t n = 0; n < good.size(); ++n) {
    Bytes prefix(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(Reason(DecodeStamp(prefix).status()), "malformed_stamp") << n;
  }
  auto mutated = [&](auto mutate) {
    Bytes b = good;
    mutate(b);
    return Reason(DecodeStamp(b).status());
  };
  EXPECT_EQ(mutated([](Bytes& b) { b.push_back(0); }), "malformed_stamp");
  EXPECT_EQ(mutated([](Bytes& b) { b[0] = 0; }), "malformed_stamp");
  EXPECT_EQ(mutated([](Bytes& b) { b[0] = 2; }), "malformed_stamp");
  EXPECT_EQ(mutated([](Bytes& b) { b[2] = ' '; }), "malformed_stamp");  // space in name
  EXPECT_EQ(mutated([](Bytes& b) { b[2] = '+'; }), "malformed_stamp");
  EXPECT_EQ(mutated([](Bytes& b) { b[2] = 0xff; }), "malformed_stamp");  // not UTF-8
  // Name length 0: version || 0 || key id || payload.
  Bytes no_name = {1, 0, 0, 0, 0, 1, 0, 1, 7};
  EXPECT_EQ(Reason(DecodeStamp(no_name).status()), "malformed_stamp");
  // Payload length 0.
  Bytes no_payload = {1, 1, 'a', 0, 0, 0, 1, 0, 0};
  EXPECT_EQ(Reason(DecodeStamp(no_payload).status()), "malformed_stamp");
  Bytes one_byte_payload = {1, 1, 'a', 0, 0, 0, 1, 0, 1, 7};
  Stamp s = DecodeStamp(one_byte_payload).value();
  EXPECT_EQ(s, (Stamp{"a", 1, {7}}));
  EXPECT_EQ(EncodeStamp(s).value(), one_byte_payload);
}

TEST(StampTest, EncodeLimits) {
  EXPECT_EQ(Reason(EncodeStamp({std::string(255, 'n'), 1, Bytes(65535, 1)}).status()), "ok");
  Bytes max = EncodeStamp({std::string(255, 'n'), 1, Bytes(65535, 1)}).value();
  EXPECT_EQ(DecodeStamp(max).value().payload.size(), 65535u);
  EXPECT_EQ(Reason(EncodeStamp({std::string(256, 'n'), 1, {1}}).status()), "bad_key_name");
  EXPECT_EQ(Reason(EncodeStamp({"", 1, {1}}).status()), "bad_key_name");
  EXPECT_EQ(Reason(EncodeStamp({"a b", 1, {1}}).status()), "bad_key_name");
  EXPECT_EQ(Reason(EncodeStamp({"a", 1, {}}).status()), "bad_stamp_payload");
  EXPECT_EQ(Reason(EncodeStamp({"a", 1, Bytes(65536, 1)}).status()), "bad_stamp_payload");
  // A signer whose name could never be stored is refused before it signs.
  auto long_name = SignerFromSeed(std::string(256, 'n'), 3);
  EXPECT_EQ(Reason(MakeStamp(kOrigin, kEvent, *long_name).status()), "bad_key_name");
  auto ok_name = SignerFromSeed(std::string(255, 'n'), 3);
  EXPECT_EQ(Reason(MakeStamp(kOrigin, kEvent, *ok_name).status()), "ok");
}

}  // namespace
}  // namespace ledger
