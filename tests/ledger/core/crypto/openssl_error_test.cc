#include "ledger/crypto/openssl_error.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <string>

#include "ledger/attestation/certificate.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/crypto/p256.h"
#include "ledger/crypto/p384.h"

namespace ledger {
namespace {

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Parsing garbage as DER queues at least one ASN.1 error; returns the reason
// text of the newest one.
std::string ProvokeDerError() {
  const unsigned char junk[] = {0x30, 0x82, 0xff, 0xff, 0x01};
  const unsigned char* p = junk;
  X509* cert = d2i_X509(nullptr, &p, sizeof junk);
  EXPECT_EQ(cert, nullptr);
  X509_free(cert);
  const unsigned long e = ERR_peek_last_error();
  EXPECT_NE(e, 0u);
  const char* reason = ERR_reason_error_string(e);
  return reason != nullptr ? reason : "";
}

TEST(OpenSslErrorTest, DrainsTheQueueIntoTheMessage) {
  ERR_clear_error();
  const std::string reason = ProvokeDerError();
  ASSERT_FALSE(reason.empty());
  Status s = OpenSslError("cannot parse");
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.reason(), "openssl_error");
  EXPECT_EQ(s.message().rfind("cannot parse: error:", 0), 0u) << s.message();
  EXPECT_TRUE(Contains(s.message(), reason)) << s.message();
}

TEST(OpenSslErrorTest, KeepsTheCallersCodeAndReason) {
  ERR_clear_error();
  ProvokeDerError();
  Status s = OpenSslError(Code::kVerificationFailed, "chain_invalid", "bad chain");
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_EQ(s.code(), Code::kVerificationFailed);
  EXPECT_EQ(s.reason(), "chain_invalid");
  EXPECT_EQ(s.message().rfind("bad chain: ", 0), 0u) << s.message();
}

TEST(OpenSslErrorTest, TakesEveryEntryOldestFirst) {
  ERR_clear_error();
  ERR_raise(ERR_LIB_EVP, EVP_R_BAD_DECRYPT);
  ERR_raise(ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE);
  const std::string drained = DrainOpenSslErrors();
  EXPECT_EQ(ERR_peek_error(), 0u);
  const size_t first =
      drained.find(ERR_reason_error_string(ERR_PACK(ERR_LIB_EVP, 0, EVP_R_BAD_DECRYPT)));
  const size_t second = drained.find(
      ERR_reason_error_string(ERR_PACK(ERR_LIB_X509, 0, X509_R_CERT_ALREADY_IN_HASH_TABLE)));
  ASSERT_NE(first, std::string::npos) << drained;
  ASSERT_NE(second, std::string::npos) << drained;
  EXPECT_LT(first, second);
  EXPECT_TRUE(Contains(drained, "; ")) << drained;
}

TEST(OpenSslErrorTest, AnEmptyQueueLeavesTheMessageAlone) {
  ERR_clear_error();
  EXPECT_EQ(DrainOpenSslErrors(), "");
  Status s = OpenSslError(Code::kInvalidArgument, "bad_public_key", "not a point");
  EXPECT_EQ(s.message(), "not a point");
  EXPECT_EQ(s.reason(), "bad_public_key");
}

// The library's own failure paths leave nothing behind for the next caller.
TEST(OpenSslErrorTest, FailedParsesLeaveTheQueueEmpty) {
  ERR_clear_error();
  const Bytes junk = {0x30, 0x82, 0xff, 0xff, 0x01};
  auto spki = P384PublicKey::FromSpki(junk);
  EXPECT_EQ(spki.status().reason(), "bad_public_key");
  EXPECT_EQ(ERR_peek_error(), 0u);

  auto cert = P384PublicKey::FromCertificate(junk);
  EXPECT_EQ(cert.status().reason(), "bad_public_key");
  EXPECT_EQ(ERR_peek_error(), 0u);

  auto pem =
      P384PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  EXPECT_EQ(pem.status().reason(), "bad_private_key");
  EXPECT_EQ(ERR_peek_error(), 0u);

  Bytes off_curve(P256PublicKey::kSize, 0);
  off_curve[0] = 0x04;
  off_curve[64] = 1;
  EXPECT_EQ(P256PublicKey::FromSec1(off_curve).status().reason(), "bad_public_key");
  EXPECT_EQ(ERR_peek_error(), 0u);

  EXPECT_EQ(CertificateToPem(junk).status().reason(), "bad_certificate");
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_EQ(CertificateFromPemOrDer(junk).status().reason(), "bad_certificate");
  EXPECT_EQ(ERR_peek_error(), 0u);

  auto key = Ed25519PrivateKey::FromSeed(Bytes(32, 7)).value();
  Bytes sig = key.Sign(ToBytes("message"));
  sig[0] ^= 1;
  EXPECT_EQ(key.public_key().Verify(ToBytes("message"), sig).reason(), "bad_signature");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace ledger
