// A fake tlog-witness on 127.0.0.1 for tests: it answers every
// add-checkpoint with a 409 claiming a size, or a 422, and serves a "latest
// checkpoint" of the test's choosing (404 when empty) at
// GET /<hex SHA-256(origin)>/checkpoint, the project witness's monitoring
// endpoint. It stands for a faulty or malicious witness.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace ledger::testing {

class LyingWitness {
 public:
  LyingWitness() {
    http_.Post("/add-checkpoint", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      res.status = status_;
      res.set_content(status_ == 409 ? std::to_string(claimed_) + "\n" : "inconsistent\n",
                      status_ == 409 ? "text/x.tlog.size" : "text/plain");
    });
    http_.Get(R"(/([0-9a-f]{64})/checkpoint)", [this](const httplib::Request&,
                                                     httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++latest_asked_;
      if (latest_.empty()) {
        res.status = 404;
        return;
      }
      res.set_content(latest_, "text/plain");
    });
    port_ = http_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    // stop() is a no-op until the server listens.
    while (!http_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LyingWitness() {
    http_.stop();
    thread_.join();
  }
  void Answer(int status, uint64_t claimed, std::string latest) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    claimed_ = claimed;
    latest_ = std::move(latest);
  }
  int latest_asked() {
    std::lock_guard<std::mutex> lock(mu_);
    return latest_asked_;
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server http_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  int status_ = 409;
  uint64_t claimed_ = 0;
  std::string latest_;
  int latest_asked_ = 0;
};

}  // namespace ledger::testing
