// The TSA client against a real TSA (`openssl ts -reply` behind HTTP on
// 127.0.0.1): a fresh token for a fresh digest, verified with its nonce;
// outages and garbage are errors, never tokens.
#include "ledger/timestamp/tsa_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "local_tsa.h"
#include "ledger_test_paths.h"

namespace ledger::timestamp {
namespace {

namespace fs = std::filesystem;

class TsaClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = fs::temp_directory_path() /
            ("ledger-tsa-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(work_);
    tsa_ = std::make_unique<ledger::testing::LocalTsa>(fs::path(LEDGER_TEST_VECTORS) / "rfc3161",
                                                       work_);
  }
  void TearDown() override {
    tsa_.reset();
    fs::remove_all(work_);
  }
  fs::path work_;
  std::unique_ptr<ledger::testing::LocalTsa> tsa_;
};

TEST_F(TsaClientTest, ATokenForTheDigestVerifiesOfflineAfterwards) {
  const Hash digest = Sha256::Digest("example.com/log\n5\nroot\n");
  const auto before = std::chrono::system_clock::now();
  auto t = RequestTimestamp(tsa_->url(), digest, tsa_->ca_pem());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->info.digest, digest);
  EXPECT_TRUE(t->info.nonce.has_value());
  const auto gen = std::chrono::system_clock::time_point(std::chrono::seconds(t->info.gen_time_unix));
  EXPECT_LE(std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count() - 1,
            static_cast<long>(t->info.gen_time_unix));
  EXPECT_LE(gen, std::chrono::system_clock::now());
  // Later, offline, with only the token, the digest and the pinned root.
  auto again = VerifyToken(t->token, digest, tsa_->ca_pem());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->serial_hex, t->info.serial_hex);
  // Serial numbers grow: two tokens are two pieces of evidence.
  auto second = RequestTimestamp(tsa_->url(), digest, tsa_->ca_pem());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(second->info.serial_hex, t->info.serial_hex);
}

TEST_F(TsaClientTest, AnotherRootDoesNotVouchForTheTsa) {
  std::ifstream in(fs::path(LEDGER_TEST_VECTORS) / "rfc3161" / "sample" / "tsa.crt");
  std::string not_a_root(std::istreambuf_iterator<char>(in), {});
  auto t = RequestTimestamp(tsa_->url(), Sha256::Digest("x"), not_a_root);
  EXPECT_EQ(t.status().reason(), "timestamp_signature_invalid");
}

TEST_F(TsaClientTest, OutagesAndGarbageAreErrors) {
  const Hash digest = Sha256::Digest("x");
  tsa_->fail_with_status(503);
  EXPECT_EQ(RequestTimestamp(tsa_->url(), digest, tsa_->ca_pem()).status().reason(),
            "tsa_unavailable");
  tsa_->fail_with_status(0);
  tsa_->answer_garbage(true);
  EXPECT_EQ(RequestTimestamp(tsa_->url(), digest, tsa_->ca_pem()).status().reason(),
            "timestamp_malformed");
  tsa_->answer_garbage(false);
  EXPECT_TRUE(RequestTimestamp(tsa_->url(), digest, tsa_->ca_pem()).ok());
  const std::string gone = tsa_->url();
  tsa_.reset();
  auto r = RequestTimestamp(gone, digest, "", std::chrono::milliseconds(500));
  EXPECT_EQ(r.status().reason(), "tsa_unavailable");
  EXPECT_EQ(RequestTimestamp("ftp://x", digest, "").status().reason(), "bad_tsa_url");
  EXPECT_EQ(RequestTimestamp("127.0.0.1:1", digest, "").status().reason(), "bad_tsa_url");
}

}  // namespace
}  // namespace ledger::timestamp
