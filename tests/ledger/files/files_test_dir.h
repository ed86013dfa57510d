// A fresh folder per test under the system's temporary folder, removed with
// everything in it at the end.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace ledger::files {

class TestDir {
 public:
  TestDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ledger-files-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;
  ~TestDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string P(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

  void Put(const std::string& name, const std::string& content) const {
    std::ofstream(P(name), std::ios::binary) << content;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace ledger::files
