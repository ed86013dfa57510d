// The /v1/export handler (http_export.h).
#include "ledger/export/http_export.h"

#include <nlohmann/json.hpp>

#include "ledger/bundle/archive.h"
#include "ledger/codec/rfc3339.h"
#include "ledger/note/checkpoint.h"

namespace ledger::exporter {
namespace {

Result<uint64_t> ParseTime(const std::string& name, const std::string& v) {
  if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) {
    auto us = ParseDecimalU64(v);
    if (us.ok()) return *us;
  }
  auto us = codec::ParseRfc3339Micros(v);
  if (!us.ok()) {
    return Status::InvalidArgument("bad_time", name + " must be RFC 3339 UTC or microseconds");
  }
  return *us;
}

int HttpStatus(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return 400;
    case Code::kNotFound: return 404;
    case Code::kFailedPrecondition: return 409;
    case Code::kUnavailable: return 503;
    default: return 500;
  }
}

HttpResponse Error(const Status& s) {
  nlohmann::json body = {{"error",
                          {{"code", std::string(CodeName(s.code()))},
                           {"reason", s.reason()},
                           {"message", s.message()}}}};
  return {HttpStatus(s.code()), "application/json", body.dump() + "\n"};
}

}  // namespace

Result<ExportRequest> ParseExportQuery(const std::multimap<std::string, std::string>& query) {
  ExportRequest r;
  for (const auto& [k, v] : query) {
    if (k == "from") {
      ASSIGN_OR_RETURN(r.from_us, ParseTime(k, v));
    } else if (k == "to") {
      ASSIGN_OR_RETURN(r.to_us, ParseTime(k, v));
    } else if (k == "subject") {
      if (r.subjects.size() >= kMaxExportSubjects) {
        return Status::InvalidArgument("too_many_subjects", "at most 100 subjects per export");
      }
      r.subjects.push_back(v);
    } else if (k == "actor" || k == "request_id") {
      auto& field = k == "actor" ? r.actor : r.request_id;
      if (field || v.empty()) {
        return Status::InvalidArgument("bad_parameter", k + " is given once and not empty");
      }
      field = v;
    } else if (k == "kind") {
      if (r.kind) return Status::InvalidArgument("bad_parameter", "kind is given once");
      ASSIGN_OR_RETURN(r.kind, ParseEventKind(v));
    } else if (k == "outcome") {
      if (r.outcome) return Status::InvalidArgument("bad_parameter", "outcome is given once");
      ASSIGN_OR_RETURN(r.outcome, ParseOutcome(v));
    } else {
      return Status::InvalidArgument("unknown_parameter", "unknown query parameter " + k);
    }
  }
  return r;
}

HttpResponse HandleExport(const store::LogStore& store,
                          const std::multimap<std::string, std::string>& query,
                          const ExportRequest& defaults, const AppendFn& append) {
  auto parsed = ParseExportQuery(query);
  if (!parsed.ok()) return Error(parsed.status());
  ExportRequest r = defaults;
  r.from_us = parsed->from_us;
  r.to_us = parsed->to_us;
  r.subjects = parsed->subjects;
  r.actor = parsed->actor;
  r.kind = parsed->kind;
  r.outcome = parsed->outcome;
  r.request_id = parsed->request_id;
  auto files = CreateExport(store, r, append);
  if (!files.ok()) return Error(files.status());
  auto tar = bundle::WriteTar(*files, static_cast<int64_t>(r.created_at_us / 1'000'000));
  if (!tar.ok()) return Error(tar.status());
  return {200, "application/x-tar", std::move(tar).value()};
}

}  // namespace ledger::exporter
