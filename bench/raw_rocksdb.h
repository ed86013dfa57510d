// The machine's physical limit for the ledger's writes: raw RocksDB synced
// WriteBatches carrying the same bytes per entry as a ledger batch (the leaf
// plus its level-0 tile hash), with none of the ledger's work. Every
// benchmark that reports a ratio to "raw RocksDB" measures it with this.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <memory>
#include <string>

#include "bench_util.h"
#include "ledger/base/bytes.h"

namespace ledger::bench {

// Leaf framing (version, index, time, previous hash, lengths) around the event.
inline constexpr size_t kLeafBytes = kEventBytes + 1 + 8 + 8 + 32 + 2 + 2;

class RawSyncedWriter {
 public:
  // A fresh database in `dir` (removed again by the destructor).
  explicit RawSyncedWriter(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::remove_all(dir_);
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    if (rocksdb::DB::Open(o, dir_.string(), &raw).ok()) db_.reset(raw);
  }
  ~RawSyncedWriter() {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  RawSyncedWriter(const RawSyncedWriter&) = delete;
  RawSyncedWriter& operator=(const RawSyncedWriter&) = delete;

  bool ok() const { return db_ != nullptr; }
  // One synced WriteBatch of `n` entries; false if RocksDB refused it.
  bool Write(size_t n) {
    rocksdb::WriteBatch wb;
    for (size_t i = 0; i < n; ++i, ++key_) {
      Bytes k;
      AppendU64BE(k, key_);
      std::string ks(k.begin(), k.end());
      wb.Put(ks, value_);
      wb.Put("t" + ks, hash_);
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return db_->Write(wo, &wb).ok();
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::string value_ = std::string(kLeafBytes, 'v'), hash_ = std::string(32, 'h');
  uint64_t key_ = 0;
};

}  // namespace ledger::bench
