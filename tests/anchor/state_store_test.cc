// The witness's RocksDB state store: records survive a reopen; a garbled
// record, a database of another format or another program's are refused
// with a stable reason (and a witness on a garbled record answers
// corrupt_state, it does not crash); a data directory of the earlier layout
// (the ledger store's "meta" column family) is converted, not started empty.
#include "witness/state_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ledger/note/cosignature.h"
#include "witness/witness.h"
#include "witness_test_util.h"

namespace anchor::witness {
namespace {

namespace fs = std::filesystem;

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("witness-state-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::unique_ptr<StateStore> Open() {
    auto s = OpenStateStore(dir_.string());
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // Opens the directory with RocksDB itself (every column family in
  // `families`, the default one first) and hands fn the database.
  void Raw(
      const std::vector<std::string>& families,
      const std::function<void(rocksdb::DB&, std::vector<rocksdb::ColumnFamilyHandle*>&)>& fn) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const auto& f : families) cfs.emplace_back(f, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir_.string(), cfs, &handles, &raw).ok());
    fn(*raw, handles);
    for (auto* h : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
    ASSERT_TRUE(raw->Close().ok());
    delete raw;
  }
  // Rewrites the stored record of origin with edit applied to its bytes.
  void EditRecord(const std::string& origin, const std::function<void(std::string&)>& edit) {
    Raw({rocksdb::kDefaultColumnFamilyName}, [&](rocksdb::DB& db, auto&) {
      std::string value;
      ASSERT_TRUE(db.Get(rocksdb::ReadOptions(), "latest/" + origin, &value).ok());
      edit(value);
      ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), "latest/" + origin, value).ok());
    });
  }

  fs::path dir_;
};

TEST_F(StateStoreTest, KeepsTheLatestNotePerOriginAcrossReopens) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->Get("example.com/log").status().reason(), "missing_key");
    ASSERT_TRUE(store->Put("example.com/log", "first\n").ok());
    ASSERT_TRUE(store->Put("example.com/log", "second\n").ok());
    ASSERT_TRUE(store->Put("example.com/other", "other\n").ok());
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Get("example.com/log").value(), "second\n");
  EXPECT_EQ(store->Get("example.com/other").value(), "other\n");
}

TEST_F(StateStoreTest, RefusesAGarbledRecord) {
  const std::vector<std::function<void(std::string&)>> edits = {
      [](std::string& v) { v.back() ^= 1; },     // a note byte
      [](std::string& v) { v[5] ^= 1; },         // a digest byte
      [](std::string& v) { v[0] = 2; },          // the version
      [](std::string& v) { v.resize(10); },      // truncated
      [](std::string& v) { v.clear(); },         // empty
      [](std::string& v) { v = v.substr(33); },  // the bare note
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    {
      auto store = Open();
      ASSERT_NE(store, nullptr);
      ASSERT_TRUE(store->Put("example.com/log", "a checkpoint note\n").ok());
    }
    EditRecord("example.com/log", edits[i]);
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto got = store->Get("example.com/log");
    EXPECT_EQ(got.status().code(), ledger::Code::kCorruption) << i;
    EXPECT_EQ(got.status().reason(), "corrupt_state") << i;
  }
}

TEST_F(StateStoreTest, ARecordMovedToAnotherOriginIsGarbled) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("example.com/log", "note\n").ok());
  }
  Raw({rocksdb::kDefaultColumnFamilyName}, [](rocksdb::DB& db, auto&) {
    std::string value;
    ASSERT_TRUE(db.Get(rocksdb::ReadOptions(), "latest/example.com/log", &value).ok());
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), "latest/example.com/other", value).ok());
  });
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Get("example.com/other").status().reason(), "corrupt_state");
}

