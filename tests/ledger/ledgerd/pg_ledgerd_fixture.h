// ledgerd on a PostgreSQL store, for the failover tests: a deployment with
// two witnesses (quorum 2), stamped appends over HTTP that return what was
// acknowledged, and a "second host" (another data directory with the same
// ledger.json and its own, standby, notary).
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ledger/codec/event_json.h"
#include "ledger/record/event.h"
#include "ledger/record/stamp.h"
#include "ledgerd_fixture.h"

namespace ledger::ledgerd::testing {

class PgLedgerdTest : public ::testing::Test {
 protected:
  std::vector<std::string> Flags() {
    std::vector<std::string> flags = d_.WitnessFlags();
    flags.insert(flags.end(), {"--witness-timeout-ms", "3000", "--witness-request-timeout-ms",
                               "2000"});
    return flags;
  }

  static httplib::Client Client(int port) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(20, 0);
    c.set_connection_timeout(2, 0);
    return c;
  }

  nlohmann::json Entry(const std::string& id) {
    nlohmann::json event = SampleEvent(id);
    auto e = codec::EventFromJsonValue(event);
    auto bytes = EncodeEvent(*e);
    auto stamp = MakeStamp(d_.origin, *bytes, *d_.submitter);
    return {{"event", event}, {"stamp", Base64Encode(*stamp)}};
  }

  // POST /v1/entries with `n` events; the acknowledged (index, leaf_hash) or
  // empty when refused.
  std::vector<std::pair<uint64_t, std::string>> Append(int port, const std::string& tag, int n,
                                                       int* status = nullptr) {
    nlohmann::json body = {{"entries", nlohmann::json::array()}};
    for (int i = 0; i < n; ++i) body["entries"].push_back(Entry(tag + "-" + std::to_string(i)));
    auto r = Client(port).Post("/v1/entries", body.dump(), "application/json");
    if (status != nullptr) *status = r ? r->status : 0;
    std::vector<std::pair<uint64_t, std::string>> out;
    if (!r || r->status != 200) return out;
    auto answer = nlohmann::json::parse(r->body, nullptr, false);
    for (const auto& result : answer["results"]) {
      if (!result.contains("receipt")) return {};
      out.emplace_back(result["receipt"]["index"].get<uint64_t>(),
                       result["receipt"]["leaf_hash"].get<std::string>());
    }
    return out;
  }

  nlohmann::json Health(int port) {
    auto r = Client(port).Get("/healthz");
    if (!r) return {};
    auto body = nlohmann::json::parse(r->body, nullptr, false);
    body["status"] = r->status;
    return body;
  }

  // The second host's data directory: the same ledger.json, its own notary.
  std::string SecondHost() {
    const std::string dir = d_.P("log-b");
    std::filesystem::create_directories(dir);
    auto config = nlohmann::json::parse(Slurp(d_.P("log/ledger.json")));
    config["notary_socket"] = d_.P("notary-b.sock");
    std::ofstream(dir + "/ledger.json") << config.dump(2) << "\n";
    std::filesystem::copy_file(d_.P("log/log.vkey"), dir + "/log.vkey");
    return dir;
  }

  int StartLedgerd(std::unique_ptr<Process>& slot, const std::string& dir,
                   const std::string& log, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {LEDGERD_BIN, "--data", dir, "--listen", "127.0.0.1:0",
                                     "--max-delay-ms", "5"};
    for (const auto& f : Flags()) argv.push_back(f);
    slot = std::make_unique<Process>(argv, d_.P(log), std::move(env));
    const std::string line = slot->ReadLine();
    const std::string prefix = "listening on 127.0.0.1:";
    if (line.rfind(prefix, 0) != 0) return 0;
    return std::stoi(line.substr(prefix.size()));
  }

  // Append, retried every 100 ms for at most `seconds` while refused (a
  // ledgerd taking over is not serving yet); the acknowledgements.
  std::vector<std::pair<uint64_t, std::string>> AppendWhenServing(int port, const std::string& tag,
                                                                  int n, int seconds) {
    std::vector<std::pair<uint64_t, std::string>> got;
    for (int i = 0; i < seconds * 10 && got.empty(); ++i) {
      got = Append(port, tag, n);
      if (got.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return got;
  }

  // Every acknowledged entry is served by the ledgerd on `port` at its index
  // with its leaf hash.
  void ExpectAcknowledgedAt(int port, const std::map<uint64_t, std::string>& acknowledged) {
    for (const auto& [index, leaf] : acknowledged) {
      auto r = Client(port).Get("/v1/entries/" + std::to_string(index) + "/receipt");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << index << " " << r->body;
      EXPECT_EQ(nlohmann::json::parse(r->body)["leaf_hash"].get<std::string>(), leaf)
          << "entry " << index;
    }
  }

  // Until /healthz answers 200 (the witnesses confirmed the notary's boot
  // checkpoint), at most 30 s.
  bool Ready(int port) {
    for (int i = 0; i < 300; ++i) {
      auto r = Client(port).Get("/healthz");
      if (r && r->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Clients that append batches of 8 events to a ledgerd until asked to
  // stop; every receipt is an acknowledgement a failover must keep.
  class Load {
   public:
    Load(PgLedgerdTest* test, int port, int clients) {
      for (int c = 0; c < clients; ++c) {
        threads_.emplace_back([this, test, port, c] {
          for (int b = 0; !stop_; ++b) {
            auto got = test->Append(port, "load" + std::to_string(c) + "-" + std::to_string(b), 8);
            if (got.empty()) {
              std::this_thread::sleep_for(std::chrono::milliseconds(20));
              continue;
            }
            std::lock_guard<std::mutex> l(mu_);
            for (auto& [index, leaf] : got) acked_[index] = leaf;
            ++batches_;
          }
        });
      }
    }
    ~Load() { Join(); }
    int batches() const { return batches_; }
    // Asks the clients to stop; their requests under way end on their own.
    void Stop() { stop_ = true; }
    // Stops and waits for the clients; what they were told by then.
    std::map<uint64_t, std::string> Join() {
      stop_ = true;
      for (auto& t : threads_) {
        if (t.joinable()) t.join();
      }
      std::lock_guard<std::mutex> l(mu_);
      return acked_;
    }

   private:
    std::mutex mu_;
    std::map<uint64_t, std::string> acked_;
    std::atomic<bool> stop_{false};
    std::atomic<int> batches_{0};
    std::vector<std::thread> threads_;
  };

  Deployment d_;
  std::unique_ptr<Process> ledgerd_a_, ledgerd_b_, notary_b_;
};

}  // namespace ledger::ledgerd::testing
