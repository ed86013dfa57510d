// The witness's RocksDB (witness/state_store.h). RocksDB errors become
// Status here, and only here.
#include "witness/state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <vector>

#include "ledger/base/hash.h"

namespace anchor::witness {
namespace {

using ledger::Hash;
using ledger::Result;
using ledger::Status;

constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kFormat = "witness-state/1";
constexpr std::string_view kLatestPrefix = "latest/";
constexpr char kRecordVersion = 0x01;
// The earlier layout: the ledger store's "meta" column family.
constexpr std::string_view kOldColumn = "meta";
constexpr std::string_view kOldPrefix = "witness/latest/";

rocksdb::Slice AsSlice(std::string_view s) { return {s.data(), s.size()}; }

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption("corrupt_state", msg);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsIncomplete()) {
    return Status::Unavailable("storage_busy", msg);
  }
  if (s.IsIOError()) return Status::Unavailable("storage_io_error", msg);
  return Status::Internal("storage_error", msg);
}

std::string LatestKey(std::string_view origin) {
  return std::string(kLatestPrefix) + std::string(origin);
}

Hash RecordDigest(std::string_view key, std::string_view note) {
  ledger::Sha256 h;
  h.Update(key).Update(uint8_t{0}).Update(note);
  return h.Final();
}

std::string EncodeRecord(std::string_view key, std::string_view note) {
  const Hash digest = RecordDigest(key, note);
  std::string out(1, kRecordVersion);
  out.append(reinterpret_cast<const char*>(digest.bytes.data()), digest.bytes.size());
  out.append(note);
  return out;
}

Result<std::string> DecodeRecord(std::string_view key, std::string_view record) {
  if (record.size() < 1 + Hash::kSize || record[0] != kRecordVersion) {
    return Status::Corruption("corrupt_state",
                              "the stored record " + std::string(key) + " has no valid header");
  }
  std::string_view note = record.substr(1 + Hash::kSize);
  const Hash digest = RecordDigest(key, note);
  if (record.substr(1, Hash::kSize) !=
      std::string_view(reinterpret_cast<const char*>(digest.bytes.data()), Hash::kSize)) {
    return Status::Corruption(
        "corrupt_state", "the stored record " + std::string(key) + " does not match its digest");
  }
  return std::string(note);
}

class RocksStateStore : public StateStore {
 public:
  explicit RocksStateStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
  ~RocksStateStore() override { (void)db_->Close(); }

  Result<std::string> Get(std::string_view origin) const override {
    const std::string key = LatestKey(origin);
    rocksdb::ReadOptions ro;
    ro.verify_checksums = true;
    std::string value;
    auto s = db_->Get(ro, AsSlice(key), &value);
    if (s.IsNotFound()) {
      return Status::NotFound("missing_key", "no state for " + std::string(origin));
    }
    RETURN_IF_ERROR(FromRocks(s, "get"));
    return DecodeRecord(key, value);
  }

  Status Put(std::string_view origin, std::string_view note) override {
    const std::string key = LatestKey(origin);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return FromRocks(db_->Put(wo, AsSlice(key), AsSlice(EncodeRecord(key, note))), "write");
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
};

// Whether a column family holds any key.
Result<bool> HasKeys(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), cf));
  it->SeekToFirst();
  const bool any = it->Valid();
  RETURN_IF_ERROR(FromRocks(it->status(), "scan"));
  return any;
}

// A database without the format key: new, or of the earlier layout. Writes
// the format key and the converted records in one synced batch.
Status Initialise(rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  ASSIGN_OR_RETURN(bool used, HasKeys(db, db.DefaultColumnFamily()));
  if (used) return Status::FailedPrecondition("foreign_state", "not a witness's state");
  rocksdb::WriteBatch wb;
  for (auto* cf : handles) {
    if (cf->GetName() == rocksdb::kDefaultColumnFamilyName) continue;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (cf->GetName() != kOldColumn || !key.starts_with(kOldPrefix)) {
        return Status::FailedPrecondition(
            "foreign_state", "not a witness's state (column family " + cf->GetName() + ")");
      }
      const std::string new_key = LatestKey(key.substr(kOldPrefix.size()));
      std::string_view note(it->value().data(), it->value().size());
      RETURN_IF_ERROR(
          FromRocks(wb.Put(AsSlice(new_key), AsSlice(EncodeRecord(new_key, note))), "batch"));
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scan"));
  }
  RETURN_IF_ERROR(FromRocks(wb.Put(AsSlice(kFormatKey), AsSlice(kFormat)), "batch"));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db.Write(wo, &wb), "write");
}

}  // namespace

Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  options.max_background_jobs = 2;
  // Every column family present must be opened: a database of the earlier
  // layout has the ledger store's.
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, dir, &names).ok() || names.empty()) {
    names = {rocksdb::kDefaultColumnFamilyName};  // a new database
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& name : names) cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options, dir, cfs, &handles, &raw), "open " + dir));
  std::unique_ptr<rocksdb::DB> db(raw);
  auto close = [&] {
    for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
    (void)db->Close();
  };

  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;
  std::string format;
  auto s = db->Get(ro, AsSlice(kFormatKey), &format);
  Status st = s.IsNotFound() ? Initialise(*db, handles) : FromRocks(s, "get format");
  if (st.ok() && !s.IsNotFound() && format != kFormat) {
    st = Status::FailedPrecondition("unknown_state_format",
                                    "state format '" + format.substr(0, 64) + "' in " + dir);
  }
  // Converted (in the synced write above, or by an earlier open that
  // stopped before this): the earlier layout's column families go.
  for (auto* h : handles) {
    if (!st.ok() || h->GetName() == rocksdb::kDefaultColumnFamilyName) continue;
    st = FromRocks(db->DropColumnFamily(h), "drop column family " + h->GetName());
  }
  close();
  if (!st.ok()) return st;
  // Reopened with the default column family alone, which is all it uses.
  RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options, dir, &raw), "open " + dir));
  return std::unique_ptr<StateStore>(new RocksStateStore(std::unique_ptr<rocksdb::DB>(raw)));
}

}  // namespace anchor::witness
