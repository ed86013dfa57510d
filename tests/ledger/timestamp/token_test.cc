// RFC 3161 tokens from tests/vectors/rfc3161, produced by `openssl ts`
// (OpenSSL's own TSA): read, verified against the pinned test root, and
// refused for every way evidence can be wrong.
#include "ledger/timestamp/token.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "ledger_test_paths.h"

namespace ledger::timestamp {
namespace {

const std::filesystem::path kDir = std::filesystem::path(LEDGER_TEST_VECTORS) / "rfc3161";

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in.good()) << p;
  return std::string(std::istreambuf_iterator<char>(in), {});
}
Bytes SlurpBytes(const std::filesystem::path& p) { return ToBytes(Slurp(p)); }

Hash Sha(std::string_view data) { return Sha256::Digest(data); }

class TokenTest : public ::testing::Test {
 protected:
  Bytes token_ = SlurpBytes(kDir / "sample" / "token.der");
  Bytes response_ = SlurpBytes(kDir / "sample" / "resp.tsr");
  std::string ca_ = Slurp(kDir / "sample" / "ca.crt");
  std::string tsa_cert_ = Slurp(kDir / "sample" / "tsa.crt");
  Hash digest_ = Sha(Slurp(kDir / "sample" / "checkpoint-body.txt"));
};

TEST_F(TokenTest, ReadsWhatTheVectorSays) {
  ASSERT_EQ(digest_.Hex(), "952851b012adfa24ac140a5d5d10b56df97e640b8d3c08fc422572857f3e1f29");
  auto info = ReadToken(token_);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->digest, digest_);
  EXPECT_EQ(info->gen_time, "2026-11-21T21:10:23Z");  // resp.txt: Nov 21 21:10:23 2026 GMT
  EXPECT_EQ(info->serial_hex, "02");
  EXPECT_EQ(info->policy, "1.2.3.4.1");
  ASSERT_TRUE(info->nonce.has_value());
  EXPECT_EQ(*info->nonce, 0xDDC7F4448D78CB7Full);
  EXPECT_EQ(info->tsa_name, "/CN=Test TSA");
}

TEST_F(TokenTest, TheResponseCarriesTheSameToken) {
  auto token = TokenFromResponse(response_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(*token, token_);
}

TEST_F(TokenTest, VerifiesAgainstThePinnedRootWithAndWithoutTheNonce) {
  // The sample query asked for the certificate (certReq), so the token
  // embeds it and the root alone suffices; -untrusted works too.
  auto info = VerifyToken(token_, digest_, ca_);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->gen_time, "2026-11-21T21:10:23Z");
  EXPECT_TRUE(VerifyToken(token_, digest_, ca_, 0xDDC7F4448D78CB7Full, tsa_cert_).ok());
}

TEST_F(TokenTest, OtherDataIsAnImprintMismatch) {
  auto r = VerifyToken(token_, Sha("another checkpoint\n"), ca_);
  EXPECT_EQ(r.status().reason(), "timestamp_imprint_mismatch");
}

TEST_F(TokenTest, AnotherRequestsNonceIsRefused) {
  auto r = VerifyToken(token_, digest_, ca_, 42);
  EXPECT_EQ(r.status().reason(), "timestamp_nonce_mismatch");
}

TEST_F(TokenTest, TheTsaCertificateIsNotARootAndAnotherRootDoesNotVouch) {
  // Pinning the TSA certificate itself is not pinning the root: the chain
  // must end at a trusted self-signed root.
  EXPECT_EQ(VerifyToken(token_, digest_, tsa_cert_).status().reason(),
            "timestamp_signature_invalid");
  EXPECT_EQ(VerifyToken(token_, digest_, "").status().reason(), "no_trusted_roots");
  EXPECT_EQ(VerifyToken(token_, digest_, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                .status()
                .reason(),
            "bad_certificate");
}

TEST_F(TokenTest, AFlippedByteInTheSignedContentIsCaught) {
  // Flip one byte inside the TSTInfo's serial area without breaking DER:
  // find the serial INTEGER (02 01 02) and change its value.
  Bytes bad = token_;
  bool flipped = false;
  for (size_t i = 0; i + 2 < bad.size(); ++i) {
    if (bad[i] == 0x02 && bad[i + 1] == 0x01 && bad[i + 2] == 0x02) {
      bad[i + 2] = 0x03;
      flipped = true;
      break;
    }
  }
  ASSERT_TRUE(flipped);
  auto info = ReadToken(bad);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->serial_hex, "03");
  EXPECT_EQ(VerifyToken(bad, digest_, ca_).status().reason(), "timestamp_signature_invalid");
}

// A failure takes OpenSSL's reasons into its message and leaves the error
// queue empty for the next caller on the thread.
TEST_F(TokenTest, FailuresDrainTheOpenSslErrorQueue) {
  ERR_clear_error();
  auto garbage = ReadToken(ToBytes("not der"));
  EXPECT_EQ(garbage.status().reason(), "timestamp_malformed");
  EXPECT_NE(garbage.status().message().find("error:"), std::string::npos)
      << garbage.status().message();
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_EQ(
      VerifyToken(token_, digest_, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
          .status()
          .reason(),
      "bad_certificate");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(TokenTest, GarbageIsMalformedNeverACrash) {
  EXPECT_EQ(ReadToken({}).status().reason(), "timestamp_malformed");
  EXPECT_EQ(ReadToken(ToBytes("not der")).status().reason(), "timestamp_malformed");
  Bytes truncated(token_.begin(), token_.begin() + static_cast<long>(token_.size() / 2));
  EXPECT_EQ(ReadToken(truncated).status().reason(), "timestamp_malformed");
  Bytes trailing = token_;
  trailing.push_back(0);
  EXPECT_EQ(ReadToken(trailing).status().reason(), "timestamp_malformed");
  EXPECT_EQ(TokenFromResponse(ToBytes("\x30\x03\x02\x01\x02")).status().reason(),
            "timestamp_malformed");
  // A token is not a response, and a response is not a token.
  EXPECT_FALSE(TokenFromResponse(token_).ok());
  EXPECT_FALSE(ReadToken(response_).ok());
}

TEST_F(TokenTest, ARejectionIsNotAToken) {
  // TimeStampResp { status { status 2 (rejection), statusString {"no"} } }
  const Bytes rejected = {0x30, 0x0b, 0x30, 0x09, 0x02, 0x01, 0x02,
                          0x30, 0x04, 0x0c, 0x02, 'n',  'o'};
  auto r = TokenFromResponse(rejected);
  EXPECT_EQ(r.status().reason(), "timestamp_not_granted");
  EXPECT_NE(r.status().message().find("no"), std::string::npos);
}

TEST_F(TokenTest, RequestsAreDerWithAFreshNonce) {
  auto a = MakeRequest(digest_);
  auto b = MakeRequest(digest_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_NE(a->nonce, 0u);
  EXPECT_EQ(a->der[0], 0x30);  // SEQUENCE
  // The imprint is inside, verbatim.
  std::string der(AsString(a->der));
  EXPECT_NE(der.find(std::string(AsString(digest_.view()))), std::string::npos);
}

}  // namespace
}  // namespace ledger::timestamp
