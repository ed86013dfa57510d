#include "pg_conn.h"

#include <cstring>

namespace ledger::store::pg {

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& conninfo, int timeout_s) {
  // The configured string is expanded as the dbname (so both key=value and
  // URIs work); our defaults apply only where it says nothing.
  const std::string timeout = std::to_string(timeout_s);
  const char* keys[] = {"dbname", "fallback_application_name", "connect_timeout", nullptr};
  const char* values[] = {conninfo.c_str(), "audit-ledger-store", timeout.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable("store_unavailable", "libpq: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Status::Unavailable("store_unavailable", "cannot connect to PostgreSQL: " + message);
  }
  auto c = std::unique_ptr<PgConn>(new PgConn(conn));
  PQsetNoticeReceiver(conn, &PgConn::OnNotice, c.get());
  return c;
}

PgConn::PgConn(PGconn* conn) : conn_(conn) {}
PgConn::~PgConn() { PQfinish(conn_); }

void PgConn::OnNotice(void* self, const PGresult* r) {
  const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity != nullptr && std::strcmp(severity, "WARNING") == 0) {
    static_cast<PgConn*>(self)->warnings_.emplace_back(PQresultErrorMessage(r));
  }
}

std::vector<std::string> PgConn::TakeWarnings() {
  std::vector<std::string> out;
  out.swap(warnings_);
  return out;
}

Status PgConn::ErrorOf(const PGresult* r, std::string_view what) const {
  std::string message = r != nullptr ? PQresultErrorMessage(r) : "";
  if (message.empty()) message = PQerrorMessage(conn_);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view sqlstate = state != nullptr ? state : "";
  const std::string text = std::string(what) + ": " + message;
  if (sqlstate == kSqlStateFenced) return Status::FailedPrecondition("fenced", text);
  if (sqlstate == kSqlStateNotReplicated) {
    return Status::Unavailable("not_synchronously_replicated", text);
  }
  // 25006: read_only_sql_transaction (connected to a standby).
  if (sqlstate == "25006") return Status::Unavailable("store_read_only", text);
  // 42P01 undefined_table, 42703 undefined_column, 42883 undefined_function.
  if (sqlstate == "42P01" || sqlstate == "42703" || sqlstate == "42883") {
    return Status::FailedPrecondition("store_schema_mismatch", text);
  }
  return Status::Unavailable("store_unavailable", text);
}

Result<ResultPtr> PgConn::Exec(const std::string& sql, ExecStatusType expected) {
  ResultPtr r(PQexec(conn_, sql.c_str()));
  if (!r || PQresultStatus(r.get()) != expected) return ErrorOf(r.get(), "PostgreSQL");
  return r;
}

Result<ResultPtr> PgConn::ExecParams(const std::string& sql, const std::vector<ByteView>& params,
                                     ExecStatusType expected) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats(params.size(), 1);
  for (ByteView p : params) {
    // A zero-length binary parameter still needs a non-null pointer, or
    // libpq sends SQL NULL.
    static const char kEmpty = 0;
    values.push_back(p.empty() ? &kEmpty : reinterpret_cast<const char*>(p.data()));
    lengths.push_back(static_cast<int>(p.size()));
  }
  ResultPtr r(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                           values.data(), lengths.data(), formats.data(), /*resultFormat=*/1));
  if (!r || PQresultStatus(r.get()) != expected) return ErrorOf(r.get(), "PostgreSQL");
  return r;
}

Status PgConn::CopyIn(const std::string& sql, ByteView data) {
  ResultPtr start(PQexec(conn_, sql.c_str()));
  if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) return ErrorOf(start.get(), "COPY");
  constexpr size_t kChunk = size_t{1} << 20;
  for (size_t at = 0; at < data.size(); at += kChunk) {
    const size_t n = std::min(kChunk, data.size() - at);
    if (PQputCopyData(conn_, reinterpret_cast<const char*>(data.data() + at),
                      static_cast<int>(n)) != 1) {
      return ErrorOf(nullptr, "COPY");
    }
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) return ErrorOf(nullptr, "COPY");
  Status status = Status::Ok();
  // Every result must be read before the connection takes another command.
  while (PGresult* raw = PQgetResult(conn_)) {
    ResultPtr r(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK && status.ok()) status = ErrorOf(raw, "COPY");
  }
  return status;
}

Result<ByteView> BinaryValue(const PGresult* r, int row, int col) {
  if (row >= PQntuples(r) || col >= PQnfields(r) || PQgetisnull(r, row, col) ||
      PQfformat(r, col) != 1) {
    return Status::Corruption("malformed_store_row", "the database answered an unexpected row");
  }
  return ByteView(reinterpret_cast<const uint8_t*>(PQgetvalue(r, row, col)),
                  static_cast<size_t>(PQgetlength(r, row, col)));
}

}  // namespace ledger::store::pg
