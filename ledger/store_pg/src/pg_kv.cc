#include "ledger/store_pg/pg_kv.h"

#include <array>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "conn_pool.h"
#include "copy_binary.h"
#include "pg_conn.h"
#include "pg_schema.h"

namespace ledger::store {
namespace {

using pg::ConnPool;
using pg::PgConn;

constexpr int kScanChunk = 1024;

std::string U64Text(uint64_t v) { return std::to_string(v); }

// A bigint column in text form; the database is untrusted too.
Result<uint64_t> U64Of(const PGresult* r, int row, int col) {
  if (row >= PQntuples(r) || col >= PQnfields(r) || PQgetisnull(r, row, col)) {
    return Status::Corruption("malformed_store_row", "the database answered an unexpected row");
  }
  const char* text = PQgetvalue(r, row, col);
  uint64_t v = 0;
  if (*text == 0) return Status::Corruption("malformed_store_row", "an empty number");
  for (const char* p = text; *p != 0; ++p) {
    if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10) {
      return Status::Corruption("malformed_store_row",
                                std::string("not a counter: ") + text);
    }
    v = v * 10 + static_cast<uint64_t>(*p - '0');
  }
  return v;
}

// Creating the session's staging table writes catalog rows, so its commit
// would wait for the synchronous standby: with none attached, opening a
// writer (or reconnecting one) would hang there instead of answering
// not_synchronously_replicated. The table is private to the session and
// nothing depends on it surviving a crash, so this one commit is local.
// This writer's epoch was taken by another (`theirs` is in the head row).
Status Fenced(uint64_t theirs, uint64_t ours) {
  return Status::FailedPrecondition("fenced", "another writer took the store (epoch " +
                                                  U64Text(theirs) + ", ours " + U64Text(ours) +
                                                  ")");
}

constexpr const char* kCreateStage =
    "BEGIN; SET LOCAL synchronous_commit = local; "
    "CREATE TEMP TABLE IF NOT EXISTS ledger_stage "
    "(cf smallint NOT NULL, k bytea NOT NULL, v bytea NOT NULL, del boolean NOT NULL) "
    "ON COMMIT DELETE ROWS; COMMIT";

// Which server a session lives on: a terminated old session can only be
// waited for on the server instance that ran it.
struct ServerInstance {
  std::string start_time;  // pg_postmaster_start_time()
  int pid = 0;
};

Result<ServerInstance> InstanceOf(PgConn& conn) {
  ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT pg_postmaster_start_time()::text", PGRES_TUPLES_OK));
  if (PQntuples(r.get()) != 1) {
    return Status::Corruption("malformed_store_row", "pg_postmaster_start_time() gave no row");
  }
  return ServerInstance{PQgetvalue(r.get(), 0, 0), conn.backend_pid()};
}

// Runs "COMMIT" and says whether it certainly committed (true), certainly
// did not (false, with the reason), or cannot tell (Unavailable("ambiguous")).
Result<bool> Commit(PgConn& conn) {
  // Only the COMMIT's own warnings count: an earlier statement's (say,
  // pg_terminate_backend of a session that is already gone) says nothing
  // about this commit.
  (void)conn.TakeWarnings();
  auto r = conn.Exec("COMMIT");
  const std::vector<std::string> warnings = conn.TakeWarnings();
  if (!conn.ok()) return Status::Unavailable("ambiguous", "the connection broke during COMMIT");
  if (!r.ok()) return false;  // an error at commit time: the transaction is rolled back
  // COMMIT of an aborted transaction answers "ROLLBACK".
  if (std::strcmp(PQcmdStatus(r->get()), "COMMIT") != 0) return false;
  // A cancelled wait for the synchronous standby still answers COMMIT, with
  // a warning: committed locally, maybe not replicated.
  if (!warnings.empty()) return Status::Unavailable("ambiguous", warnings.front());
  return true;
}

class PgKvImpl final : public PgKv {
 public:
  PgKvImpl(std::string conninfo, PgKvOptions options)
      : conninfo_(std::move(conninfo)),
        options_(options),
        readers_(conninfo_, options.connect_timeout_s, options.read_connections,
                 // Readers never write, whatever they are asked.
                 "SET default_transaction_read_only = on") {}

  Status OpenWriter();
  Status CheckReadable();

  uint64_t epoch() const override { return epoch_; }
  Result<PgReplication> Replication() const override;