TEST_F(StateStoreTest, RefusesADatabaseOfAnotherFormatOrProgram) {
  Raw({rocksdb::kDefaultColumnFamilyName}, [](rocksdb::DB& db, auto&) {
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), "format", "witness-state/9").ok());
  });
  EXPECT_EQ(OpenStateStore(dir_.string()).status().reason(), "unknown_state_format");
  fs::remove_all(dir_);
  Raw({rocksdb::kDefaultColumnFamilyName}, [](rocksdb::DB& db, auto&) {
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), "something", "else").ok());
  });
  EXPECT_EQ(OpenStateStore(dir_.string()).status().reason(), "foreign_state");
  fs::remove_all(dir_);
  // A log's store (ledger::store's column families), given as --data by mistake.
  Raw({rocksdb::kDefaultColumnFamilyName, "meta", "leaves"}, [](rocksdb::DB& db, auto& cfs) {
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), cfs[1], "meta", "log meta").ok());
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), cfs[2], "leaf", "bytes").ok());
  });
  auto refused = OpenStateStore(dir_.string());
  EXPECT_EQ(refused.status().code(), ledger::Code::kFailedPrecondition);
  EXPECT_EQ(refused.status().reason(), "foreign_state");
}

// The column families of the earlier layout (ledger::store's, "meta" first).
const std::vector<std::string> kEarlierFamilies = {
    rocksdb::kDefaultColumnFamilyName, "meta", "leaves", "payloads", "tiles", "checkpoints",
    "by_subject", "by_kind", "by_actor", "by_time", "requests", "map_nodes", "map_roots"};

TEST_F(StateStoreTest, ConvertsTheEarlierLayout) {
  // What a witness stored before it had a store of its own.
  Raw(kEarlierFamilies, [](rocksdb::DB& db, auto& cfs) {
    ASSERT_TRUE(
        db.Put(rocksdb::WriteOptions(), cfs[1], "witness/latest/example.com/log", "note a\n").ok());
    ASSERT_TRUE(
        db.Put(rocksdb::WriteOptions(), cfs[1], "witness/latest/example.org/b", "note b\n").ok());
  });
  for (int reopen = 0; reopen < 2; ++reopen) {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->Get("example.com/log").value(), "note a\n");
    EXPECT_EQ(store->Get("example.org/b").value(), "note b\n");
  }
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::Options(), dir_.string(), &families).ok());
  EXPECT_EQ(families, std::vector<std::string>{rocksdb::kDefaultColumnFamilyName});
}

TEST_F(StateStoreTest, AConversionCutShortBeforeTheOldFamiliesWentIsFinished) {
  // The converting write was synced, the old column families not dropped yet.
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Put("example.com/log", "note a\n").ok());
  }
  Raw({rocksdb::kDefaultColumnFamilyName, "meta"}, [](rocksdb::DB& db, auto& cfs) {
    ASSERT_TRUE(
        db.Put(rocksdb::WriteOptions(), cfs[1], "witness/latest/example.com/log", "note a\n").ok());
  });
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Get("example.com/log").value(), "note a\n");
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::Options(), dir_.string(), &families).ok());
  EXPECT_EQ(families, std::vector<std::string>{rocksdb::kDefaultColumnFamilyName});
}

TEST_F(StateStoreTest, AWitnessOnAGarbledRecordAnswersCorruptState) {
  testing::TestLog log("example.com/log");
  auto make = [&](StateStore* store) {
    auto signer = ledger::note::NewCosignatureV1Signer(
        "witness.example", ledger::Ed25519PrivateKey::FromSeed(ledger::Bytes(32, 7)).value());
    LogConfig cfg{log.origin(), {ledger::note::ParseVerifierKey(log.vkey()).value()}};
    return Witness::Create(store, std::move(signer), {cfg}).value();
  };
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_EQ(make(store.get())->AddCheckpoint(log.Body(0, 5)).status, 200);
  }
  EditRecord(log.origin(), [](std::string& v) { v[v.size() / 2] ^= 0x20; });
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto witness = make(store.get());
  Reply latest = witness->LatestCheckpoint(ledger::Sha256::Digest(log.origin()).Hex());
  EXPECT_EQ(latest.status, 500);
  EXPECT_EQ(latest.body, "corrupt_state\n");
  Reply add = witness->AddCheckpoint(log.Body(5, 8));
  EXPECT_EQ(add.status, 500);
  EXPECT_EQ(add.body, "corrupt_state\n");
}

}  // namespace
}  // namespace anchor::witness
