// A second process's view of the store: a RocksDB secondary instance that
// follows the writer through LogStore::Refresh (the explorer's access path).
#include <gtest/gtest.h>

#include <filesystem>

#include "ledger/store/log_store.h"
#include "test_log.h"

namespace ledger::store {
namespace {

using testing::LogVerifier;
using testing::MakeBatch;

class SecondaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ledger-secondary-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    RocksDbOptions o;
    o.create_if_missing = true;
    o.sync = false;
    auto kv = OpenRocksDb((dir_ / "store").string(), o);
    ASSERT_TRUE(kv.ok()) << kv.status();
    writer_ = LogStore::Create(std::move(kv).value(), seq_.head().checkpoint_note, LogVerifier())
                  .value();
  }
  void TearDown() override {
    writer_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<LogStore> OpenReader() {
    RocksDbOptions o;
    o.mode = RocksDbOptions::Mode::kSecondary;
    o.secondary_path = (dir_ / "secondary").string();
    auto kv = OpenRocksDb((dir_ / "store").string(), o);
    EXPECT_TRUE(kv.ok()) << kv.status();
    auto s = LogStore::Open(std::move(kv).value(), LogVerifier());
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(s).value();
  }

  void Append(size_t count) {
    auto batch = seq_.Sequence(writer_->size(), seq_.head().range.Root(),
                               MakeBatch(writer_->size(), count));
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE(writer_->Append(*batch).ok());
  }

  std::filesystem::path dir_;
  Sequencer seq_ = testing::NewSequencer();
  std::unique_ptr<LogStore> writer_;
};

TEST_F(SecondaryTest, FollowsTheWriterAndServesVerifiedReads) {
  Append(300);
  auto reader = OpenReader();
  ASSERT_EQ(reader->size(), 300u);
  Append(100);
  EXPECT_EQ(reader->size(), 300u);  // not until it catches up
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(reader->size(), 400u);
  EXPECT_EQ(reader->latest().note, writer_->latest().note);
  auto leaf = reader->GetLeaf(399);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(leaf->leaf, writer_->GetLeaf(399)->leaf);
  EXPECT_TRUE(reader->ReadTile({0, 1, 144}).ok());
  // Nothing new: a refresh keeps the head.
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(reader->size(), 400u);
}

TEST_F(SecondaryTest, RefusesAHeadThatGoesBack) {
  Append(10);
  Append(10);
  auto reader = OpenReader();
  ASSERT_EQ(reader->size(), 20u);
  // A tamperer drops the latest checkpoint: the stored head is now size 10.
  Bytes key;
  AppendU64BE(key, 20);
  WriteBatch wb;
  wb.Erase(Column::kCheckpoints, key);
  ASSERT_TRUE(writer_->kv().Write(wb).ok());
  Status s = reader->Refresh();
  EXPECT_EQ(s.reason(), "store_rolled_back") << s;
  EXPECT_EQ(reader->size(), 20u);
}

TEST_F(SecondaryTest, OutcomeFilter) {
  Append(20);
  EntryQuery q;
  q.outcome = Outcome::kSuccess;
  q.limit = 100;
  EXPECT_EQ(writer_->FindEntries(q).value().size(), 20u);
  q.outcome = Outcome::kDenied;
  EXPECT_TRUE(writer_->FindEntries(q).value().empty());
}

}  // namespace
}  // namespace ledger::store
