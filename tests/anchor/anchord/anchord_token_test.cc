// anchord's token for ledgerd's statement route (--ledgerd-token-file,
// ledgerd's --anchor-tokens): a wrong token anchors and records nothing, and
// an unusable token file (untrusted input) stops anchord before it starts.
#include <sys/stat.h>

#include "anchord_fixture.h"

namespace anchor::anchord::testing {
namespace {

TEST(LedgerdTokenTest, OnlyOneNameColonTokenLineIsAccepted) {
  EXPECT_EQ(*ParseLedgerdToken("anchord:s3cret\n"), "anchord:s3cret");
  EXPECT_EQ(*ParseLedgerdToken("anchord:s3cret\r\n"), "anchord:s3cret");
  EXPECT_EQ(*ParseLedgerdToken("anchord:a:b"), "anchord:a:b");  // the token may hold colons
  for (const char* bad :
       {"", "\n", "anchord", "anchord:", ":s3cret", "anchord:s3cret\nmore:x", "anchord: s3cret",
        "anchord:s3\tcret", "anchord:s3cret\x7f", "anch\x01ord:s3cret"}) {
    auto t = ParseLedgerdToken(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().reason(), "bad_token_file") << bad;
  }
  auto none = LedgerdClient::Create("http://127.0.0.1:1", "");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().reason(), "bad_token_file");
}

// The token travels in clear only to loopback: http:// elsewhere is refused
// before anything is sent; https anywhere is taken.
TEST(LedgerdTokenTest, PlainHttpOnlyToLoopback) {
  for (const char* url : {"http://192.0.2.1:8080", "http://ledgerd.example:80/",
                          "http://0.0.0.0:1", "http://[2001:db8::1]:8080"}) {
    auto c = LedgerdClient::Create(url, "anchord:s3cret");
    ASSERT_FALSE(c.ok()) << url;
    EXPECT_EQ(c.status().reason(), "credentials_over_plaintext") << url;
  }
  for (const char* url : {"http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1",
                          "https://192.0.2.1:8080"}) {
    auto c = LedgerdClient::Create(url, "anchord:s3cret");
    EXPECT_TRUE(c.ok()) << url << " " << c.status();
  }
}

TEST_F(AnchordTest, AWrongTokenAnchorsNothing) {
  Append(2, "t-");
  for (const std::string& token :
       {std::string("anchord:not-the-token"), std::string("someone:") + kAnchordToken}) {
    AnchordOptions o = Options();
    o.ledgerd_token = token;
    auto anchord = NewAnchord(std::move(o));
    ASSERT_NE(anchord, nullptr);
    auto step = anchord->Step();
    ASSERT_FALSE(step.ok());
    EXPECT_EQ(step.status().reason(), "unauthenticated") << step.status();
  }
  EXPECT_EQ(Latest().tree_size, 0u);
  EXPECT_TRUE(Recorded().empty());
  // The right one, as a control.
  auto anchord = NewAnchord(Options());
  ASSERT_NE(anchord, nullptr);
  auto step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(Recorded().size(), 1u);
}

TEST_F(AnchordTest, TheBinaryRefusesAnUnusableTokenFile) {
  auto run = [&](const std::string& name, const std::string& text, mode_t mode) {
    const std::string path = deployment_.P(name);
    std::ofstream(path, std::ios::binary) << text;
    ::chmod(path.c_str(), mode);
    std::vector<std::string> argv = AnchordFlags();
    auto at = std::find(argv.begin(), argv.end(), "--ledgerd-token-file");
    *(at + 1) = path;
    argv.insert(argv.end(), {"--every", "0", "--once"});
    const std::string log = deployment_.P(name + ".log");
    Process p(argv, log);
    const int status = p.Wait();
    return std::make_pair(status, Slurp(log));
  };
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"empty.token", ""},
           {"bare.token", std::string(kAnchordToken) + "\n"},
           {"lines.token", std::string("anchord:") + kAnchordToken + "\nanchord:x\n"}}) {
    auto [status, err] = run(name, text, 0600);
    EXPECT_EQ(status, 1) << name << err;
    EXPECT_NE(err.find("bad_token_file"), std::string::npos) << name << err;
  }
  // A secret readable by others is refused, as the keys are.
  auto [status, err] = run("open.token", std::string("anchord:") + kAnchordToken, 0644);
  EXPECT_EQ(status, 1) << err;
  EXPECT_NE(err.find("key_file_mode"), std::string::npos) << err;
  // Without the flag: a usage error.
  std::vector<std::string> argv = AnchordFlags();
  auto at = std::find(argv.begin(), argv.end(), "--ledgerd-token-file");
  argv.erase(at, at + 2);
  Process p(argv, deployment_.P("no-token.log"));
  EXPECT_EQ(p.Wait(), 2);
  EXPECT_NE(Slurp(deployment_.P("no-token.log")).find("missing --ledgerd-token-file"),
            std::string::npos);
  EXPECT_EQ(Latest().tree_size, 0u);
}

}  // namespace
}  // namespace anchor::anchord::testing
