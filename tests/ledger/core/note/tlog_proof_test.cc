#include "ledger/note/tlog_proof.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "c2sp_test_util.h"
#include "ledger/merkle/merkle.h"

namespace ledger {
namespace {

using ledger::testing::LoadVectorJson;
using ledger::testing::TestKey;
using ledger::testing::VerifierFromVkey;

// The worked example of schemas/formats/receipt.md
// (tests/vectors/formats/c2sp_examples.py).
class TlogProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v_ = LoadVectorJson("formats/receipt-example.json");
    text_ = v_["receipt"];
    checkpoint_ = v_["checkpoint"];
    log_ = VerifierFromVkey(v_["log_vkey"]);
    witness_ = VerifierFromVkey(v_["witness_vkey"]);
    leaf_ = Hash::FromHex(v_["leaf_hash_hex"].get<std::string>()).value();
  }
  TlogProof Example() const {
    TlogProof p;
    p.extra = HexDecode(v_["extra_hex"].get<std::string>()).value();
    p.index = v_["index"];
    for (const auto& h : v_["inclusion_hex"]) {
      p.inclusion.push_back(Hash::FromHex(h.get<std::string>()).value());
    }
    p.checkpoint = checkpoint_;
    return p;
  }
  // The example with its lines between header and checkpoint replaced.
  std::string WithBody(const std::string& body) const {
    return "c2sp.org/tlog-proof@v1\n" + body + "\n" + checkpoint_;
  }
  std::string Reason(const std::string& text) const {
    return ParseTlogProof(text).status().reason();
  }

  nlohmann::json v_;
  std::string text_, checkpoint_;
  std::unique_ptr<note::Verifier> log_, witness_;
  Hash leaf_;
};

TEST_F(TlogProofTest, FormatAndParseTheWorkedExample) {
  EXPECT_EQ(FormatTlogProof(Example()), text_);
  auto parsed = ParseTlogProof(text_);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, Example());
  EXPECT_EQ(merkle::LeafHash(AsBytes(v_["entry_utf8"].get<std::string>())), leaf_);
}

TEST_F(TlogProofTest, OptionalExtraAndEmptyProof) {
  TlogProof p = Example();
  p.extra.reset();
  p.inclusion.clear();
  p.index = 0;
  std::string text = FormatTlogProof(p);
  EXPECT_EQ(text, WithBody("index 0\n"));
  EXPECT_EQ(*ParseTlogProof(text), p);
  p.extra = Bytes{};  // present but empty is distinct from absent
  EXPECT_EQ(FormatTlogProof(p), WithBody("extra \nindex 0\n"));
  EXPECT_EQ(*ParseTlogProof(FormatTlogProof(p)), p);
}

TEST_F(TlogProofTest, RejectsMalformedProofs) {
  const std::string h = "irPERPTaSay0Til/ke3mGlACx7lqtuEKJ0zsjkpBjSw=\n";
  std::string many;
  for (int i = 0; i < 64; ++i) many += h;
  const std::vector<std::string> bad = {
      "",
      "c2sp.org/tlog-proof@v1\n",
      "c2sp.org/tlog-proof@v2\nindex 5\n\n" + checkpoint_,
      "c2sp.org/tlog-proof@v1 \nindex 5\n\n" + checkpoint_,
      "\nc2sp.org/tlog-proof@v1\nindex 5\n\n" + checkpoint_,
      WithBody(""),            // no index
      WithBody("index 05\n"),  // leading zero
      WithBody("index -1\n"),
      WithBody("index \n"),
      WithBody("index 18446744073709551616\n"),  // overflow
      WithBody("Index 5\n"),
      WithBody("index  5\n"),
      WithBody("index 5\nindex 5\n"),     // unknown line where a hash goes
      WithBody("index 5\nextra AAAA\n"),  // extra after index
      WithBody("extra AAAA\nextra AAAA\nindex 5\n"),
      WithBody("extra AAA\nindex 5\n"),  // bad base64
      WithBody("foo bar\nindex 5\n"),    // unknown keyword
      WithBody("index 5\nAAAA\n"),       // 3-byte hash
      WithBody("index 5\n" + h.substr(0, h.size() - 2) + "\n"),
      WithBody("index 5\n" + many),                           // 64 hashes
      "c2sp.org/tlog-proof@v1\nindex 5\n" + h + checkpoint_,  // no blank line
      "c2sp.org/tlog-proof@v1\r\nindex 5\n\n" + checkpoint_,
      text_ + "trailing\n",
      text_ + "\n",
      text_.substr(0, text_.size() - 1),  // truncated checkpoint
      WithBody("index 5\n").substr(0, 40),
      "c2sp.org/tlog-proof@v1\nindex 5\n\nhello\n\n" +
          checkpoint_.substr(checkpoint_.find("\xE2\x80\x94")),
  };
  for (const std::string& t : bad) {
    EXPECT_EQ(Reason(t), "malformed_tlog_proof") << t;
  }
  std::string max63;
  for (int i = 0; i < 63; ++i) max63 += h;
  EXPECT_TRUE(ParseTlogProof(WithBody("index 5\n" + max63)).ok());
  EXPECT_TRUE(ParseTlogProof(WithBody("index 18446744073709551615\n")).ok());
}

