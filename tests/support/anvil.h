// A real anvil (Foundry's local EVM node) for tests and benchmarks: started
// on 127.0.0.1 with a free port (anvil --port 0 prints the one it took),
// killed when the object goes away. The binary comes from .deps/npm, where
// ops/setup installs it; when it is missing, error() says so and tests fail
// with that message instead of skipping.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "ledger_test_paths.h"

namespace ledger::testing {

// anvil's first two pre-funded development accounts (printed at start;
// the well-known "test test ... junk" mnemonic).
inline constexpr const char* kAnvilKey0 =
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
inline constexpr const char* kAnvilKey1 =
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

inline std::string NpmBin(const std::string& name) {
  return std::string(LEDGER_SOURCE_DIR) + "/.deps/npm/node_modules/.bin/" + name;
}

class Anvil {
 public:
  explicit Anvil(std::vector<std::string> extra_args = {}, uint64_t chain_id = 31337) {
    const std::string bin = NpmBin("anvil");
    if (!std::filesystem::exists(bin)) {
      error_ = bin + " is missing: run ops/setup (it installs anvil, cast and solc into .deps/npm)";
      return;
    }
    std::vector<std::string> argv = {bin, "--host", "127.0.0.1", "--port", "0",
                                     "--chain-id", std::to_string(chain_id)};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<ChildProcess>(argv);
    const std::string marker = "Listening on 127.0.0.1:";
    for (int i = 0; i < 500; ++i) {
      std::string line = process_->ReadLine();
      if (line.empty() && !process_->running()) break;
      if (auto at = line.find(marker); at != std::string::npos) {
        port_ = std::stoi(line.substr(at + marker.size()));
        // anvil logs every request on stdout: keep the pipe drained or it
        // blocks once the pipe buffer is full.
        drain_ = std::thread([this] {
          while (!stopping_) {
            if (process_->ReadLine().empty()) {
              std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
          }
        });
        return;
      }
    }
    error_ = "anvil did not report its port";
  }

  Anvil(const Anvil&) = delete;
  Anvil& operator=(const Anvil&) = delete;
  ~Anvil() {
    stopping_ = true;
    Kill();
    if (drain_.joinable()) drain_.join();
  }

  bool ok() const { return port_ != 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // SIGKILL: an RPC outage, as far as clients can tell.
  void Kill() {
    if (process_) process_->Kill();
  }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::thread drain_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
  std::string error_;
};

}  // namespace ledger::testing
