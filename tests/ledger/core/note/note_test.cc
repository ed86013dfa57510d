#include "ledger/note/note.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "c2sp_test_util.h"

namespace ledger::note {
namespace {

using ledger::testing::TestKey;
using ledger::testing::VerifierFromVkey;

constexpr char kDash[] = "\xE2\x80\x94";  // U+2014
const std::string kPeterText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
const std::string kPeterVkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const std::string kPeterSig =
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
const std::string kPeterNote = kPeterText + "\n" + kDash + " PeterNeumann " + kPeterSig + "\n";

// golang.org/x/mod v0.7.0 sumdb/note note_test.go: the private key
// PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz.
Ed25519PrivateKey PeterKey() {
  Bytes raw = Base64Decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz").value();
  return Ed25519PrivateKey::FromSeed(ByteView(raw).subspan(1)).value();
}

std::string Reason(std::string_view note) { return Parse(note).status().reason(); }

TEST(NoteKeyTest, KeyIdAndVerifierKeyMatchTheSpecExample) {
  // signed-note §Verifier keys example.
  auto v =
      VerifierFromVkey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
  EXPECT_EQ(v->name(), "example.com/foo");
  EXPECT_EQ(v->key_id(), 0x530d903au);
  EXPECT_EQ(v->alg(), kAlgEd25519);
  EXPECT_EQ(v->VerifierKey(),
            "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
}

TEST(NoteKeyTest, SignerMatchesGoKnownAnswer) {
  auto signer = NewEd25519Signer("PeterNeumann", PeterKey());
  EXPECT_EQ(signer->VerifierKey(), kPeterVkey);
  EXPECT_EQ(signer->key_id(), 0xc74f20a3u);
  auto sig = SignText(kPeterText, *signer);
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_EQ(Format(Note{kPeterText, {*sig}}), kPeterNote);
}

TEST(NoteKeyTest, RejectsBadVerifierKeys) {
  const std::vector<std::string> bad = {
      "",
      "PeterNeumann",
      "PeterNeumann+c74f20a3",
      "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // wrong ID
      "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // uppercase hex
      "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",    // 7 digits
      "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",               // empty name
      "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // space
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",    // base64
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW ",
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy",  // short key
      "PeterNeumann+c74f20a3+",
      "PeterNeumann+c74f20a3+Ag==",  // unsupported type 0x02
  };
  for (const std::string& vkey : bad) {
    auto v = ParseVerifierKey(vkey);
    EXPECT_FALSE(v.ok()) << vkey;
    EXPECT_EQ(v.status().reason(), "bad_verifier_key") << vkey;
  }
}

TEST(NoteKeyTest, VerifierKeyRoundTripsWithPlusInBase64) {
  // The key material of sum.golang.org contains '+': split on two '+' only.
  std::string vkey = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
  EXPECT_EQ(VerifierFromVkey(vkey)->VerifierKey(), vkey);
}

TEST(NoteKeyTest, KeyNames) {
  EXPECT_TRUE(IsValidKeyName("example.com/foo"));
  EXPECT_TRUE(IsValidKeyName("caf\xC3\xA9"));
  EXPECT_FALSE(IsValidKeyName(""));
  EXPECT_FALSE(IsValidKeyName("a+b"));
  EXPECT_FALSE(IsValidKeyName("a b"));
  EXPECT_FALSE(IsValidKeyName("a\tb"));
  EXPECT_FALSE(
      IsValidKeyName("a\xC2\xA0"
                     "b"));  // U+00A0 no-break space
  EXPECT_FALSE(
      IsValidKeyName("a\xE3\x80\x80"
                     "b"));                       // U+3000 ideographic space
  EXPECT_FALSE(IsValidKeyName("a\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidKeyName("a\xED\xA0\x80"));  // surrogate
}

TEST(NoteParseTest, ParsesAndFormatsExactly) {
  auto note = Parse(kPeterNote);
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(note->text, kPeterText);
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(note->signatures[0].name, "PeterNeumann");
  EXPECT_EQ(note->signatures[0].key_id, 0xc74f20a3u);
  EXPECT_EQ(note->signatures[0].payload.size(), 64u);
  EXPECT_EQ(Format(*note), kPeterNote);
}

TEST(NoteParseTest, TheLastBlankLineSeparatesTextAndSignatures) {
  // signed-note §Format: the text MAY contain empty lines.
  std::string text = "Ognuno sta solo\n\ned \xC3\xA8 subito sera.\n";
  std::string note = text + "\n" + kDash + " quasimodo.example/salvatore AAAAAAE=\n";
  auto parsed = Parse(note);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->text, text);
  EXPECT_EQ(parsed->signatures[0].payload, Bytes{1});
}

TEST(NoteParseTest, RejectsMalformedNotes) {
  const std::string sig = std::string(kDash) + " PeterNeumann " + kPeterSig + "\n";
  const std::vector<std::string> bad = {
      "",
      "\n",
      kPeterText,                                           // no signatures
      kPeterText + sig,                                     // no blank line
      kPeterText + "\n",                                    // blank line, no signature lines
      kPeterText + "\n" + sig.substr(0, sig.size() - 1),    // no final newline
      kPeterText + "\n" + sig + "\n",                       // blank line after the signatures
      kPeterText + "\n- PeterNeumann " + kPeterSig + "\n",  // hyphen, not em dash
      kPeterText + "\n" + kDash + "PeterNeumann " + kPeterSig + "\n",  // no space
      kPeterText + "\n" + kDash + " PeterNeumann\n",                   // no signature
      kPeterText + "\n" + kDash + "  " + kPeterSig + "\n",             // empty name
      kPeterText + "\n" + kDash + " Peter+Neumann " + kPeterSig + "\n",
      kPeterText + "\n" + kDash + " PeterNeumann " + kPeterSig + " \n",
      kPeterText + "\n" + kDash + " PeterNeumann  " + kPeterSig + "\n",
      kPeterText + "\n" + kDash + " PeterNeumann AAAAAA==\n",  // 4 bytes: ID only
      kPeterText + "\n" + kDash + " PeterNeumann AAAAAAE\n",   // bad padding
      kPeterText + "\n" + kDash + " PeterNeumann AAAAAAF=\n",  // non-canonical
      kPeterText + "\n" + kDash + " PeterNeumann AAAA-_E=\n",  // URL-safe
      "a\rb\n\n" + sig,                                        // control char
      "a\tb\n\n" + sig,
      std::string("a\0b\n\n", 5) + sig,
      "a\xFF"
      "b\n\n" +
          sig,                    // invalid UTF-8
      "a\xE2\x80\n\n" + sig,      // truncated UTF-8
      kPeterText + "\r\n" + sig,  // CRLF
  };
  for (const std::string& note : bad) {
    EXPECT_EQ(Reason(note), "malformed_note") << note;
  }
}

TEST(NoteParseTest, Limits) {
  std::string line = std::string(kDash) + " k AAAAAAE=\n";
  std::string note = "t\n\n";
  for (size_t i = 0; i < kMaxSignatures; ++i) note += line;
  ASSERT_TRUE(Parse(note).ok());
  EXPECT_EQ(Reason(note + line), "malformed_note");
  std::string big(kMaxNoteSize, 'a');
  big[kMaxNoteSize - 1] = '\n';
  EXPECT_EQ(Reason(big + "\n" + line), "malformed_note");
  EXPECT_EQ(ValidateText(big).code(), Code::kOk);
  EXPECT_EQ(ValidateText(big + "\n").reason(), "malformed_note");
  EXPECT_EQ(ValidateText("no newline").reason(), "malformed_note");
}

class NoteOpenTest : public ::testing::Test {
 protected:
  NoteOpenTest()
      : alice_(NewEd25519Signer("alice", TestKey(1))),
        bob_(NewEd25519Signer("bob", TestKey(2))),
        alice_v_(VerifierFromVkey(alice_->VerifierKey())),
        bob_v_(VerifierFromVkey(bob_->VerifierKey())) {}

  Note Signed(std::vector<const Signer*> signers) {
    Note n{"hello\n", {}};
    for (const Signer* s : signers) n.signatures.push_back(SignText(n.text, *s).value());
    return n;
  }

  std::unique_ptr<Signer> alice_, bob_;
  std::unique_ptr<Verifier> alice_v_, bob_v_;
};

TEST_F(NoteOpenTest, ReturnsKnownSignersInSignatureOrder) {
  Note n = Signed({bob_.get(), alice_.get()});
  const Verifier* known[] = {alice_v_.get(), bob_v_.get()};
  auto v = Open(n, known);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, (std::vector<const Verifier*>{bob_v_.get(), alice_v_.get()}));
}

TEST_F(NoteOpenTest, IgnoresUnknownKeysAndRejectsWhenNoneKnown) {
  Note n = Signed({bob_.get()});
  const Verifier* alice_only[] = {alice_v_.get()};
  EXPECT_EQ(Open(n, alice_only).status().reason(), "unverified_note");
  EXPECT_EQ(Open(n, {}).status().reason(), "unverified_note");
  n.signatures.push_back(SignText(n.text, *alice_).value());
  EXPECT_TRUE(Open(n, alice_only).ok());
}

TEST_F(NoteOpenTest, SameNameOtherKeyIdIsIgnored) {
  // signed-note §Signatures: unknown unless name AND key ID both match.
  auto impostor = NewEd25519Signer("alice", TestKey(3));
  Note n = Signed({impostor.get(), alice_.get()});
  const Verifier* known[] = {alice_v_.get()};
  EXPECT_TRUE(Open(n, known).ok());
}

TEST_F(NoteOpenTest, AFailingKnownSignatureRejectsTheNote) {
  Note n = Signed({alice_.get(), bob_.get()});
  n.signatures[1].payload[0] ^= 1;
  const Verifier* both[] = {alice_v_.get(), bob_v_.get()};
  const Verifier* alice_only[] = {alice_v_.get()};
  EXPECT_EQ(Open(n, both).status().reason(), "bad_signature");
  EXPECT_TRUE(Open(n, alice_only).ok());  // bob's line is unknown there
  n.signatures[1].payload.pop_back();     // wrong length is a bad signature too
  EXPECT_EQ(Open(n, both).status().reason(), "bad_signature");
}

TEST_F(NoteOpenTest, RepeatedSignatureCountsOnceAndEveryCopyMustVerify) {
  Note n = Signed({alice_.get(), alice_.get()});
  const Verifier* known[] = {alice_v_.get(), alice_v_.get(), nullptr};
  auto v = Open(n, known);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size(), 1u);
  n.signatures[1].payload[5] ^= 1;
  EXPECT_EQ(Open(n, known).status().reason(), "bad_signature");
}

TEST_F(NoteOpenTest, SignTextRejectsWhatCannotBeANote) {
  EXPECT_EQ(SignText("no newline", *alice_).status().reason(), "malformed_note");
  EXPECT_EQ(SignText("a\x01\n", *alice_).status().reason(), "malformed_note");
  auto bad_name = NewEd25519Signer("a b", TestKey(1));
  EXPECT_EQ(SignText("x\n", *bad_name).status().reason(), "invalid_key_name");
  Note hand_made{"not ended", {SignText("x\n", *alice_).value()}};
  const Verifier* known[] = {alice_v_.get()};
  EXPECT_EQ(Open(hand_made, known).status().reason(), "malformed_note");
}

}  // namespace
}  // namespace ledger::note
