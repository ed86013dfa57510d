// The `/v1/export?from&to&subject&actor&kind&outcome&request_id` handler as
// a library function with no HTTP library in it: a server (ledgerd, which
// can append the EXPORT_CREATED entry; the explorer cannot) passes the request's
// query parameters and the authenticated requester, and sends back the
// response as given (a tar bundle, or a JSON error with a stable reason).
//
// Query: `from`, `to` (RFC 3339 UTC or µs, recorded_at range [from, to)),
// `subject` (repeatable, at most kMaxExportSubjects), `actor` (actor id),
// `kind` and `outcome` (by name), `request_id`: the explorer's search
// filters, so that its export link hands the current filter over as it is.
// Unknown parameters are refused, as everywhere else in the project.
//
// Thread-safety: as CreateExport.
#pragma once

#include <map>
#include <string>

#include "ledger/export/export.h"

namespace ledger::exporter {

inline constexpr size_t kMaxExportSubjects = 100;

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
};

// Maps the query to an ExportRequest (requester, log_vkey, created_at_us,
// software_version still to be set by the caller). InvalidArgument
// ("bad_time"), ("unknown_parameter"), ("too_many_subjects"),
// ("bad_parameter": a repeated or empty actor/request_id, a repeated kind or
// outcome), ("unknown_event_kind"), ("unknown_outcome").
Result<ExportRequest> ParseExportQuery(const std::multimap<std::string, std::string>& query);

// 200 application/x-tar (the bundle, recorded as EXPORT_CREATED), or an
// error: 400 invalid_argument, 404 not_found, 409 failed_precondition,
// 503 unavailable, 500 otherwise; body {"error":{"code","reason","message"}}.
HttpResponse HandleExport(const store::LogStore& store,
                          const std::multimap<std::string, std::string>& query,
                          const ExportRequest& defaults, const AppendFn& append);

}  // namespace ledger::exporter
