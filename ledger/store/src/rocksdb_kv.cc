// RocksDB backend. All RocksDB errors are converted to Status here, and only here.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <array>

#include "ledger/store/kv.h"

namespace ledger::store {
namespace {

// An empty span may have a null data pointer; RocksDB slices must not.
rocksdb::Slice AsSlice(ByteView b) {
  if (b.empty()) return rocksdb::Slice("", 0);
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
ByteView AsView(const rocksdb::Slice& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption("storage_corruption", msg);
  if (s.IsNotFound()) return Status::NotFound("missing_key", msg);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsIncomplete()) {
    return Status::Unavailable("storage_busy", msg);
  }
  if (s.IsIOError()) return Status::Unavailable("storage_io_error", msg);
  return Status::Internal("storage_error", msg);
}

class RocksKv : public Kv {
 public:
  RocksKv(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
          bool sync)
      : db_(std::move(db)), handles_(std::move(handles)), sync_(sync) {}

  ~RocksKv() override {
    for (auto* h : handles_) (void)db_->DestroyColumnFamilyHandle(h);
    (void)db_->Close();
  }

  Result<Bytes> Get(Column c, ByteView key) const override {
    std::string value;
    rocksdb::ReadOptions ro;
    ro.verify_checksums = true;
    auto s = db_->Get(ro, Handle(c), AsSlice(key), &value);
    if (s.IsNotFound()) return Status::NotFound("missing_key", "no such key");
    RETURN_IF_ERROR(FromRocks(s, "get"));
    return Bytes(value.begin(), value.end());
  }

  Status Write(const WriteBatch& batch) override {
    rocksdb::WriteBatch wb;
    for (const auto& op : batch.ops) {
      auto s = op.erase ? wb.Delete(Handle(op.column), AsSlice(op.key))
                        : wb.Put(Handle(op.column), AsSlice(op.key), AsSlice(op.value));
      RETURN_IF_ERROR(FromRocks(s, "batch"));
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync_;
    return FromRocks(db_->Write(wo, &wb), "write");
  }

  Status Scan(Column c, ByteView begin, ByteView end, bool reverse,
              const Visitor& fn) const override {
    rocksdb::ReadOptions ro;
    ro.verify_checksums = true;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, Handle(c)));
    rocksdb::Slice lo = AsSlice(begin), hi = AsSlice(end);
    if (reverse) {
      if (end.empty()) {
        it->SeekToLast();
      } else {
        it->SeekForPrev(hi);
        if (it->Valid() && it->key() == hi) it->Prev();
      }
      for (; it->Valid() && it->key().compare(lo) >= 0; it->Prev()) {
        if (!fn(AsView(it->key()), AsView(it->value()))) break;
      }
    } else {
      for (it->Seek(lo); it->Valid() && (end.empty() || it->key().compare(hi) < 0); it->Next()) {
        if (!fn(AsView(it->key()), AsView(it->value()))) break;
      }
    }
    return FromRocks(it->status(), "scan");
  }

  Status Refresh() override {
    auto s = db_->TryCatchUpWithPrimary();
    if (s.IsNotSupported()) return Status::Ok();  // primary or read-only instance
    return FromRocks(s, "catch up with primary");
  }

  uint64_t ApproximateSize(Column c) const override {
    uint64_t n = 0;
    db_->GetIntProperty(Handle(c), "rocksdb.estimate-live-data-size", &n);
    return n;
  }

 private:
  rocksdb::ColumnFamilyHandle* Handle(Column c) const { return handles_[static_cast<size_t>(c)]; }

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  bool sync_;
};

}  // namespace

Result<std::unique_ptr<Kv>> OpenRocksDb(const std::string& path, const RocksDbOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  // A store written before a column existed gains it empty on its next
  // read-write open (the map columns came later than the log's).
  db_options.create_missing_column_families =
      options.create_if_missing || options.mode == RocksDbOptions::Mode::kReadWrite;
  // Appends are sequential keys: large memtables and no compression of the
  // incompressible hashes keep the synced path short.
  db_options.max_background_jobs = 2;
  db_options.paranoid_checks = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int i = 0; i < kColumnCount; ++i) {
    cfs.emplace_back(std::string(ColumnName(static_cast<Column>(i))),
                     rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  switch (options.mode) {
    case RocksDbOptions::Mode::kReadWrite:
      s = rocksdb::DB::Open(db_options, path, cfs, &handles, &raw);
      break;
    case RocksDbOptions::Mode::kReadOnly:
      s = rocksdb::DB::OpenForReadOnly(db_options, path, cfs, &handles, &raw);
      break;
    case RocksDbOptions::Mode::kSecondary:
      if (options.secondary_path.empty()) {
        return Status::InvalidArgument("missing_secondary_path",
                                       "a secondary instance needs its own folder");
      }
      db_options.max_open_files = -1;  // required by secondary instances
      s = rocksdb::DB::OpenAsSecondary(db_options, path, options.secondary_path, cfs, &handles,
                                       &raw);
      break;
  }
  if (!s.ok()) {
    if (s.IsInvalidArgument() && !options.create_if_missing) {
      return Status::NotFound("no_store", "cannot open store at " + path + ": " + s.ToString());
    }
    return FromRocks(s, "open " + path);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  // handles[0] is the default family, which the project does not use.
  (void)db->DestroyColumnFamilyHandle(handles[0]);
  handles.erase(handles.begin());
  return std::unique_ptr<Kv>(new RocksKv(std::move(db), std::move(handles), options.sync));
}

}  // namespace ledger::store
