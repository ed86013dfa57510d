// A Time Stamping Authority on 127.0.0.1 for tests: cpp-httplib in front of
// `openssl ts -reply` (OpenSSL's own TSA, RFC 3161 §3.4 over HTTP), with the
// test root and TSA key from tests/vectors/rfc3161. Real tokens, real
// signatures: nothing about the answer is simulated.
//
// Also serves the failures a client must survive: `fail_with_status(503)`
// answers every request with that HTTP status, `answer_garbage(true)` with a
// body that is not a TimeStampResp.
#pragma once

#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace ledger::testing {

class LocalTsa {
 public:
  // `vectors`: the tests/vectors/rfc3161 folder; `work`: a scratch folder.
  LocalTsa(const std::filesystem::path& vectors, const std::filesystem::path& work)
      : dir_(work) {
    namespace fs = std::filesystem;
    fs::create_directories(dir_);
    for (const char* f : {"ca.crt", "tsa.crt", "tsa.key"}) {
      fs::copy_file(vectors / "sample" / f, dir_ / f, fs::copy_options::overwrite_existing);
    }
    fs::copy_file(vectors / "tsa.cnf", dir_ / "tsa.cnf", fs::copy_options::overwrite_existing);
    fs::permissions(dir_ / "tsa.cnf", fs::perms::owner_read | fs::perms::owner_write);
    std::ofstream(dir_ / "tsaserial") << "01\n";
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      if (int s = fail_status_.load()) {
        res.status = s;
        return;
      }
      if (garbage_) {
        res.set_content("not a TimeStampResp", "application/timestamp-reply");
        return;
      }
      std::lock_guard lock(mu_);  // one serial counter file
      std::ofstream(dir_ / "req.tsq", std::ios::binary) << req.body;
      const std::string cmd = "cd '" + dir_.string() +
                              "' && openssl ts -reply -config tsa.cnf -queryfile req.tsq"
                              " -inkey tsa.key -signer tsa.crt -out resp.tsr 2>tsa.log";
      if (std::system(cmd.c_str()) != 0) {
        res.status = 500;
        return;
      }
      std::ifstream in(dir_ / "resp.tsr", std::ios::binary);
      res.set_content(std::string(std::istreambuf_iterator<char>(in), {}),
                      "application/timestamp-reply");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("LocalTsa: cannot bind");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~LocalTsa() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  LocalTsa(const LocalTsa&) = delete;
  LocalTsa& operator=(const LocalTsa&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::string ca_pem() const {
    std::ifstream in(dir_ / "ca.crt");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void fail_with_status(int status) { fail_status_ = status; }
  void answer_garbage(bool on) { garbage_ = on; }
  int requests() const { return requests_; }

 private:
  std::filesystem::path dir_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::atomic<int> fail_status_{0};
  std::atomic<bool> garbage_{false};
  std::atomic<int> requests_{0};
};

}  // namespace ledger::testing
