// The /metrics pages of ledgerd, the witness and the explorer, served by the
// real binaries on 127.0.0.1 (a notary enclave on the sim platform, two
// witnesses with quorum 2), pass `promtool check metrics` as Prometheus
// would scrape them, and carry the series ops/monitoring's alert rules and
// dashboard use. anchord's page: tests/anchor/anchord/anchord_test.cc.
#include <httplib.h>

#include <regex>

#include "../ledger/ledgerd/ledgerd_fixture.h"
#include "promtool.h"

namespace ledger::ledgerd::testing {
namespace {

using ledger::testing::ExpectMonitoringNamesOnPage;
using ledger::testing::ExpectPromtoolAccepts;

constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// The value of the sample `series` (name and labels as printed), or -1.
double Value(const std::string& page, const std::string& series) {
  const std::string key = "\n" + series + " ";
  size_t at = ("\n" + page).find(key);
  if (at == std::string::npos) return -1;
  return std::strtod(page.c_str() + at + key.size() - 1, nullptr);
}

// How often `line` starts a line of the page.
size_t Lines(const std::string& page, const std::string& line) {
  size_t n = 0;
  for (size_t at = 0; (at = ("\n" + page).find("\n" + line, at)) != std::string::npos; ++at) ++n;
  return n;
}

class MetricsPagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    d_ = new Deployment();
    d_->dir_prefix = "metrics-pages-test";
    d_->witness_count = 2;
    d_->witness_quorum = 2;
    d_->Create();
    if (::testing::Test::HasFatalFailure()) return;
    std::vector<std::string> flags = d_->WitnessFlags();
    flags.insert(flags.end(), {"--witness-timeout-ms", "5000"});
    ledgerd_port_ = d_->StartLedgerd(ledgerd_, flags);
    ASSERT_GT(ledgerd_port_, 0) << Slurp(d_->P("ledgerd.log"));
    bool serving = false;
    for (int i = 0; i < 200 && !serving; ++i) {
      auto h = Client(ledgerd_port_).Get("/healthz");
      serving = h && h->status == 200;
      if (!serving) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(serving) << Slurp(d_->P("ledgerd.log"));
    auto r = Client(ledgerd_port_).Post("/v1/entries", d_->StampedBatch("m-", 3).dump(),
                                        "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  static void TearDownTestSuite() {
    explorer_.reset();
    ledgerd_.reset();
    if (d_) d_->Destroy();
    delete d_;
    d_ = nullptr;
  }
  void SetUp() override {
    ASSERT_GT(ledgerd_port_, 0);
    SKIP_WITHOUT_PROMTOOL();
  }

  static httplib::Client Client(int port) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);
    return c;
  }

  // GET /metrics: 200 with the exposition format's Content-Type.
  static std::string Page(int port) {
    auto r = Client(port).Get("/metrics");
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), kContentType);
    return r->body;
  }

  static Deployment* d_;
  static std::unique_ptr<Process> ledgerd_, explorer_;
  static int ledgerd_port_;
};

Deployment* MetricsPagesTest::d_ = nullptr;
std::unique_ptr<Process> MetricsPagesTest::ledgerd_;
std::unique_ptr<Process> MetricsPagesTest::explorer_;
int MetricsPagesTest::ledgerd_port_ = 0;

