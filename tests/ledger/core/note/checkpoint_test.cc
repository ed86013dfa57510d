#include "ledger/note/checkpoint.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "c2sp_test_util.h"
#include "ledger/note/cosignature.h"

namespace ledger {
namespace {

using ledger::testing::KeyFromSeedHex;
using ledger::testing::LoadVectorJson;
using ledger::testing::TestKey;
using ledger::testing::VerifierFromVkey;

constexpr char kRoot[] = "Hm7Q1jioTyB8ijVHpsCOFGc5h8mgbHaowvdH1t3hEnc=";
constexpr uint64_t kTime = 1767225600;

std::string Reason(std::string_view text) { return Checkpoint::FromText(text).status().reason(); }

TEST(CheckpointTextTest, RoundTrip) {
  std::string text = std::string("ledger.example/log\n7\n") + kRoot + "\n";
  auto cp = Checkpoint::FromText(text);
  ASSERT_TRUE(cp.ok()) << cp.status();
  EXPECT_EQ(cp->origin, "ledger.example/log");
  EXPECT_EQ(cp->size, 7u);
  EXPECT_EQ(cp->root.Base64(), kRoot);
  EXPECT_TRUE(cp->extensions.empty());
  EXPECT_EQ(cp->ToText(), text);

  std::string with_ext = text + "ext one\nx\n";
  cp = Checkpoint::FromText(with_ext);
  ASSERT_TRUE(cp.ok()) << cp.status();
  EXPECT_EQ(cp->extensions, (std::vector<std::string>{"ext one", "x"}));
  EXPECT_EQ(cp->ToText(), with_ext);
}

TEST(CheckpointTextTest, SizeBounds) {
  const std::string root = std::string("\n") + kRoot + "\n";
  EXPECT_EQ(Checkpoint::FromText("o\n0" + root)->size, 0u);
  EXPECT_EQ(Checkpoint::FromText("o\n18446744073709551615" + root)->size, UINT64_MAX);
  EXPECT_EQ(Reason("o\n18446744073709551616" + root), "malformed_checkpoint");
  EXPECT_EQ(Reason("o\n99999999999999999999" + root), "malformed_checkpoint");
  EXPECT_EQ(Reason("o\n00" + root), "malformed_checkpoint");
  EXPECT_EQ(Reason("o\n07" + root), "malformed_checkpoint");
  EXPECT_EQ(Reason("o\n+7" + root), "malformed_checkpoint");
  EXPECT_EQ(Reason("o\n-1" + root), "malformed_checkpoint");
  EXPECT_EQ(Reason("o\n 7" + root), "malformed_checkpoint");
  EXPECT_EQ(Reason("o\n" + root), "malformed_checkpoint");
}

TEST(CheckpointTextTest, RejectsMalformedText) {
  const std::string head = "ledger.example/log\n7\n";
  const std::vector<std::string> bad = {
      "",
      head,                                                     // two lines
      head + kRoot,                                             // no final newline
      head + "\n",                                              // empty root
      head + "AAAA\n",                                          // 3-byte root
      head + "Hm7Q1jioTyB8ijVHpsCOFGc5h8mgbHaowvdH1t3hEnc\n",   // unpadded
      head + "Hm7Q1jioTyB8ijVHpsCOFGc5h8mgbHaowvdH1t3hEnd=\n",  // non-canonical bits
      head + kRoot + "\n\n",                                    // empty extension
      head + kRoot + "\next\n\n",
      head + kRoot + "\r\n",
      head + kRoot +
          "\nbad\x01"
          "ext\n",
      head + kRoot +
          "\nbad\xFF"
          "ext\n",
  };
  for (const std::string& text : bad) {
    EXPECT_EQ(Reason(text), "malformed_checkpoint") << text;
  }
}

TEST(CheckpointTextTest, Origins) {
  EXPECT_TRUE(ValidateOrigin("ledger.example/log").ok());
  EXPECT_TRUE(ValidateOrigin(std::string(255, 'a')).ok());
  for (std::string bad : {std::string(), std::string(256, 'a'), std::string("a b"),
                          std::string("a+b"), std::string("caf\xC3\xA9"), std::string("a\x7f")}) {
    EXPECT_EQ(ValidateOrigin(bad).reason(), "invalid_origin") << bad;
  }
  EXPECT_EQ(Reason(std::string("go.sum database tree\n7\n") + kRoot + "\n"), "invalid_origin");
}

TEST(CheckpointTextTest, ParseDecimal) {
  EXPECT_EQ(*ParseDecimalU64("0"), 0u);
  EXPECT_EQ(*ParseDecimalU64("1234067"), 1234067u);
  for (std::string_view bad : {"", "01", "1a", "18446744073709551616", "123456789012345678901"}) {
    EXPECT_EQ(ParseDecimalU64(bad).status().reason(), "bad_decimal") << bad;
  }
}

// The worked example of schemas/formats/checkpoint.md, produced by an
// independent implementation (tests/vectors/formats/c2sp_examples.py).
class CheckpointExampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v_ = LoadVectorJson("formats/checkpoint-example.json");
    log_ = note::NewEd25519Signer(v_["origin"], KeyFromSeedHex(v_["log_seed_hex"]));
    witness_ = note::NewCosignatureV1Signer(
        v_["witness_name"], KeyFromSeedHex(v_["witness_seed_hex"]), [] { return kTime; });
    log_v_ = VerifierFromVkey(v_["log_vkey"]);
    witness_v_ = VerifierFromVkey(v_["witness_vkey"]);
  }
  Checkpoint Example() const {
    return Checkpoint{
        v_["origin"], v_["size"], Hash::FromHex(v_["root_hex"].get<std::string>()).value(), {}};
  }
  nlohmann::json v_;
  std::unique_ptr<note::Signer> log_, witness_;
  std::unique_ptr<note::Verifier> log_v_, witness_v_;
};

