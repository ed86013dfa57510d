// Token files (untrusted input) and HTTP Basic authentication against them,
// as ledgerd's --export-tokens and --anchor-tokens use them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/ledgerd/api_tokens.h"

namespace ledger::ledgerd {
namespace {

class ApiTokensTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    path_ =
        (std::filesystem::temp_directory_path() / ("ledgerd-tokens-" + std::to_string(::getpid())))
            .string();
    std::ofstream(path_, std::ios::binary) << text;
    return path_;
  }
  void TearDown() override {
    if (!path_.empty()) std::filesystem::remove(path_);
  }
  static std::string Line(const std::string& name, const std::string& token) {
    return name + ":" + Sha256::Digest(token).Hex() + "\n";
  }
  static std::string Basic(const std::string& pair) {
    return "Basic " + Base64Encode(AsBytes(pair));
  }
  std::string path_;
};

TEST_F(ApiTokensTest, AuthenticatesOnlyTheListedNameWithItsToken) {
  auto t = ApiTokens::Load(Write(Line("anchord", "s3cret") + Line("other", "another")));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->Authenticate(Basic("anchord:s3cret")), "anchord");
  EXPECT_EQ(t->Authenticate(Basic("other:another")), "other");
  for (const std::string& bad : std::vector<std::string>{
           std::string(), Basic("anchord:wrong"), Basic("anchord:another"), Basic("nobody:s3cret"),
           Basic("anchord"), Basic(":s3cret"), Basic("anchord:s3cret "), "Bearer s3cret", "Basic",
           "Basic ", "Basic %%%", "Basic" + Basic("anchord:s3cret").substr(5) + "x"}) {
    EXPECT_FALSE(t->Authenticate(bad).has_value()) << bad;
  }
}

TEST_F(ApiTokensTest, MalformedFilesAreRefused) {
  const std::string d = Sha256::Digest("s3cret").Hex();
  for (const std::string& text : std::vector<std::string>{
           std::string(), std::string("\n\r\n"), "s3cret\n", "anchord:s3cret\n", ":" + d,
           "anchord:" + d.substr(1), "anchord:" + d + "00", "anchord:" + d.substr(1) + "z",
           "a:b:" + d, "anc\thord:" + d, "anchord:" + d + "\n\nother:" + d,
           "anchord:" + d + "\nanchord:" + d}) {
    auto t = ApiTokens::Load(Write(text));
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().reason(), "bad_token_file") << text;
  }
  auto missing = ApiTokens::Load("/nonexistent/ledgerd-tokens");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().reason(), "no_such_file");
  // CRLF line ends and a missing final newline are fine.
  EXPECT_TRUE(ApiTokens::Load(Write("anchord:" + d + "\r\nother:" + d)).ok());
}

TEST_F(ApiTokensTest, SharedTokensAreFound) {
  auto a = ApiTokens::Load(Write(Line("anchord", "s3cret"))).value();
  auto b = ApiTokens::Load(Write(Line("auditor", "other") + Line("x", "s3cret"))).value();
  auto c = ApiTokens::Load(Write(Line("anchord", "other2"))).value();
  EXPECT_TRUE(a.SharesTokenWith(b));
  EXPECT_TRUE(b.SharesTokenWith(a));
  EXPECT_FALSE(a.SharesTokenWith(c));
  EXPECT_FALSE(b.SharesTokenWith(c));
}

}  // namespace
}  // namespace ledger::ledgerd
