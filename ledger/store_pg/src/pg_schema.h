// The PostgreSQL schema of the store (docs/postgres.md §Schema): one table
// per column family, the head row that carries the fencing epoch, and the
// server-side checks every writer transaction runs.
#pragma once

#include <cstdint>
#include <string>

#include "ledger/base/status.h"
#include "ledger/store/kv.h"

namespace ledger::store::pg {

class PgConn;

// Bumped with any change of the tables or functions below.
inline constexpr int kSchemaVersion = 1;

// "ledger_leaves", ... (ColumnName is a fixed identifier, never input).
std::string TableOf(Column c);

// Creates the schema in one transaction if the database has none. With
// `require_sync`, the transaction commits only if a synchronous standby
// will have it (Unavailable("not_synchronously_replicated") otherwise, and
// nothing is created): its commit would wait for a missing standby forever.
Status CreateSchema(PgConn& conn, bool require_sync);

// FailedPrecondition("store_schema_missing") / ("store_schema_mismatch")
// unless the database holds this version of the schema.
Status CheckSchema(PgConn& conn);

}  // namespace ledger::store::pg