TEST_F(CheckpointExampleTest, ProducesTheDocumentedBytes) {
  EXPECT_EQ(log_->VerifierKey(), v_["log_vkey"]);
  EXPECT_EQ(witness_->VerifierKey(), v_["witness_vkey"]);
  EXPECT_EQ(Example().ToText(), v_["text"]);
  auto note_text = SignCheckpoint(Example(), *log_);
  ASSERT_TRUE(note_text.ok()) << note_text.status();
  EXPECT_EQ(*note_text, v_["note"]);
  auto cosig = note::SignText(v_["text"].get<std::string>(), *witness_);
  ASSERT_TRUE(cosig.ok()) << cosig.status();
  EXPECT_EQ(HexEncode(cosig->payload), v_["cosignature_payload_hex"]);
  EXPECT_EQ(*note_text + note::FormatSignatureLine(*cosig), v_["cosigned_note"]);
}

TEST_F(CheckpointExampleTest, VerifiesWithQuorum) {
  const note::Verifier* witnesses[] = {witness_v_.get()};
  auto vc = VerifyCheckpoint(v_["cosigned_note"].get<std::string>(), *log_v_, witnesses, 1);
  ASSERT_TRUE(vc.ok()) << vc.status();
  EXPECT_EQ(vc->checkpoint, Example());
  EXPECT_EQ(vc->note, v_["cosigned_note"]);
  ASSERT_EQ(vc->cosignatures.size(), 1u);
  EXPECT_EQ(vc->cosignatures[0].witness, v_["witness_name"]);
  EXPECT_EQ(vc->cosignatures[0].timestamp, kTime);

  // The log-only note meets a quorum of 0 but not of 1.
  std::string log_only = v_["note"];
  EXPECT_TRUE(VerifyCheckpoint(log_only, *log_v_).ok());
  EXPECT_EQ(VerifyCheckpoint(log_only, *log_v_, witnesses, 1).status().reason(),
            "witness_quorum_not_met");
  EXPECT_EQ(VerifyCheckpoint(v_["cosigned_note"].get<std::string>(), *log_v_, witnesses, 2)
                .status()
                .reason(),
            "witness_quorum_not_met");
}

TEST_F(CheckpointExampleTest, RejectsWrongLogOrMissingLogSignature) {
  std::string cosigned = v_["cosigned_note"];
  auto other_log = note::NewEd25519Verifier("other.example/log", TestKey(9).public_key());
  EXPECT_EQ(VerifyCheckpoint(cosigned, *other_log).status().reason(), "origin_mismatch");
  // Same name, other key: the log's line is unknown, so nothing verifies.
  auto impostor = note::NewEd25519Verifier(v_["origin"], TestKey(9).public_key());
  EXPECT_EQ(VerifyCheckpoint(cosigned, *impostor).status().reason(), "unverified_note");
  // A note signed by the witness only is not a checkpoint of the log.
  note::Note n = note::Parse(cosigned).value();
  n.signatures.erase(n.signatures.begin());
  const note::Verifier* witnesses[] = {witness_v_.get()};
  EXPECT_EQ(VerifyCheckpoint(note::Format(n), *log_v_, witnesses).status().reason(),
            "unverified_note");
  EXPECT_EQ(VerifyCheckpoint("garbage", *log_v_).status().reason(), "malformed_note");
  std::string not_cp = "hello\n\n" + note::FormatSignatureLine(n.signatures[0]);
  EXPECT_EQ(VerifyCheckpoint(not_cp, *log_v_).status().reason(), "malformed_checkpoint");
}

TEST_F(CheckpointExampleTest, AFailingWitnessRejectsTheNote) {
  note::Note n = note::Parse(v_["cosigned_note"].get<std::string>()).value();
  n.signatures[1].payload[7] ^= 1;  // the timestamp is signed too
  const note::Verifier* witnesses[] = {witness_v_.get()};
  EXPECT_EQ(VerifyCheckpoint(note::Format(n), *log_v_, witnesses).status().reason(),
            "bad_signature");
  // Without the witness configured, the line is unknown and ignored.
  EXPECT_TRUE(VerifyCheckpoint(note::Format(n), *log_v_).ok());
}