  Result<Bytes> Get(Column c, ByteView key) const override;
  Status Write(const WriteBatch& batch) override;
  Status Scan(Column c, ByteView begin, ByteView end, bool reverse,
              const Visitor& fn) const override;
  uint64_t ApproximateSize(Column c) const override;
  Status CheckDurability() const override;  // also notices a lost epoch

 private:
  // Runs fn on a pooled reader; once more on a fresh connection if the
  // first one had broken (reads are idempotent).
  template <typename Fn>
  auto WithReader(Fn&& fn) const -> decltype(fn(std::declval<PgConn&>()));

  Status ConnectWriter();
  Status PrepareWriter(PgConn& conn);
  Status WriteOnce(const WriteBatch& batch);
  Status Settle(const Status& cause);
  Status ReadHead(PgConn& conn, uint64_t& epoch, uint64_t& writes);
  Status Barrier(PgConn& conn);
  std::string AdvanceSql() const {
    return "BEGIN; SELECT ledger_advance(" + U64Text(epoch_) + ", " + U64Text(writes_) + ", " +
           (options_.require_synchronous_standby ? "true" : "false") + ")";
  }

  const std::string conninfo_;
  const PgKvOptions options_;
  mutable ConnPool readers_;

  mutable std::mutex write_mu_;
  std::unique_ptr<PgConn> writer_;
  ServerInstance writer_instance_;
  uint64_t epoch_ = 0;
  uint64_t writes_ = 0;
  // Not OK once a write's outcome could not be settled or the epoch was
  // lost: every later Write returns it.
  mutable Status stuck_ = Status::Ok();
};

template <typename Fn>
auto PgKvImpl::WithReader(Fn&& fn) const -> decltype(fn(std::declval<PgConn&>())) {
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(auto lease, readers_.Acquire());
    auto result = fn(*lease);
    if (result.ok() || lease->ok() || attempt == 1) return result;
  }
}

Status PgKvImpl::CheckReadable() {
  return WithReader([](PgConn& conn) -> Result<bool> {
           RETURN_IF_ERROR(pg::CheckSchema(conn));
           return true;
         })
      .status();
}

Status PgKvImpl::ReadHead(PgConn& conn, uint64_t& epoch, uint64_t& writes) {
  ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT epoch, writes FROM ledger_head WHERE id = 1",
                                     PGRES_TUPLES_OK));
  if (PQntuples(r.get()) != 1) {
    return Status::Corruption("malformed_store_row", "the store's head row is missing");
  }
  ASSIGN_OR_RETURN(epoch, U64Of(r.get(), 0, 0));
  ASSIGN_OR_RETURN(writes, U64Of(r.get(), 0, 1));
  return Status::Ok();
}

Status PgKvImpl::ConnectWriter() {
  ASSIGN_OR_RETURN(writer_, PgConn::Connect(conninfo_, options_.connect_timeout_s));
  Status s = PrepareWriter(*writer_);
  if (!s.ok()) writer_.reset();
  return s;
}

Status PgKvImpl::PrepareWriter(PgConn& conn) {
  // Commits must wait for the standby's flush whatever the role or database
  // default says (a server-side default of off or local is not durable).
  RETURN_IF_ERROR(conn.Exec("SELECT CASE WHEN current_setting('synchronous_commit') IN "
                             "('on', 'remote_apply') THEN NULL ELSE "
                             "set_config('synchronous_commit', 'on', false) END",
                             PGRES_TUPLES_OK)
                      .status());
  ASSIGN_OR_RETURN(writer_instance_, InstanceOf(conn));
  return conn.Exec(kCreateStage).status();
}

