// ledgerd's options: flags and the JSON config file mean the same, flags
// override the file, unknown keys and bad values are errors.
#include "ledger/ledgerd/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ledger::ledgerd {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() /
             ("ledgerd-config-" + std::to_string(::getpid()) + ".json"))
                .string();
    std::ofstream(path_) << text;
    return path_;
  }
  void TearDown() override {
    if (!path_.empty()) std::filesystem::remove(path_);
  }
  std::string path_;
};

TEST_F(ConfigTest, EveryFlagHasAKeyAndFlagsOverride) {
  std::string file = Write(R"({"data": "/d", "listen": "127.0.0.1:8080", "max_batch": 7,
    "max_delay_ms": 3, "queue_limit": 50, "max_body": 4096, "http_threads": 9,
    "witness": ["a=http://127.0.0.1:1", "b=http://127.0.0.1:2"],
    "witness_timeout_ms": 1500, "witness_request_timeout_ms": 700})");
  ServerOptions o;
  ASSERT_TRUE(ParseCommandLine({"--max-batch", "11", "--config", file}, o).ok());
  EXPECT_EQ(o.data_dir, "/d");
  EXPECT_EQ(o.port, 8080);
  EXPECT_EQ(o.max_batch, 11u);  // the flag wins, wherever --config is
  EXPECT_EQ(o.max_delay.count(), 3);
  EXPECT_EQ(o.queue_limit, 50u);
  EXPECT_EQ(o.max_body, 4096u);
  EXPECT_EQ(o.http_threads, 9u);
  EXPECT_EQ(o.witnesses.size(), 2u);
  EXPECT_EQ(o.witness_timeout.count(), 1500);
  EXPECT_EQ(o.witness_request_timeout.count(), 700);
  // --witness flags replace the file's list.
  ServerOptions p;
  ASSERT_TRUE(ParseCommandLine({"--config", file, "--witness", "c=http://127.0.0.1:3"}, p).ok());
  ASSERT_EQ(p.witnesses.size(), 1u);
  EXPECT_EQ(p.witnesses[0], "c=http://127.0.0.1:3");
}

TEST_F(ConfigTest, HostTaskKeys) {
  std::string file = Write(R"({"data": "/d", "host_key": "/k/host.key",
    "export_tokens": "/k/tokens", "anchor_tokens": "/k/anchor-tokens", "verify_every": 3600,
    "verify_backup": "/backup/store"})");
  ServerOptions o;
  ASSERT_TRUE(ParseCommandLine({"--config", file, "--verify-every", "60"}, o).ok());
  EXPECT_EQ(o.host_key, "/k/host.key");
  EXPECT_EQ(o.export_tokens, "/k/tokens");
  EXPECT_EQ(o.anchor_tokens, "/k/anchor-tokens");
  EXPECT_EQ(o.verify_every.count(), 60);
  EXPECT_EQ(o.verify_backup, "/backup/store");
  ServerOptions p;
  EXPECT_EQ(ParseCommandLine({"--verify-every", "soon"}, p).reason(), "bad_option");
  EXPECT_EQ(ParseCommandLine({"--verify-every", "99999999999"}, p).reason(), "bad_option");
  EXPECT_EQ(ParseCommandLine({"--host-key", ""}, p).reason(), "bad_option");
  EXPECT_EQ(ParseCommandLine({"--anchor-tokens", ""}, p).reason(), "bad_option");
  ASSERT_TRUE(ParseCommandLine({"--anchor-tokens", "/k/a"}, p).ok());
  EXPECT_EQ(p.anchor_tokens, "/k/a");
  EXPECT_FALSE(ApplyConfigFile(Write(R"({"anchor_tokens": 1})"), p).ok());
  EXPECT_FALSE(ApplyConfigFile(Write(R"({"verify_every": "60"})"), p).ok());
  ServerOptions t;
  ASSERT_TRUE(ParseCommandLine({"--tsa-url", "http://tsa.example/", "--tsa-ca", "/k/ca.pem"}, t)
                  .ok());
  EXPECT_EQ(t.tsa_url, "http://tsa.example/");
  EXPECT_EQ(t.tsa_ca, "/k/ca.pem");
  EXPECT_EQ(ParseCommandLine({"--tsa-url", "tsa.example"}, t).reason(), "bad_option");
}