TEST_F(TlogProofTest, VerifiesTheWorkedExample) {
  const note::Verifier* witnesses[] = {witness_.get()};
  auto vc = VerifyTlogProof(Example(), leaf_, *log_, witnesses, 1);
  ASSERT_TRUE(vc.ok()) << vc.status();
  EXPECT_EQ(vc->checkpoint.size, 7u);
  EXPECT_EQ(vc->checkpoint.root.Hex(), v_["root_hex"]);
  ASSERT_EQ(vc->cosignatures.size(), 1u);
  EXPECT_EQ(vc->cosignatures[0].timestamp, v_["cosignature_timestamp"].get<uint64_t>());
  // The inclusion proof the merkle module builds is the documented one.
  std::vector<Hash> leaves;
  for (int i = 0; i < 7; ++i) {
    leaves.push_back(merkle::LeafHash(AsBytes("ledger example entry " + std::to_string(i))));
  }
  EXPECT_EQ(merkle::RootFromLeafHashes(leaves), vc->checkpoint.root);
  merkle::NodeSource source = [&](uint32_t level, uint64_t index) -> Result<Hash> {
    uint64_t begin = index << level, end = (index + 1) << level;
    if (end > leaves.size()) return Status::NotFound("no_node", "beyond the tree");
    return merkle::RootFromLeafHashes(std::span<const Hash>(leaves).subspan(begin, end - begin));
  };
  EXPECT_EQ(merkle::InclusionProof(5, 7, source).value(), Example().inclusion);
}

TEST_F(TlogProofTest, RejectsWrongLeafIndexProofOrPolicy) {
  TlogProof p = Example();
  Hash other = leaf_;
  other.bytes[0] ^= 1;
  EXPECT_EQ(VerifyTlogProof(p, other, *log_).status().reason(), "root_mismatch");
  p.index = 4;
  EXPECT_EQ(VerifyTlogProof(p, leaf_, *log_).status().code(), Code::kVerificationFailed);
  p.index = 7;  // == size
  EXPECT_EQ(VerifyTlogProof(p, leaf_, *log_).status().reason(), "index_out_of_range");
  p = Example();
  p.inclusion.pop_back();
  EXPECT_EQ(VerifyTlogProof(p, leaf_, *log_).status().reason(), "proof_wrong_length");
  p = Example();
  p.inclusion[1].bytes[31] ^= 1;
  EXPECT_EQ(VerifyTlogProof(p, leaf_, *log_).status().reason(), "root_mismatch");
  // Checkpoint policy before inclusion: wrong log key, unmet quorum.
  auto other_log = note::NewEd25519Verifier("ledger.example/log", TestKey(9).public_key());
  EXPECT_EQ(VerifyTlogProof(Example(), leaf_, *other_log).status().reason(), "unverified_note");
  const note::Verifier* none[] = {nullptr};
  EXPECT_EQ(VerifyTlogProof(Example(), leaf_, *log_, none, 1).status().reason(),
            "witness_quorum_not_met");
  // extra is not authenticated: changing it does not affect verification.
  p = Example();
  p.extra = Bytes{1, 2, 3};
  EXPECT_TRUE(VerifyTlogProof(p, leaf_, *log_).ok());
}

}  // namespace
}  // namespace ledger