Status PgKvImpl::OpenWriter() {
  {
    ASSIGN_OR_RETURN(auto conn, PgConn::Connect(conninfo_, options_.connect_timeout_s));
    ASSIGN_OR_RETURN(auto rec, conn->Exec("SELECT pg_is_in_recovery()", PGRES_TUPLES_OK));
    if (std::strcmp(PQgetvalue(rec.get(), 0, 0), "t") == 0) {
      return Status::Unavailable("store_read_only",
                                 "the server is a standby; a writer needs the primary");
    }
    Status schema = pg::CheckSchema(*conn);
    if (schema.reason() == "store_schema_missing" && options_.create_if_missing) {
      RETURN_IF_ERROR(pg::CreateSchema(*conn, options_.require_synchronous_standby));
      schema = pg::CheckSchema(*conn);
    }
    RETURN_IF_ERROR(schema);
  }
  RETURN_IF_ERROR(ConnectWriter());
  if (options_.require_synchronous_standby) {
    RETURN_IF_ERROR(writer_->Exec("SELECT ledger_check_sync()", PGRES_TUPLES_OK).status());
  }
  // Taking the epoch fences every earlier writer (their next batch's
  // compare-and-swap fails). The commit waits for the synchronous standby,
  // so a promoted standby knows the epoch too.
  ASSIGN_OR_RETURN(auto r, writer_->Exec("BEGIN; UPDATE ledger_head SET epoch = epoch + 1 "
                                         "WHERE id = 1 RETURNING epoch, writes",
                                         PGRES_TUPLES_OK));
  if (PQntuples(r.get()) != 1) {
    (void)writer_->Exec("ROLLBACK");
    return Status::Corruption("malformed_store_row", "the store's head row is missing");
  }
  auto epoch = U64Of(r.get(), 0, 0);
  auto writes = U64Of(r.get(), 0, 1);
  if (!epoch.ok() || !writes.ok()) {
    (void)writer_->Exec("ROLLBACK");
    return !epoch.ok() ? epoch.status() : writes.status();
  }
  auto committed = Commit(*writer_);
  if (!committed.ok() || !*committed) {
    return Status::Unavailable("store_unavailable",
                               "taking the writer epoch did not commit cleanly; open again");
  }
  epoch_ = *epoch;
  writes_ = *writes;
  return Status::Ok();
}

Result<Bytes> PgKvImpl::Get(Column c, ByteView key) const {
  const std::string sql = "SELECT v FROM " + pg::TableOf(c) + " WHERE k = $1";
  return WithReader([&](PgConn& conn) -> Result<Bytes> {
    ASSIGN_OR_RETURN(auto r, conn.ExecParams(sql, {key}));
    if (PQntuples(r.get()) == 0) return Status::NotFound("missing_key", "no such key");
    ASSIGN_OR_RETURN(ByteView v, pg::BinaryValue(r.get(), 0, 0));
    return Bytes(v.begin(), v.end());
  });
}

Status PgKvImpl::Scan(Column c, ByteView begin, ByteView end, bool reverse,
                      const Visitor& fn) const {
  const std::string table = pg::TableOf(c);
  const std::string limit = " LIMIT " + std::to_string(kScanChunk);
  Bytes after;  // the last key visited; empty before the first chunk
  bool first = true;
  for (;;) {
    // The chunk is read before the visitor runs, with no connection held,
    // so the visitor may call back into the store.
    std::string sql = "SELECT k, v FROM " + table + " WHERE ";
    std::vector<ByteView> params;
    if (!reverse) {
      sql += first ? "k >= $1" : "k > $1";
      params.push_back(first ? begin : ByteView(after));
      if (!end.empty()) {
        sql += " AND k < $2";
        params.push_back(end);
      }
      sql += " ORDER BY k" + limit;
    } else {
      sql += "k >= $1";
      params.push_back(begin);
      if (!first) {
        sql += " AND k < $2";
        params.push_back(after);
      } else if (!end.empty()) {
        sql += " AND k < $2";
        params.push_back(end);
      }
      sql += " ORDER BY k DESC" + limit;
    }
    std::vector<std::pair<Bytes, Bytes>> rows;
    Status read = WithReader([&](PgConn& conn) -> Result<bool> {
                    rows.clear();
                    ASSIGN_OR_RETURN(auto r, conn.ExecParams(sql, params));
                    for (int i = 0; i < PQntuples(r.get()); ++i) {
                      ASSIGN_OR_RETURN(ByteView k, pg::BinaryValue(r.get(), i, 0));
                      ASSIGN_OR_RETURN(ByteView v, pg::BinaryValue(r.get(), i, 1));
                      rows.emplace_back(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
                    }
                    return true;
                  }).status();
    RETURN_IF_ERROR(read);
    for (const auto& [k, v] : rows) {
      if (!fn(k, v)) return Status::Ok();
    }
    if (rows.size() < static_cast<size_t>(kScanChunk)) return Status::Ok();
    after = rows.back().first;
    first = false;
  }
}

uint64_t PgKvImpl::ApproximateSize(Column c) const {
  auto size = WithReader([&](PgConn& conn) -> Result<uint64_t> {
    ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT pg_total_relation_size('" + pg::TableOf(c) + "')",
                                       PGRES_TUPLES_OK));
    if (PQntuples(r.get()) != 1) return uint64_t{0};
    return U64Of(r.get(), 0, 0);
  });
  return size.ok() ? *size : 0;
}