TEST_F(ConfigTest, TlsKeys) {
  std::string file = Write(R"({"data": "/d", "tls_cert": "/t/ledgerd.crt",
    "tls_key": "/t/ledgerd.key", "client_ca": "/t/clients.crt", "witness_ca": "/t/ca.crt"})");
  ServerOptions o;
  ASSERT_TRUE(ParseCommandLine({"--config", file, "--tls-key", "/t/other.key"}, o).ok());
  EXPECT_EQ(o.tls.cert_file, "/t/ledgerd.crt");
  EXPECT_EQ(o.tls.key_file, "/t/other.key");
  EXPECT_EQ(o.tls.client_ca, "/t/clients.crt");
  EXPECT_EQ(o.witness_tls.ca_file, "/t/ca.crt");
  ServerOptions p;
  EXPECT_EQ(ParseCommandLine({"--tls-cert", ""}, p).reason(), "bad_option");
  EXPECT_FALSE(ApplyConfigFile(Write(R"({"client_ca": true})"), p).ok());
}

// The idle head is re-witnessed often enough for the notary to keep a fresh
// witness time (ledger/note/witness_time.h); a slower refresh is refused.
TEST_F(ConfigTest, WitnessRefreshStaysWithinTheClockBound) {
  std::string file = Write(R"({"data": "/d", "witness_refresh_ms": 30000})");
  ServerOptions o;
  ASSERT_TRUE(ParseCommandLine({"--config", file}, o).ok());
  EXPECT_EQ(o.witness_refresh.count(), 30000);
  ServerOptions d;
  EXPECT_EQ(d.witness_refresh.count(), 60000);
  EXPECT_TRUE(ParseCommandLine({"--witness-refresh-ms", "99999"}, d).ok());
  EXPECT_EQ(ParseCommandLine({"--witness-refresh-ms", "100000"}, d).reason(), "bad_option");
  EXPECT_EQ(ParseCommandLine({"--witness-refresh-ms", "0"}, d).reason(), "bad_option");
}

TEST_F(ConfigTest, TheSampleConfigIsValid) {
  ServerOptions o;
  Status s = ParseCommandLine({"--config", LEDGERD_SAMPLE_CONFIG}, o);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(o.witnesses.size(), 2u);
}

TEST_F(ConfigTest, UnknownKeysWrongTypesAndBadValuesAreErrors) {
  for (const char* text : {R"({"data": "/d", "colour": "blue"})", R"({"max_batch": "7"})",
                           R"({"max_batch": -1})", R"({"max_batch": 0})", R"({"data": 5})",
                           R"({"witness": "a=http://x:1"})", R"({"witness": [1]})",
                           R"({"witness": ["no-equals"]})", R"({"config": "x"})", R"([1])",
                           R"({"listen": "nohost"})", "not json"}) {
    ServerOptions o;
    Status s = ParseCommandLine({"--config", Write(text)}, o);
    EXPECT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << text;
  }
  ServerOptions o;
  EXPECT_FALSE(ParseCommandLine({"--colour", "blue"}, o).ok());
  EXPECT_FALSE(ParseCommandLine({"--max-batch"}, o).ok());
  EXPECT_FALSE(ParseCommandLine({"--max-batch", "10001"}, o).ok());
  EXPECT_EQ(ParseCommandLine({"--config", "/nonexistent/ledgerd.json"}, o).code(),
            Code::kNotFound);
}

}  // namespace
}  // namespace ledger::ledgerd
