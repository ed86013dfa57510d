// anchord behind a lying JSON-RPC endpoint (a proxy in front of anvil that
// rewrites answers): a wrong chain id, malformed JSON, a receipt for another
// transaction and a receipt claiming a revert are refused, and nothing is
// recorded; once the endpoint tells the truth again, the anchor that did
// reach the chain is recorded exactly once.
#include <atomic>
#include <thread>

#include "anchord_fixture.h"

namespace anchor::anchord::testing {
namespace {

enum class Lie { kNone, kChainId, kMalformed, kOtherReceipt, kRevertedReceipt };

class LyingRpc {
 public:
  explicit LyingRpc(std::string upstream_url) : upstream_(std::move(upstream_url)) {
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      httplib::Client up(upstream_);
      auto r = up.Post("/", req.body, "application/json");
      if (!r) {
        res.status = 502;
        return;
      }
      auto j = nlohmann::json::parse(r->body, nullptr, false);
      auto request = nlohmann::json::parse(req.body, nullptr, false);
      const std::string method = request.is_object() ? request.value("method", "") : "";
      const Lie lie = lie_.load();
      if (lie == Lie::kMalformed) {
        res.set_content("{\"jsonrpc\":\"2.0\",\"id\":", "application/json");
        return;
      }
      if (lie == Lie::kChainId && method == "eth_chainId") j["result"] = "0x1";
      if (method == "eth_getTransactionReceipt" && j.contains("result") &&
          j["result"].is_object()) {
        if (lie == Lie::kOtherReceipt) {
          j["result"]["transactionHash"] = "0x" + std::string(64, 'a');
        }
        if (lie == Lie::kRevertedReceipt) j["result"]["status"] = "0x0";
      }
      res.set_content(j.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~LyingRpc() {
    server_.stop();
    thread_.join();
  }
  void Set(Lie lie) { lie_.store(lie); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string upstream_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<Lie> lie_{Lie::kNone};
};

class AnchordRpcTest : public AnchordTest {};

TEST_F(AnchordRpcTest, ALyingEndpointIsRefusedAndNothingIsRecorded) {
  Append(2, "l-");
  LyingRpc proxy(anvil_->url());
  AnchordOptions o = Options();
  o.rpc_url = proxy.url();
  o.payer.receipt_timeout = std::chrono::milliseconds(3000);
  auto anchord = NewAnchord(o);
  ASSERT_NE(anchord, nullptr);

  proxy.Set(Lie::kChainId);
  auto step = anchord->Step();
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().reason(), "wrong_chain");

  proxy.Set(Lie::kMalformed);
  step = anchord->Step();
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().reason(), "rpc_malformed") << step.status();
  EXPECT_EQ(Latest().tree_size, 0u);
  EXPECT_TRUE(Recorded().empty());

  // The transaction reaches the chain, but the endpoint shows a receipt of
  // another transaction: anchord does not take it as confirmed.
  proxy.Set(Lie::kOtherReceipt);
  step = anchord->Step();
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().reason(), "rpc_receipt_mismatch") << step.status();
  EXPECT_TRUE(Recorded().empty());
  EXPECT_EQ(Latest().tree_size, 3u);  // on chain all the same

  // A receipt claiming a revert: not recorded either.
  proxy.Set(Lie::kRevertedReceipt);
  step = anchord->Step();
  ASSERT_FALSE(step.ok());
  EXPECT_TRUE(Recorded().empty());

  // The truth again: the anchor on chain is confirmed and recorded once.
  proxy.Set(Lie::kNone);
  step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kRecovered);
  auto records = Recorded();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].statement.tree_size, 3u);
  step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kIdle);
}

}  // namespace
}  // namespace anchor::anchord::testing
