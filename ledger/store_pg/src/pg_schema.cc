#include "pg_schema.h"

#include "pg_conn.h"

namespace ledger::store::pg {
namespace {

// ledger_head holds the fencing epoch and the number of batches written in
// it; ledger_advance() is the compare-and-swap every batch runs first, on the
// server, so that a stale writer's transaction aborts before any row of it
// counts (HA-NOTES §5.4). The synchronous-replication check sits in the same
// function: a writer that would commit without a synchronous standby gets
// LG002 and nothing is written.
constexpr const char* kFunctions = R"sql(
CREATE OR REPLACE FUNCTION ledger_check_sync() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('synchronous_commit') NOT IN ('on', 'remote_apply') THEN
    RAISE EXCEPTION 'synchronous_commit is %, not on or remote_apply',
      current_setting('synchronous_commit') USING ERRCODE = 'LG002';
  END IF;
  IF current_setting('synchronous_standby_names') = '' THEN
    RAISE EXCEPTION 'synchronous_standby_names is empty: commits are not replicated synchronously'
      USING ERRCODE = 'LG002';
  END IF;
  -- '*' makes any standby synchronous, an asynchronous replica that can
  -- never be promoted included (Patroni's strict mode sets it when no
  -- candidate is left): a commit it confirms may be on no failover target.
  IF btrim(current_setting('synchronous_standby_names')) = '*' THEN
    RAISE EXCEPTION 'synchronous_standby_names is *: any standby, not a failover candidate, confirms commits'
      USING ERRCODE = 'LG002';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')) THEN
    RAISE EXCEPTION 'no standby is in synchronous state (pg_stat_replication; the role needs pg_monitor)'
      USING ERRCODE = 'LG002';
  END IF;
END $$;
CREATE OR REPLACE FUNCTION ledger_advance(p_epoch bigint, p_writes bigint, p_sync boolean)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_sync THEN PERFORM ledger_check_sync(); END IF;
  UPDATE ledger_head SET writes = writes + 1 WHERE id = 1 AND epoch = p_epoch AND writes = p_writes;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'fenced: the head row is no longer at epoch % after % writes', p_epoch, p_writes
      USING ERRCODE = 'LG001';
  END IF;
END $$;
)sql";

}  // namespace

std::string TableOf(Column c) { return "ledger_" + std::string(ColumnName(c)); }

Status CreateSchema(PgConn& conn, bool require_sync) {
  std::string sql = "BEGIN;\n";
  if (require_sync) {
    // As a writer's session: the commit waits for the standby's flush
    // whatever the role or database default says.
    sql += "SELECT CASE WHEN current_setting('synchronous_commit') IN ('on', 'remote_apply') "
           "THEN NULL ELSE set_config('synchronous_commit', 'on', true) END;\n";
  }
  // Serialises two creators; the loser sees the schema and checks it.
  sql += "SELECT pg_advisory_xact_lock(7294001);\n";
  sql += "CREATE TABLE IF NOT EXISTS ledger_schema (id int PRIMARY KEY CHECK (id = 1), "
         "version int NOT NULL);\n";
  sql += "INSERT INTO ledger_schema VALUES (1, " + std::to_string(kSchemaVersion) +
         ") ON CONFLICT (id) DO NOTHING;\n";
  sql += "CREATE TABLE IF NOT EXISTS ledger_head (id int PRIMARY KEY CHECK (id = 1), "
         "epoch bigint NOT NULL, writes bigint NOT NULL);\n";
  sql += "INSERT INTO ledger_head VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING;\n";
  // The barrier row: a synchronous write that covers an earlier commit.
  sql += "CREATE TABLE IF NOT EXISTS ledger_barrier (id int PRIMARY KEY CHECK (id = 1), "
         "n bigint NOT NULL);\n";
  sql += "INSERT INTO ledger_barrier VALUES (1, 0) ON CONFLICT (id) DO NOTHING;\n";
  for (int c = 0; c < kColumnCount; ++c) {
    // Values are hashes, signed leaves and compressed bodies: storing them
    // uncompressed (EXTERNAL) skips TOAST's useless compression attempt.
    const std::string t = TableOf(static_cast<Column>(c));
    sql += "CREATE TABLE IF NOT EXISTS " + t +
           " (k bytea PRIMARY KEY, v bytea NOT NULL) WITH (fillfactor = 100);\n";
    sql += "ALTER TABLE " + t + " ALTER COLUMN v SET STORAGE EXTERNAL;\n";
  }
  sql += kFunctions;
  if (require_sync) sql += "SELECT ledger_check_sync();\n";
  sql += "COMMIT;";
  auto r = conn.Exec(sql);
  if (!r.ok()) {
    (void)conn.Exec("ROLLBACK");
    return r.status().Annotate("creating the schema");
  }
  return Status::Ok();
}

Status CheckSchema(PgConn& conn) {
  auto r = conn.Exec(
      "SELECT version FROM ledger_schema WHERE id = 1 AND "
      "to_regclass('ledger_head') IS NOT NULL",
      PGRES_TUPLES_OK);
  if (!r.ok()) {
    if (r.status().reason() == "store_schema_mismatch") {
      return Status::FailedPrecondition("store_schema_missing",
                                        "the database holds no ledger store (ledger_schema)");
    }
    return r.status();
  }
  const PGresult* res = r->get();
  if (PQntuples(res) != 1) {
    return Status::FailedPrecondition("store_schema_missing",
                                      "the database holds no ledger store (ledger_schema)");
  }
  const std::string version = PQgetvalue(res, 0, 0);
  if (version != std::to_string(kSchemaVersion)) {
    return Status::FailedPrecondition(
        "store_schema_mismatch", "the database holds store schema version " + version +
                                     ", this program reads version " +
                                     std::to_string(kSchemaVersion));
  }
  return Status::Ok();
}

}  // namespace ledger::store::pg
