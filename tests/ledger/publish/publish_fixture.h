// A log built in the test (tests/ledger/store/test_log.h) on a memory Kv, a
// fresh output folder per test, and an OutDir that fails or records writes
// (fault injection by wrapping the interface, in the test).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "ledger/publish/out_dir.h"
#include "ledger/publish/publisher.h"
#include "ledger/store/log_store.h"
#include "test_log.h"

namespace ledger::publish::testing {

// Several LogStore instances over one backend (a writer and a reader).
class SharedKv : public store::Kv {
 public:
  explicit SharedKv(std::shared_ptr<store::Kv> kv) : kv_(std::move(kv)) {}
  Result<Bytes> Get(store::Column c, ByteView key) const override { return kv_->Get(c, key); }
  Status Write(const store::WriteBatch& b) override { return kv_->Write(b); }
  Status Scan(store::Column c, ByteView b, ByteView e, bool r,
              const Visitor& fn) const override {
    return kv_->Scan(c, b, e, r, fn);
  }
  Status Refresh() override { return Status::Ok(); }
  uint64_t ApproximateSize(store::Column c) const override { return kv_->ApproximateSize(c); }

 private:
  std::shared_ptr<store::Kv> kv_;
};

// Forwards to another OutDir; records every write in order and fails the
// writes of `fail_path` with Unavailable("injected_fault").
class RecordingDir : public OutDir {
 public:
  explicit RecordingDir(OutDir& target) : target_(target) {}
  Result<Bytes> Read(const std::string& path) const override { return target_.Read(path); }
  Status Write(const std::string& path, ByteView data) override {
    writes.push_back(path);
    if (path == fail_path) return Status::Unavailable("injected_fault", path + " (injected)");
    return target_.Write(path, data);
  }
  std::vector<std::string> writes;
  std::string fail_path;

 private:
  OutDir& target_;
};

// A log of the test key, grown batch by batch with the test events.
class TestLog {
 public:
  explicit TestLog(uint64_t first_event = 0)
      : kv_(std::make_shared<store::MemoryKv>()), next_event_(first_event) {
    store_ = store::LogStore::Create(std::make_unique<SharedKv>(kv_),
                                     seq_.head().checkpoint_note, ledger::testing::LogVerifier())
                 .value();
  }
  // Appends `count` entries in batches of at most 100.
  void Append(uint64_t count) {
    while (count > 0) {
      const uint64_t n = std::min<uint64_t>(count, 100);
      auto batch = seq_.Sequence(store_->size(), seq_.head().range.Root(),
                                 ledger::testing::MakeBatch(next_event_, n));
      ASSERT_TRUE(batch.ok()) << batch.status();
      ASSERT_TRUE(store_->Append(*batch).ok());
      next_event_ += n;
      count -= n;
    }
  }
  store::LogStore& store() { return *store_; }
  std::shared_ptr<store::Kv> kv() { return kv_; }
  // Another LogStore over the same backend, opened with `options`.
  std::unique_ptr<store::LogStore> Reader(store::LogStoreOptions options) {
    return store::LogStore::Open(std::make_unique<SharedKv>(kv_), ledger::testing::LogVerifier(),
                                 std::move(options))
        .value();
  }

 private:
  std::shared_ptr<store::Kv> kv_;
  Sequencer seq_ = ledger::testing::NewSequencer();
  uint64_t next_event_;
  std::unique_ptr<store::LogStore> store_;
};

class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = std::filesystem::temp_directory_path() /
            ("publish-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    out_ = OpenLocalDir(root_.string()).value();
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string Slurp(const std::string& path) const {
    std::ifstream in(root_ / path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  bool Exists(const std::string& path) const { return std::filesystem::exists(root_ / path); }
  // Every regular file under the output folder, relative, sorted.
  std::vector<std::string> Files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root_)) {
      if (e.is_regular_file()) out.push_back(e.path().lexically_relative(root_).string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::filesystem::path root_;
  std::unique_ptr<OutDir> out_;
};

}  // namespace ledger::publish::testing