Result<PgReplication> PgKvImpl::Replication() const {
  return WithReader([](PgConn& conn) -> Result<PgReplication> {
    ASSIGN_OR_RETURN(
        auto r, conn.Exec("SELECT current_setting('synchronous_commit'), "
                          "current_setting('synchronous_standby_names'), "
                          "(SELECT count(*) FROM pg_stat_replication "
                          " WHERE sync_state IN ('sync', 'quorum')), pg_is_in_recovery()",
                          PGRES_TUPLES_OK));
    if (PQntuples(r.get()) != 1) {
      return Status::Corruption("malformed_store_row", "no replication state");
    }
    PgReplication out;
    out.synchronous_commit = PQgetvalue(r.get(), 0, 0);
    out.synchronous_standby_names = PQgetvalue(r.get(), 0, 1);
    out.sync_standbys = std::atoi(PQgetvalue(r.get(), 0, 2));
    out.in_recovery = std::strcmp(PQgetvalue(r.get(), 0, 3), "t") == 0;
    return out;
  });
}

Status PgKvImpl::CheckDurability() const {
  if (options_.mode != PgKvOptions::Mode::kWriter) return Status::Ok();
  {
    std::lock_guard<std::mutex> l(write_mu_);
    if (stuck_.reason() == "fenced") return stuck_;
  }
  // A paused or partitioned writer learns here, without writing, that
  // another one took the epoch.
  const uint64_t mine = epoch_;
  const bool sync = options_.require_synchronous_standby;
  auto epoch = WithReader([&](PgConn& conn) -> Result<uint64_t> {
    if (sync) RETURN_IF_ERROR(conn.Exec("SELECT ledger_check_sync()", PGRES_TUPLES_OK).status());
    ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT epoch FROM ledger_head WHERE id = 1",
                                       PGRES_TUPLES_OK));
    return U64Of(r.get(), 0, 0);
  });
  std::lock_guard<std::mutex> l(write_mu_);
  if (epoch.ok() && *epoch != mine) {
    stuck_ = Fenced(*epoch, mine);
  }
  if (!stuck_.ok()) return stuck_;
  return epoch.status();
}

Status PgKvImpl::Write(const WriteBatch& batch) {
  std::lock_guard<std::mutex> l(write_mu_);
  if (!stuck_.ok()) return stuck_;
  if (!writer_ || !writer_->ok()) {
    // A new session (after a failover, on the new primary) may write only if
    // nobody took the epoch or wrote in between.
    writer_.reset();
    RETURN_IF_ERROR(ConnectWriter());
    uint64_t epoch = 0, writes = 0;
    RETURN_IF_ERROR(ReadHead(*writer_, epoch, writes));
    if (epoch != epoch_) {
      stuck_ = Fenced(epoch, epoch_);
      return stuck_;
    }
    if (writes != writes_) {
      stuck_ = Status::FailedPrecondition("store_reopen_required",
                                          "the store was written behind this writer's back");
      return stuck_;
    }
  }
  return WriteOnce(batch);
}

Status PgKvImpl::WriteOnce(const WriteBatch& batch) {
  // Last op per key wins, as in a RocksDB WriteBatch; an upsert may not
  // touch one row twice.
  std::unordered_map<std::string, size_t> last;
  last.reserve(batch.ops.size());
  for (size_t i = 0; i < batch.ops.size(); ++i) {
    const auto& op = batch.ops[i];
    std::string id(1, static_cast<char>(op.column));
    id.append(reinterpret_cast<const char*>(op.key.data()), op.key.size());
    last[std::move(id)] = i;
  }
  pg::StageRows rows;
  std::array<bool, kColumnCount> puts{}, erases{};
  for (size_t i = 0; i < batch.ops.size(); ++i) {
    const auto& op = batch.ops[i];
    std::string id(1, static_cast<char>(op.column));
    id.append(reinterpret_cast<const char*>(op.key.data()), op.key.size());
    if (last[id] != i) continue;
    rows.Add(static_cast<uint16_t>(op.column), op.key, op.value, op.erase);
    (op.erase ? erases : puts)[static_cast<size_t>(op.column)] = true;
  }
  std::string apply;
  for (int c = 0; c < kColumnCount; ++c) {
    const std::string t = pg::TableOf(static_cast<Column>(c));
    const std::string cf = std::to_string(c);
    if (puts[c]) {
      apply += "INSERT INTO " + t + " (k, v) SELECT k, v FROM ledger_stage WHERE cf = " + cf +
               " AND NOT del ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v;";
    }
    if (erases[c]) {
      apply += "DELETE FROM " + t + " t USING ledger_stage s WHERE s.cf = " + cf +
               " AND s.del AND t.k = s.k;";
    }
  }
  const Bytes copy = rows.Finish();
  // Until COMMIT is sent the server rolls the transaction back by itself if
  // this session dies: an error here leaves the store as it was.
  auto fail = [&](const Status& s) {
    if (writer_->ok()) (void)writer_->Exec("ROLLBACK");
    if (s.reason() == "fenced") stuck_ = s;
    return s;
  };
  if (auto r = writer_->Exec(AdvanceSql(), PGRES_TUPLES_OK); !r.ok()) return fail(r.status());
  if (rows.rows() > 0) {
    if (Status s = writer_->CopyIn(
            "COPY ledger_stage (cf, k, v, del) FROM STDIN (FORMAT binary)", copy);
        !s.ok()) {
      return fail(s);
    }
    if (auto r = writer_->Exec(apply); !r.ok()) return fail(r.status());
  }
  auto committed = Commit(*writer_);
  if (committed.ok() && *committed) {
    ++writes_;
    return Status::Ok();
  }
  if (committed.ok()) {
    return Status::Unavailable("write_not_committed", "the server rolled the batch back");
  }
  return Settle(committed.status());
}

