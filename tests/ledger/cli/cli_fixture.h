// Runs ledgerctl in-process in a fresh temporary folder per test: what the
// binary does, with its exit code, stdout and stderr.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/cli/ledgerctl.h"

namespace ledger::cli::testing {

struct CtlResult {
  int code;
  std::string out, err;
  nlohmann::json Json() const { return nlohmann::json::parse(out); }
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("ledgerctl-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CtlResult Ctl(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    int code = RunLedgerctl(args, in, out, err);
    return {code, out.str(), err.str()};
  }
  // A path in the test's folder.
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  std::string Write(const std::string& name, std::string_view content) {
    std::ofstream(P(name), std::ios::binary) << content;
    return P(name);
  }
  std::string Write(const std::string& name, const Bytes& content) {
    return Write(name, AsString(content));
  }

  std::filesystem::path dir_;
};

}  // namespace ledger::cli::testing
