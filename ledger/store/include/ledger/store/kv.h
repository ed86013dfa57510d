// The key-value interface every log store backend implements.
//
// All of the store's I/O goes through Kv so that tests can swap in the memory
// backend, inject write failures (a KvWrapper, kv_wrapper.h) and tamper with
// bytes, and run one conformance suite against every backend
// (tests/ledger/store/).
//
// Thread-safety: implementations allow concurrent Get/Scan, and Write
// concurrent with them; the LogStore serialises writers itself.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"

namespace ledger::store {

// Column families (RocksDB) or separate maps (memory). The numeric values
// are stable: they name on-disk column families via ColumnName().
enum class Column : uint8_t {
  kMeta = 0,      // "meta" -> LogMeta
  kLeaves,        // u64 BE index -> leaf bytes, verbatim as sequenced
  kPayloads,      // 32-byte digest -> PayloadRecord
  kTiles,         // u8 tile level || u64 BE tile index -> concatenated hashes
  kCheckpoints,   // u64 BE size -> StoredCheckpoint
  kBySubject,     // u16 BE len || subject || u64 BE index -> ""
  kByKind,        // u16 BE kind || u64 BE index -> ""
  kByActor,       // u16 BE len || actor id || u64 BE index -> ""
  kByTime,        // u64 BE recorded_at_us || u64 BE index -> ""
  kRequests,      // request id -> u64 BE index of its first entry
  kMapNodes,      // 32-byte digest -> state-map node, its hash preimage (map.md §8)
  kMapRoots,      // u64 BE tree size -> 32-byte map root after that many entries
};
inline constexpr int kColumnCount = 12;
std::string_view ColumnName(Column c);

struct WriteBatch {
  struct Op {
    Column column;
    Bytes key;
    Bytes value;
    bool erase = false;
  };
  std::vector<Op> ops;
  void Put(Column c, Bytes key, Bytes value) {
    ops.push_back({c, std::move(key), std::move(value), false});
  }
  void Erase(Column c, Bytes key) { ops.push_back({c, std::move(key), {}, true}); }
  size_t ByteSize() const;
};

class Kv {
 public:
  virtual ~Kv() = default;
  // NotFound("missing_key") when absent.
  virtual Result<Bytes> Get(Column c, ByteView key) const = 0;
  // Applies every op or none, and is durable (synced) before returning OK
  // unless the backend was opened with sync off.
  virtual Status Write(const WriteBatch& batch) = 0;
  // Visits keys in [begin, end) in order (end empty: to the end of the
  // column), descending when `reverse`; stops when fn returns false.
  using Visitor = std::function<bool(ByteView key, ByteView value)>;
  virtual Status Scan(Column c, ByteView begin, ByteView end, bool reverse,
                      const Visitor& fn) const = 0;
  // Catches up with the primary (RocksDB secondary instances); no-op elsewhere.
  virtual Status Refresh() { return Status::Ok(); }
  // Approximate bytes stored per column, for metrics.
  virtual uint64_t ApproximateSize(Column c) const = 0;
  // Whether a Write now would be as durable as promised (a replicated
  // backend: a synchronous standby is attached), for health checks; the
  // Write itself refuses when not. OK for local backends.
  virtual Status CheckDurability() const { return Status::Ok(); }
};

// Memory backend for tests and tools: no durability.
class MemoryKv : public Kv {
 public:
  MemoryKv();
  ~MemoryKv() override;
  Result<Bytes> Get(Column c, ByteView key) const override;
  Status Write(const WriteBatch& batch) override;
  Status Scan(Column c, ByteView begin, ByteView end, bool reverse,
              const Visitor& fn) const override;
  uint64_t ApproximateSize(Column c) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct RocksDbOptions {
  enum class Mode { kReadWrite, kReadOnly, kSecondary };
  // Default: kReadWrite.
  Mode mode = Mode::kReadWrite;
  // Create the database if it does not exist (kReadWrite only). Default: false.
  bool create_if_missing = false;
  // fsync every write batch: acknowledged data must survive power loss.
  // Default: true. Only benchmarks of raw throughput turn it off.
  bool sync = true;
  // Where a kSecondary instance keeps its own info log. Required for it.
  std::string secondary_path;
};

Result<std::unique_ptr<Kv>> OpenRocksDb(const std::string& path, const RocksDbOptions& options);

}  // namespace ledger::store
