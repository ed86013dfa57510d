#include "ledger/note/ecdsa_note.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "ledger/base/hash.h"
#include "ledger_test_paths.h"

namespace ledger::note {
namespace {

constexpr char kDash[] = "\xE2\x80\x94";  // U+2014
const std::string kText = "audit-ledger/stamp/v1\nlog.example/test\nabc\n";

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }

nlohmann::json Cases() {
  std::ifstream in(LEDGER_TEST_VECTORS "/formats/stamp-ecdsa-examples.json");
  LEDGER_CHECK(static_cast<bool>(in));
  return nlohmann::json::parse(in)["cases"];
}
Bytes Hex(const nlohmann::json& j) { return HexDecode(j.get<std::string>()).value(); }

std::unique_ptr<Signer> P256(std::string name, uint8_t fill) {
  return NewP256Signer(std::move(name), P256PrivateKey::FromScalar(Bytes(32, fill)).value());
}
std::unique_ptr<Signer> K1(std::string name, uint8_t fill) {
  return NewSecp256k1Signer(std::move(name), Bytes(32, fill)).value();
}
std::string VkeyOf(std::string_view name, std::string_view id, const Bytes& material) {
  return std::string(name) + "+" + std::string(id) + "+" + Base64Encode(material);
}
std::string ParseReason(const std::string& vkey) { return Reason(ParseVerifierKey(vkey).status()); }

// transparency-dev/formats note/note_verifier_test.go (Sigstore's Rekor log
// key and one of its checkpoints; the Pixel 6 transparency log key and note):
// type 0x02 interoperates with the implementation signed-note names.
TEST(EcdsaNoteTest, VerifiesTransparencyDevEcdsaNotes) {
  struct Case {
    std::string vkey, text, sig_line;
  } cases[] = {
      {"rekor.sigstore.dev+c0d23d6a+"
       "AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBc"
       "K5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=",
       "Rekor\n798034\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n",
       "rekor.sigstore.dev "
       "wNI9ajBEAiARInWIWyCdyG27CO6LPnPekyw20qO0YJfoaPaowGp/XgIgc+qEHS3+GKVClgqq20u"
       "DLet7MCoTURUCRdxwWBHHufk="},
      {"pixel6_transparency_log+91c16e30+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABN+"
       "4x0Jk1yTwvLFI9A4NDdGZ"
       "cX0aiWVdWM5XJVy0M4VWD3AvyW5Q6Hs9A0mcDkpUoYgn+KKPNzFC0H3nN3q6JQ8=",
       "DEFAULT\n10\nbsWRucJU5xJPHb5eBdOm6+DM+VelCZBuvtI3sHERJ9Y=\n",
       "pixel6_transparency_log "
       "kcFuMDBFAiEAhqMAP8P6qf6QxtUJhzMhbN+MbZ9dwfUHzGQJmffJHtoCIGD0cNe47dHWB"
       "oPwYdgBCepB06/+g5O1FmYjXl06owL4"},
  };
  for (const Case& c : cases) {
    auto v = ParseVerifierKey(c.vkey);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ((*v)->alg(), kAlgECDSA);
    EXPECT_EQ((*v)->VerifierKey(), c.vkey);  // round trip, key ID included
    const Verifier* known[] = {v->get()};
    std::string note = c.text + "\n" + kDash + " " + c.sig_line + "\n";
    auto opened = Open(Parse(note).value(), known);
    EXPECT_TRUE(opened.ok()) << opened.status();
    // Another text under the same signature fails.
    EXPECT_EQ(Reason(Open(Parse("x\n" + note).value(), known).status()), "bad_signature");
  }
}

TEST(EcdsaNoteTest, SignVerifyAndVkeyRoundTrip) {
  std::unique_ptr<Signer> signers[] = {P256("p.example/a", 1), K1("k.example/a", 1)};
  for (const auto& signer : signers) {
    auto v = ParseVerifierKey(signer->VerifierKey());
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ((*v)->name(), signer->name());
    EXPECT_EQ((*v)->key_id(), signer->key_id());
    EXPECT_EQ((*v)->VerifierKey(), signer->VerifierKey());
    Signature sig = SignText(kText, *signer).value();
    Note n{kText, {sig}};
    const Verifier* known[] = {v->get()};
    auto opened = Open(Parse(Format(n)).value(), known);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(Reason((*v)->Verify(kText, sig.payload)), "ok");
    EXPECT_EQ(Reason((*v)->Verify(kText + "x\n", sig.payload)), "bad_signature");
    // Another key of the same type and name: another key ID, and no match.
    auto other = (*v)->alg() == kAlgECDSA ? P256(signer->name(), 2) : K1(signer->name(), 2);
    EXPECT_NE(other->key_id(), signer->key_id());
    auto ov = ParseVerifierKey(other->VerifierKey()).value();
    EXPECT_EQ(Reason(ov->Verify(kText, sig.payload)), "bad_signature");
  }
}

TEST(EcdsaNoteTest, KeyIdConventions) {
  // 0x02: SHA-256(SubjectPublicKeyInfo)[:4], independent of the name.
  auto p = P256PrivateKey::FromScalar(Bytes(32, 1)).value();
  Bytes spki = P256SubjectPublicKeyInfo(p.public_key());
  ASSERT_EQ(spki.size(), 91u);
  uint32_t want = LoadU32BE(Sha256::Digest(spki).bytes.data());
  EXPECT_EQ(NewP256Verifier("a", p.public_key())->key_id(), want);
  EXPECT_EQ(NewP256Verifier("b", p.public_key())->key_id(), want);
  // 0xff: signed-note's recommendation with the identifier as part of the type.
  auto k = K1("k", 1);
  Bytes material = Base64Decode(k->VerifierKey().substr(k->VerifierKey().rfind('+') + 1)).value();
  ASSERT_EQ(material.size(), 1 + kSecp256k1Identifier.size() + 33);
  EXPECT_EQ(material[0], kAlgPrivate);
  EXPECT_EQ(k->key_id(), KeyId("k", kAlgPrivate, ByteView(material).subspan(1)));
}

TEST(EcdsaNoteTest, WrongKeyIdsAreRejected) {
  std::unique_ptr<Signer> signers[] = {P256("p", 3), K1("k", 3)};
  for (const auto& signer : signers) {
    std::string vkey = signer->VerifierKey();
    size_t p1 = vkey.find('+');
    std::string id = vkey.substr(p1 + 1, 8);
    std::string rest = vkey.substr(p1 + 9);
    std::string flipped = id;
    flipped[7] = flipped[7] == '0' ? '1' : '0';
    EXPECT_EQ(ParseReason(vkey.substr(0, p1 + 1) + flipped + rest), "bad_verifier_key");
    EXPECT_EQ(ParseReason(vkey.substr(0, p1 + 1) + "00000000" + rest), "bad_verifier_key");
  }
  // For 0xff the ID binds the name; renaming the key needs a new ID.
  auto k = K1("k", 3);
  std::string vkey = k->VerifierKey();
  EXPECT_EQ(ParseReason("j" + vkey.substr(1)), "bad_verifier_key");
}

TEST(EcdsaNoteTest, MalformedKeysAreRejected) {
  auto p = P256PrivateKey::FromScalar(Bytes(32, 1)).value();
  Bytes good = {kAlgECDSA};
  Append(good, P256SubjectPublicKeyInfo(p.public_key()));
  auto with_id = [](const Bytes& material) {
    // A vkey whose ID matches, so that only the key itself is at fault.
    Bytes id;
    AppendU32BE(id, LoadU32BE(Sha256::Digest(ByteView(material).subspan(1)).bytes.data()));
    return VkeyOf("p", HexEncode(id), material);
  };
  EXPECT_EQ(ParseReason(with_id(good)), "ok");
  auto p256_mutant = [&](auto mutate) {
    Bytes m = good;
    mutate(m);
    return ParseReason(with_id(m));
  };
  EXPECT_EQ(p256_mutant([](Bytes& m) { m.pop_back(); }), "bad_verifier_key");
  EXPECT_EQ(p256_mutant([](Bytes& m) { m.push_back(0); }), "bad_verifier_key");
  EXPECT_EQ(p256_mutant([](Bytes& m) { m.back() ^= 1; }), "bad_verifier_key");     // off the curve
  EXPECT_EQ(p256_mutant([](Bytes& m) { m[1 + 26] = 0x02; }), "bad_verifier_key");  // not 0x04
  EXPECT_EQ(p256_mutant([](Bytes& m) { m[1 + 22] = 0x08; }), "bad_verifier_key");  // other OID
  EXPECT_EQ(p256_mutant([](Bytes& m) { m.resize(1); }), "bad_verifier_key");
  // The point at infinity cannot be written as 0x04 || X || Y.
  EXPECT_EQ(p256_mutant([](Bytes& m) { std::fill(m.begin() + 28, m.end(), 0); }),
            "bad_verifier_key");

  auto k = K1("k", 1);
  std::string vk = k->VerifierKey();
  Bytes kgood = Base64Decode(vk.substr(vk.rfind('+') + 1)).value();
  auto k1_mutant = [&](auto mutate) {
    Bytes m = kgood;
    mutate(m);
    Bytes id;
    AppendU32BE(id, KeyId("k", m[0], ByteView(m).subspan(1)));
    return ParseReason(VkeyOf("k", HexEncode(id), m));
  };
  EXPECT_EQ(k1_mutant([](Bytes&) {}), "ok");
  size_t at = 1 + kSecp256k1Identifier.size();
  EXPECT_EQ(k1_mutant([](Bytes& m) { m.pop_back(); }), "bad_verifier_key");
  EXPECT_EQ(k1_mutant([](Bytes& m) { m.push_back(0); }), "bad_verifier_key");
  EXPECT_EQ(k1_mutant([&](Bytes& m) { m[at] = 0x04; }), "bad_verifier_key");
  EXPECT_EQ(k1_mutant([&](Bytes& m) { m[at] = 0x06; }), "bad_verifier_key");
  EXPECT_EQ(k1_mutant([&](Bytes& m) { m[2] ^= 0x20; }), "bad_verifier_key");  // identifier
  EXPECT_EQ(k1_mutant([&](Bytes& m) { m.resize(at); }), "bad_verifier_key");
  EXPECT_EQ(k1_mutant([&](Bytes& m) { m.resize(5); }), "bad_verifier_key");
  // x = 5: 5^3 + 7 is not a square mod p; x = p is not a field element.
  EXPECT_EQ(k1_mutant([&](Bytes& m) {
              std::fill(m.begin() + static_cast<std::ptrdiff_t>(at) + 1, m.end(), 0);
              m.back() = 5;
            }),
            "bad_verifier_key");
  EXPECT_EQ(
      k1_mutant([&](Bytes& m) {
        Bytes p_bytes =
            HexDecode("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f").value();
        std::copy(p_bytes.begin(), p_bytes.end(), m.begin() + static_cast<std::ptrdiff_t>(at) + 1);
      }),
      "bad_verifier_key");

  // Direct constructors.
  EXPECT_EQ(Reason(NewSecp256k1Verifier("k", Bytes(33, 0)).status()), "bad_public_key");
  EXPECT_EQ(Reason(NewSecp256k1Signer("k", Bytes(32, 0)).status()), "bad_private_key");
  EXPECT_EQ(Reason(NewSecp256k1Signer("k", Bytes(31, 1)).status()), "bad_private_key");
  Bytes n = HexDecode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").value();
  EXPECT_EQ(Reason(NewSecp256k1Signer("k", n).status()), "bad_private_key");
  n.back() -= 1;  // n - 1 is the largest valid secret
  EXPECT_EQ(Reason(NewSecp256k1Signer("k", n).status()), "ok");
}

// Never crash, and never accept, on payloads of any shape.
TEST(EcdsaNoteTest, MalformedSignaturesAreRejected) {
  auto p = P256("p", 4);
  auto k = K1("k", 4);
  auto pv = ParseVerifierKey(p->VerifierKey()).value();
  auto kv = ParseVerifierKey(k->VerifierKey()).value();
  Bytes psig = p->Sign(kText).value();
  Bytes ksig = k->Sign(kText).value();
  for (size_t n = 0; n < 80; ++n) {
    EXPECT_EQ(Reason(pv->Verify(kText, Bytes(n, 0))), "bad_signature") << n;
    EXPECT_EQ(Reason(pv->Verify(kText, Bytes(n, 0xff))), "bad_signature") << n;
    EXPECT_EQ(Reason(kv->Verify(kText, Bytes(n, 0))), "bad_signature") << n;
    EXPECT_EQ(Reason(kv->Verify(kText, Bytes(n, 0xff))), "bad_signature") << n;
    if (n < psig.size()) {
      Bytes cut(psig.begin(), psig.begin() + static_cast<std::ptrdiff_t>(n));
      EXPECT_EQ(Reason(pv->Verify(kText, cut)), "bad_signature") << n;
    }
  }
  Bytes trailing = psig;
  trailing.push_back(0);
  EXPECT_EQ(Reason(pv->Verify(kText, trailing)), "bad_signature");
  // A non-minimal DER length (0x81 0x44 for 0x44) carries the same r, s.
  Bytes long_form(psig.size() + 1);
  long_form[0] = 0x30;
  long_form[1] = 0x81;
  std::copy(psig.begin() + 1, psig.end(), long_form.begin() + 2);
  EXPECT_EQ(Reason(pv->Verify(kText, long_form)), "bad_signature");
  // Each type's signature means nothing to the other.
  EXPECT_EQ(Reason(pv->Verify(kText, ksig)), "bad_signature");
  EXPECT_EQ(Reason(kv->Verify(kText, psig)), "bad_signature");
  // r or s >= n (secp256k1).
  Bytes over = ksig;
  std::fill(over.begin() + 32, over.end(), 0xff);
  EXPECT_EQ(Reason(kv->Verify(kText, over)), "bad_signature");
}

// s := n - s on 32 big-endian bytes.
void Negate(uint8_t* s, const Bytes& n) {
  unsigned borrow = 0;
  for (size_t i = 32; i-- > 0;) {
    unsigned d = unsigned{n[i]} - s[i] - borrow;
    s[i] = static_cast<uint8_t>(d);
    borrow = (d >> 8) & 1u;
  }
}

TEST(EcdsaNoteTest, Secp256k1RefusesHighS) {
  // The vector's high-s twin is valid ECDSA (python-cryptography accepted it).
  for (const auto& c : Cases()) {
    if (c["alg"] != "secp256k1") continue;
    auto v = ParseVerifierKey(c["vkey"].get<std::string>()).value();
    std::string text = c["stamp_text"];
    EXPECT_EQ(Reason(v->Verify(text, Hex(c["signature_hex"]))), "ok");
    EXPECT_EQ(Reason(v->Verify(text, Hex(c["high_s_signature_hex"]))), "bad_signature");
  }
  // And a fresh signature turned high.
  Bytes n = HexDecode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").value();
  auto k = K1("k", 5);
  auto v = ParseVerifierKey(k->VerifierKey()).value();
  Bytes sig = k->Sign(kText).value();
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_EQ(Reason(v->Verify(kText, sig)), "ok");
  Negate(sig.data() + 32, n);
  EXPECT_EQ(Reason(v->Verify(kText, sig)), "bad_signature");
}

TEST(EcdsaNoteTest, Secp256k1SignsWithRfc6979) {
  for (const auto& c : Cases()) {
    if (c["alg"] != "secp256k1") continue;
    Bytes secret = Hex(c["secret_hex"]);
    auto k = NewSecp256k1Signer(c["key_name"], secret).value();
    EXPECT_EQ(k->VerifierKey(), c["vkey"].get<std::string>());
    std::string text = c["stamp_text"];
    EXPECT_EQ(HexEncode(k->Sign(text).value()), c["rfc6979_signature_hex"].get<std::string>());
    EXPECT_EQ(k->Sign(text).value(), k->Sign(text).value());
  }
}

TEST(EcdsaNoteTest, P256LowS) {
  auto p = P256("p", 6);
  auto v = ParseVerifierKey(p->VerifierKey()).value();
  // The signer always emits low s (randomized k: try a few).
  for (int i = 0; i < 16; ++i) {
    Bytes sig = p->Sign(kText).value();
    EXPECT_EQ(Reason(CheckP256LowS(sig)), "ok");
    EXPECT_EQ(Reason(v->Verify(kText, sig)), "ok");
  }
  for (const auto& c : Cases()) {
    if (c["alg"] != "p256") continue;
    auto cv = ParseVerifierKey(c["vkey"].get<std::string>()).value();
    std::string text = c["stamp_text"];
    Bytes low = Hex(c["signature_hex"]), high = Hex(c["high_s_signature_hex"]);
    // Both verify, as in transparency-dev; only the low one is canonical.
    EXPECT_EQ(Reason(cv->Verify(text, low)), "ok");
    EXPECT_EQ(Reason(cv->Verify(text, high)), "ok");
    EXPECT_EQ(Reason(CheckP256LowS(low)), "ok");
    EXPECT_EQ(Reason(CheckP256LowS(high)), "bad_signature");
  }
  EXPECT_EQ(Reason(CheckP256LowS({})), "bad_signature");
  EXPECT_EQ(Reason(CheckP256LowS(Bytes{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00})),
            "bad_signature");  // s = 0
  EXPECT_EQ(Reason(CheckP256LowS(Bytes{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})), "ok");
}

TEST(EcdsaNoteTest, GeneratedSecp256k1Secrets) {
  Bytes a = GenerateSecp256k1Secret().value(), b = GenerateSecp256k1Secret().value();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(NewSecp256k1Signer("k", a).ok());
}

}  // namespace
}  // namespace ledger::note
