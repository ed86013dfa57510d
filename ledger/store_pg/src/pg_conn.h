// One libpq connection and the one place where libpq's errors become Status.
//
// Thread-safety: none; a PgConn is used by one thread at a time (PgKv hands
// them out from a pool).
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"

namespace ledger::store::pg {

// SQLSTATEs raised by the schema's functions (pg_schema.cc).
inline constexpr std::string_view kSqlStateFenced = "LG001";
inline constexpr std::string_view kSqlStateNotReplicated = "LG002";

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class PgConn {
 public:
  // Connects; Unavailable("store_unavailable") with libpq's message if not.
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& conninfo, int timeout_s);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }
  int backend_pid() const { return PQbackendPID(conn_); }
  PGconn* raw() { return conn_; }

  // Runs `sql` (simple protocol, several statements allowed) and requires
  // the last result to be `expected`.
  Result<ResultPtr> Exec(const std::string& sql, ExecStatusType expected = PGRES_COMMAND_OK);
  // One statement with binary parameters and binary results.
  Result<ResultPtr> ExecParams(const std::string& sql, const std::vector<ByteView>& params,
                               ExecStatusType expected = PGRES_TUPLES_OK);
  // COPY ... FROM STDIN: sends `data` (already in COPY's binary format).
  Status CopyIn(const std::string& sql, ByteView data);

  // Warnings the server sent since the last call (a COMMIT that came back
  // with one is ambiguous: pg_kv.cc).
  std::vector<std::string> TakeWarnings();

 private:
  explicit PgConn(PGconn* conn);
  static void OnNotice(void* self, const PGresult* r);
  Status ErrorOf(const PGresult* r, std::string_view what) const;

  PGconn* conn_;
  std::vector<std::string> warnings_;
};

// A bytea value of a binary result, or Corruption("malformed_store_row").
Result<ByteView> BinaryValue(const PGresult* r, int row, int col);

}  // namespace ledger::store::pg