Status PgKvImpl::Barrier(PgConn& conn) {
  // WAL reaches the standby in order: a synchronous commit after ours that
  // returns cleanly means the standby has flushed ours too.
  std::string sql = "BEGIN; ";
  if (options_.require_synchronous_standby) sql += "SELECT ledger_check_sync(); ";
  sql += "UPDATE ledger_barrier SET n = n + 1 WHERE id = 1";
  RETURN_IF_ERROR(conn.Exec(sql).status());
  auto committed = Commit(conn);
  if (!committed.ok() || !*committed) {
    return Status::Unavailable("ambiguous_commit", "the replication barrier did not commit");
  }
  return Status::Ok();
}

Status PgKvImpl::Settle(const Status& cause) {
  const ServerInstance old = writer_instance_;
  writer_.reset();
  auto stuck = [&](const std::string& why) {
    stuck_ = Status::FailedPrecondition(
        "store_reopen_required", "a batch's commit could not be settled (" + cause.message() +
                                     "): " + why + "; reopen the store");
    return stuck_;
  };
  auto conn = PgConn::Connect(conninfo_, options_.connect_timeout_s);
  if (!conn.ok()) return stuck(conn.status().message());
  // The old session may still be committing: end it and wait until it is
  // gone, so that what the head row says next is final.
  auto here = InstanceOf(**conn);
  if (!here.ok()) return stuck(here.status().message());
  if (here->start_time == old.start_time && old.pid != 0) {
    const std::string pid = std::to_string(old.pid);
    (void)(*conn)->Exec("SELECT pg_terminate_backend(" + pid + ")", PGRES_TUPLES_OK);
    for (int i = 0; i < 200; ++i) {
      auto r = (*conn)->Exec("SELECT 1 FROM pg_stat_activity WHERE pid = " + pid, PGRES_TUPLES_OK);
      if (r.ok() && PQntuples(r->get()) == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  uint64_t epoch = 0, writes = 0;
  if (Status s = ReadHead(**conn, epoch, writes); !s.ok()) return stuck(s.message());
  if (epoch != epoch_) {
    stuck_ = Fenced(epoch, epoch_);
    return stuck_;
  }
  if (writes == writes_) {
    // Not committed, and its session is gone: the log is unchanged.
    writer_ = std::move(conn).value();
    if (!PrepareWriter(*writer_).ok()) writer_.reset();
    return Status::Unavailable("write_not_committed", "the batch did not commit (" +
                                                          cause.message() + ")");
  }
  if (writes != writes_ + 1) return stuck("the head row moved by more than this batch");
  // The barrier's commit must wait for the standby: the new session needs
  // synchronous_commit set as the writer's (a role or database default of
  // local would otherwise apply, and the barrier refuse to run).
  if (Status s = PrepareWriter(**conn); !s.ok()) return stuck(s.message());
  if (Status s = Barrier(**conn); !s.ok()) return stuck(s.message());
  ++writes_;
  writer_ = std::move(conn).value();
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<PgKv>> OpenPgKv(const std::string& conninfo, const PgKvOptions& options) {
  auto kv = std::make_unique<PgKvImpl>(conninfo, options);
  if (options.mode == PgKvOptions::Mode::kWriter) {
    RETURN_IF_ERROR(kv->OpenWriter());
  } else {
    RETURN_IF_ERROR(kv->CheckReadable());
  }
  return std::unique_ptr<PgKv>(std::move(kv));
}

}  // namespace ledger::store
