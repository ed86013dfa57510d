// Notary addresses: a Unix socket path or vsock:CID:PORT, parsed strictly.
#include "ledger/notary_client/notary_address.h"

#include <gtest/gtest.h>

#include <string>

#include "ledger/notary_client/notary_client.h"

namespace ledger::notary_client {
namespace {

TEST(NotaryAddressTest, PathsAndVsockAddressesParseAndPrintBack) {
  auto unix_path = ParseNotaryAddress("/run/ledger/notary.sock");
  ASSERT_TRUE(unix_path.ok()) << unix_path.status();
  EXPECT_EQ(unix_path->kind, NotaryAddress::Kind::kUnix);
  EXPECT_EQ(unix_path->ToString(), "/run/ledger/notary.sock");
  auto vsock = ParseNotaryAddress("vsock:16:5005");
  ASSERT_TRUE(vsock.ok()) << vsock.status();
  EXPECT_EQ(vsock->kind, NotaryAddress::Kind::kVsock);
  EXPECT_EQ(vsock->cid, 16u);
  EXPECT_EQ(vsock->port, 5005u);
  EXPECT_EQ(vsock->ToString(), "vsock:16:5005");
  EXPECT_TRUE(ParseNotaryAddress("vsock:1:1").ok());
  EXPECT_TRUE(ParseNotaryAddress("vsock:4294967294:4294967294").ok());
  EXPECT_TRUE(ParseNotaryAddress("relative/notary.sock").ok());
}

TEST(NotaryAddressTest, AnythingElseIsRefusedWithAStableReason) {
  for (std::string bad :
       {std::string(""), std::string("vsock:"), std::string("vsock:16"), std::string("vsock:16:"),
        std::string("vsock::5005"), std::string("vsock:016:5005"), std::string("vsock:16:05005"),
        std::string("vsock:-1:5005"), std::string("vsock:+16:5005"), std::string("vsock: 16:5005"),
        std::string("vsock:16:5005x"), std::string("vsock:16:5005:1"), std::string("vsock:0:5005"),
        std::string("vsock:4294967295:5005"), std::string("vsock:16:0"),
        std::string("vsock:16:4294967295"), std::string("vsock:4294967296:1"),
        std::string("vsock:99999999999:1"), std::string(108, 'a'), std::string("a\0b", 3)}) {
    auto r = ParseNotaryAddress(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().reason(), "bad_notary_address") << bad;
  }
  EXPECT_TRUE(ParseNotaryAddress(std::string(107, 'a')).ok());
}

TEST(NotaryAddressTest, TheClientTakesEitherFormAndRefusesBadOnes) {
  EXPECT_EQ(NotaryClient::Connect("vsock:16").status().reason(), "bad_notary_address");
  EXPECT_EQ(NotaryClient::Connect("").status().reason(), "bad_notary_address");
  EXPECT_EQ(NotaryClient::Connect("/nonexistent/notary.sock").status().reason(), "connect_failed");
}

}  // namespace
}  // namespace ledger::notary_client
