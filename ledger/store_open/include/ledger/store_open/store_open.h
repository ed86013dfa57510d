// Which backend holds a log's store, and opening it for each kind of user.
//
// A data directory's ledger.json may name the store:
//   (absent)                                    RocksDB in DIR/store
//   "store": {"postgres": "<libpq conninfo>"}   PostgreSQL (docs/postgres.md)
//   "store": {"postgres": "...", "postgres_replica": "<conninfo>"}
//                                               readers that prefer a replica
//                                               (the explorer) use this one
// Anything else under "store" is refused (bad_config): a typo must not
// silently give an empty local store.
#pragma once

#include <memory>
#include <string>

#include "ledger/base/status.h"
#include "ledger/store/kv.h"

namespace ledger::store {

struct StoreConfig {
  std::string postgres;          // empty: RocksDB
  std::string postgres_replica;  // empty: readers use `postgres`
  bool on_postgres() const { return !postgres.empty(); }
};

// The "store" member of DIR/ledger.json (InvalidArgument("bad_config")).
Result<StoreConfig> ReadStoreConfig(const std::string& data_dir);

enum class StoreAccess {
  kCreate,    // a new store: created (RocksDB directory, PostgreSQL schema), then written
  kWriter,    // the one writer (ledgerd, ledgerctl's local appends)
  kReadOnly,  // a consistent read of a store nobody writes now (ledgerctl verify, export)
  kFollower,  // reads beside a running writer (the explorer), catching up on Refresh()
};

struct StoreOpenOptions {
  StoreAccess access = StoreAccess::kReadOnly;
  // RocksDB kFollower: where the secondary instance keeps its info log.
  std::string secondary_path;
  // Readers: use the configured replica if there is one. Default: false.
  bool prefer_replica = false;
};

Result<std::unique_ptr<Kv>> OpenStore(const std::string& data_dir, const StoreConfig& config,
                                      const StoreOpenOptions& options);

// A short human description for logs: "rocksdb DIR/store" or
// "postgresql host=... dbname=..." (no password).
std::string DescribeStore(const std::string& data_dir, const StoreConfig& config);

}  // namespace ledger::store