TEST_F(CheckpointExampleTest, WitnessesCountOnceEach) {
  std::string text = v_["text"];
  std::string note_text = v_["cosigned_note"];
  // The same witness twice in the list and its line twice in the note.
  auto again = note::SignText(text, *witness_).value();
  note_text += note::FormatSignatureLine(again);
  // A second key under the same witness name is still the same witness.
  auto second_key =
      note::NewCosignatureV1Signer(v_["witness_name"], TestKey(7), [] { return kTime + 1; });
  note_text += note::FormatSignatureLine(note::SignText(text, *second_key).value());
  auto second_v = VerifierFromVkey(second_key->VerifierKey());
  auto other =
      note::NewCosignatureV1Signer("witness.example/w2", TestKey(8), [] { return kTime + 2; });
  auto other_v = VerifierFromVkey(other->VerifierKey());
  const note::Verifier* same[] = {witness_v_.get(), witness_v_.get(), second_v.get()};
  EXPECT_EQ(VerifyCheckpoint(note_text, *log_v_, same, 2).status().reason(),
            "witness_quorum_not_met");
  note_text += note::FormatSignatureLine(note::SignText(text, *other).value());
  const note::Verifier* two[] = {witness_v_.get(), other_v.get(), second_v.get()};
  auto vc = VerifyCheckpoint(note_text, *log_v_, two, 2);
  ASSERT_TRUE(vc.ok()) << vc.status();
  ASSERT_EQ(vc->cosignatures.size(), 2u);
  EXPECT_EQ(vc->cosignatures[1].witness, "witness.example/w2");
  EXPECT_EQ(vc->cosignatures[1].timestamp, kTime + 2);
  // The log is never its own witness.
  const note::Verifier* log_as_witness[] = {log_v_.get()};
  EXPECT_EQ(
      VerifyCheckpoint(v_["note"].get<std::string>(), *log_v_, log_as_witness, 1).status().reason(),
      "witness_quorum_not_met");
}

// A cosignature/v1 does not sign the witness's name: one key listed under
// two names would let its line be copied under the second name. Such a key
// counts once.
TEST_F(CheckpointExampleTest, OneKeyUnderTwoNamesCountsOnce) {
  std::string text = v_["text"];
  std::string note_text = v_["cosigned_note"];
  auto alias =
      note::NewCosignatureV1Signer("witness.example/alias",
                                   KeyFromSeedHex(v_["witness_seed_hex"]), [] { return kTime; });
  auto alias_v = VerifierFromVkey(alias->VerifierKey());
  ASSERT_NE(alias_v->key_id(), witness_v_->key_id());
  // The host copies w1's payload under the alias's name and key ID.
  note::Note n = note::Parse(note_text).value();
  note::Signature copied = n.signatures[1];
  copied.name = alias_v->name();
  copied.key_id = alias_v->key_id();
  n.signatures.push_back(copied);
  const note::Verifier* both[] = {witness_v_.get(), alias_v.get()};
  auto one = VerifyCheckpoint(note::Format(n), *log_v_, both, 1);
  ASSERT_TRUE(one.ok()) << one.status();  // the copied line itself verifies
  EXPECT_EQ(one->cosignatures.size(), 1u);
  EXPECT_EQ(VerifyCheckpoint(note::Format(n), *log_v_, both, 2).status().reason(),
            "witness_quorum_not_met");
}

TEST_F(CheckpointExampleTest, WitnessPolicyFromVkeys) {
  std::vector<std::string> vkeys = {witness_->VerifierKey()};
  auto policy = WitnessPolicy::FromVkeys(vkeys, 1);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(VerifyCheckpoint(v_["cosigned_note"].get<std::string>(), *log_v_, *policy).ok());
  EXPECT_EQ(VerifyCheckpoint(v_["note"].get<std::string>(), *log_v_, *policy).status().reason(),
            "witness_quorum_not_met");
  // The default policy requires nothing beyond the log's signature.
  EXPECT_TRUE(VerifyCheckpoint(v_["note"].get<std::string>(), *log_v_, WitnessPolicy{}).ok());
  EXPECT_EQ(WitnessPolicy::FromVkeys(vkeys, 2).status().reason(), "bad_witness_policy");
  std::vector<std::string> bad = {"not a vkey"};
  EXPECT_EQ(WitnessPolicy::FromVkeys(bad, 0).status().reason(), "bad_witness_policy");
}

TEST(SignCheckpointTest, RefusesWhatItCouldNotParseBack) {
  auto signer = note::NewEd25519Signer("ledger.example/log", TestKey(1));
  Checkpoint cp{"ledger.example/log", 0, Hash{}, {}};
  EXPECT_TRUE(SignCheckpoint(cp, *signer).ok());
  cp.extensions = {"two\nlines"};
  EXPECT_EQ(SignCheckpoint(cp, *signer).status().reason(), "malformed_checkpoint");
  cp.extensions = {""};
  EXPECT_EQ(SignCheckpoint(cp, *signer).status().reason(), "malformed_checkpoint");
  cp.extensions = {};
  cp.origin = "other.example/log";
  EXPECT_EQ(SignCheckpoint(cp, *signer).status().reason(), "origin_mismatch");
  cp.origin = "bad origin";
  EXPECT_EQ(SignCheckpoint(cp, *signer).status().reason(), "invalid_origin");
}

}  // namespace
}  // namespace ledger