TEST_F(MetricsPagesTest, LedgerdPassesPromtool) {
  const std::string page = Page(ledgerd_port_);
  ExpectPromtoolAccepts(page, "ledgerd /metrics");
  // The quorum's size and each witness's size are two families.
  EXPECT_EQ(Lines(page, "# TYPE ledgerd_witness_cosigned_size "), 1u) << page;
  EXPECT_EQ(Lines(page, "# TYPE ledgerd_witness_quorum_cosigned_size "), 1u) << page;
  EXPECT_GE(Value(page, "ledgerd_witness_quorum_cosigned_size"), 3) << page;
  for (int i = 0; i < 2; ++i) {
    const std::string w = "{witness=\"" + Deployment::WitnessName(i) + "\"}";
    EXPECT_GE(Value(page, "ledgerd_witness_cosigned_size" + w), 3) << page;
    EXPECT_EQ(Value(page, "ledgerd_witness_up" + w), 1) << page;
    EXPECT_EQ(Value(page, "ledgerd_witness_faulty" + w), 0) << page;
  }
  EXPECT_EQ(Value(page, "ledgerd_up"), 1);
  EXPECT_EQ(Value(page, "ledgerd_rollback_detected"), 0);
  EXPECT_EQ(Value(page, "ledgerd_notary_head_unconfirmed"), 0);
  EXPECT_EQ(Value(page, "ledgerd_queue_limit"), 10000);
  EXPECT_GE(Value(page, "ledgerd_entries_appended_total"), 3);
  EXPECT_GE(Value(page, "ledgerd_batch_commit_seconds_count"), 1);
  EXPECT_GT(Value(page, "ledgerd_notary_seconds_total"), 0);
  EXPECT_EQ(page.find("microseconds"), std::string::npos) << page;
  ExpectMonitoringNamesOnPage(page, "ledgerd_");
}

TEST_F(MetricsPagesTest, WitnessPassesPromtool) {
  // A refusal, counted by its reason.
  auto bad = Client(d_->witness_ports[0]).Post("/add-checkpoint", "old 0\n\nnot a checkpoint\n",
                                              "text/plain");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  for (int i = 0; i < 2; ++i) {
    const std::string page = Page(d_->witness_ports[i]);
    ExpectPromtoolAccepts(page, "witness /metrics");
    const std::string log = "{log=\"" + d_->origin + "\"}";
    EXPECT_GE(Value(page, "witness_cosignatures_total" + log), 1) << page;
    EXPECT_GE(Value(page, "witness_cosigned_size" + log), 3) << page;
    if (i == 0) {
      EXPECT_NE(page.find("witness_refusals_total{reason=\"malformed_checkpoint\"} 1"),
                std::string::npos)
          << page;
      ExpectMonitoringNamesOnPage(page, "witness_");
    }
  }
}

TEST_F(MetricsPagesTest, ExplorerPassesPromtool) {
  explorer_ = std::make_unique<Process>(
      std::vector<std::string>{EXPLORER_BIN, "--data", d_->P("log"), "--listen", "127.0.0.1:0",
                               "--refresh-ms", "0"},
      d_->P("explorer.log"));
  const std::string line = explorer_->ReadLine();
  const std::string prefix = "listening on 127.0.0.1:";
  ASSERT_EQ(line.rfind(prefix, 0), 0u) << line << Slurp(d_->P("explorer.log"));
  const int port = std::stoi(line.substr(prefix.size()));
  auto c = Client(port);
  auto cp = c.Get("/checkpoint");
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->status, 200);
  auto entry = c.Get("/v1/entries/0");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->status, 200);
  auto missing = c.Get("/v1/entries/999999");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  const std::string page = Page(port);
  ExpectPromtoolAccepts(page, "explorer /metrics");
  EXPECT_GE(Value(page, "explorer_tree_size"), 3) << page;
  EXPECT_EQ(Value(page, "explorer_store_verified"), 1) << page;
  EXPECT_EQ(Value(page, "explorer_store_read_errors_total"), 0) << page;
  EXPECT_EQ(Value(page, "explorer_http_requests_total{route=\"/checkpoint\",status=\"200\"}"), 1)
      << page;
  EXPECT_EQ(
      Value(page, "explorer_http_requests_total{route=\"/v1/entries/{index}\",status=\"200\"}"), 1)
      << page;
  EXPECT_EQ(
      Value(page, "explorer_http_requests_total{route=\"/v1/entries/{index}\",status=\"404\"}"), 1)
      << page;
  ExpectMonitoringNamesOnPage(page, "explorer_");
}

}  // namespace
}  // namespace ledger::ledgerd::testing
