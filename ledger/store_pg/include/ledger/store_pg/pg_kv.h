// PgKv: the store's Kv on PostgreSQL (libpq), for deployments that must
// survive the loss of a machine (docs/postgres.md).
//
// Each column family is a table `ledger_<column>` (k bytea PRIMARY KEY,
// v bytea); one WriteBatch is one transaction (binary COPY into a staging
// table, then one upsert and one delete per column). What makes it safe to
// put a transparency log on a replicated database:
//
//  * Durable before visible. A writer's every transaction first checks, on
//    the server, that commits wait for a synchronous standby to flush
//    (synchronous_commit on or remote_apply, synchronous_standby_names set,
//    a standby in sync state); otherwise it aborts with
//    Unavailable("not_synchronously_replicated"). So Write returns OK only
//    once a standby holds the batch, and ledgerd, which cosigns and answers
//    only after Write, never shows a witness or a client more than a
//    promoted standby will have.
//  * Exactly one writer. Opening as a writer bumps the fencing epoch in the
//    head row (a synchronous commit); every batch is a compare-and-swap on
//    (epoch, number of writes) inside its transaction. A writer that lost
//    the epoch to another is refused with FailedPrecondition("fenced"), for
//    good: it must be reopened (which takes the epoch back: that is the
//    operator's or the failover manager's decision, never automatic).
//  * Ambiguous commits are resolved, never retried blindly. A COMMIT whose
//    answer is lost (the connection broke) or that came back with a warning
//    (a cancelled wait for the synchronous standby: "committed locally, but
//    might not have been replicated") is settled on a new connection: the
//    old session is terminated, the head row re-read, and a committed batch
//    is covered by a replication barrier (a synchronous write after it)
//    before Write returns OK. A batch that did not commit returns
//    Unavailable("write_not_committed") and the log is unchanged.
//    If the outcome cannot be settled, the PgKv refuses every later write
//    (FailedPrecondition("store_reopen_required")): the caller's view of the
//    store may be wrong and only a reopen (which reads the store again) is
//    safe.
//
// Reads see the latest committed batches, whole (as RocksDB's do). A kReader
// (the explorer, ledgerctl) may be pointed at an asynchronous hot standby:
// replay applies whole transactions in commit order, so it sees a prefix
// of whole batches, and LogStore answers relative to the head it read.
//
// Thread-safety: Get/Scan from any thread (a pool of connections), Write
// serialised internally.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ledger/base/status.h"
#include "ledger/store/kv.h"

namespace ledger::store {

struct PgKvOptions {
  enum class Mode { kWriter, kReader };
  // Default: kWriter.
  Mode mode = Mode::kWriter;
  // Create the schema if the database has none (kWriter only). Default: false.
  bool create_if_missing = false;
  // Refuse to commit unless a synchronous standby flushes every commit
  // (see above). Default: true. Only tests of the backend itself on a
  // single server turn it off; no configuration file can.
  bool require_synchronous_standby = true;
  // Connections kept for concurrent reads. Default: 4.
  size_t read_connections = 4;
  // Seconds libpq waits to connect (connect_timeout). Default: 5.
  int connect_timeout_s = 5;
};

// The replication a writer's commits get, as the server reports it.
struct PgReplication {
  std::string synchronous_commit;         // e.g. "on"
  std::string synchronous_standby_names;  // e.g. "FIRST 1 (s1, s2)"
  int sync_standbys = 0;                  // pg_stat_replication rows in sync/quorum state
  bool in_recovery = false;               // the server is a standby
};

class PgKv : public Kv {
 public:
  ~PgKv() override = default;
  // This writer's fencing epoch (0 for readers).
  virtual uint64_t epoch() const = 0;
  // What the server says about replication now (one round trip).
  virtual Result<PgReplication> Replication() const = 0;
};

// Opens the store in the database `conninfo` names (a libpq connection
// string or URI; several hosts with target_session_attrs=read-write reach
// whichever is primary after a failover).
// Errors: Unavailable("store_unavailable") when no server answers;
// FailedPrecondition("store_schema_missing") for a database without the
// schema (and !create_if_missing), ("store_schema_mismatch") for another
// schema version; Unavailable("not_synchronously_replicated") for a writer
// that requires a synchronous standby and has none; Unavailable
// ("store_read_only") for a writer connected to a standby.
Result<std::unique_ptr<PgKv>> OpenPgKv(const std::string& conninfo, const PgKvOptions& options);

}  // namespace ledger::store
