// The human-readable renderings of an export: CSV (RFC 4180), the HTML report
// and the record-id index (export-bundle.md §6). Deterministic functions of
// the entries and the export manifest, so the verifier can regenerate them
// and compare bytes: a CSV row or HTML cell that says something the signed
// JSON does not is caught without parsing either.
#include <map>

#include "ledger/bundle/bundle.h"
#include "ledger/bundle/jcs.h"
#include "ledger/codec/rfc3339.h"

namespace ledger::bundle {
namespace {

std::string HashOrEmpty(const std::optional<Hash>& h) { return h ? h->Hex() : ""; }

// RFC 4180 §2: quote fields holding a comma, quote or line break; double the
// quotes. A leading = + - @ (or tab/CR) is prefixed with ' so a spreadsheet
// shows the text instead of evaluating it (OWASP "CSV injection"): the
// report is opened by people, the JSON is what is signed.
std::string CsvField(const std::string& s) {
  std::string v = s;
  if (!v.empty() && std::string_view("=+-@\t\r").find(v[0]) != std::string_view::npos) {
    v.insert(v.begin(), '\'');
  }
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::vector<std::string> CsvRow(const EntryLine& e) {
  const Event& ev = e.event;
  std::string attrs;
  for (const auto& [k, v] : ev.attributes) attrs += (attrs.empty() ? "" : ";") + k + "=" + v;
  return {std::to_string(e.index),
          codec::FormatRfc3339Micros(e.decoded.recorded_at_us),
          codec::FormatRfc3339Micros(ev.occurred_at_us),
          ev.event_id,
          std::string(EventKindName(ev.kind)),
          ev.action,
          ev.subject,
          ev.target_type,
          ev.target_version,
          ev.actor.type,
          ev.actor.id,
          ev.actor.auth_method,
          ev.actor.on_behalf_of,
          ev.source,
          std::string(OutcomeName(ev.outcome)),
          ev.outcome_reason,
          ev.request_id,
          ev.correlation_id,
          HashOrEmpty(ev.prior_state_hash),
          HashOrEmpty(ev.new_state_hash),
          HashOrEmpty(ev.payload_digest),
          ev.retention_class,
          attrs,
          e.leaf_hash.Hex()};
}

constexpr const char* kCsvHeader[] = {
    "index",          "recorded_at",      "occurred_at",    "event_id",      "kind",
    "action",         "subject",          "target_type",    "target_version", "actor_type",
    "actor_id",       "actor_auth_method", "actor_on_behalf_of", "source",     "outcome",
    "outcome_reason", "request_id",       "correlation_id", "prior_state_hash",
    "new_state_hash", "payload_digest",   "retention_class", "attributes",   "leaf_hash"};

std::string Html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string JsonText(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  auto c = CanonicalJson(*it);
  return c.ok() ? *c : "";
}

void HtmlTable(std::string& out, const std::vector<const EntryLine*>& rows) {
  out += "<table>\n<tr>";
  for (const char* h : kCsvHeader) out += "<th>" + Html(h) + "</th>";
  out += "</tr>\n";
  for (const EntryLine* e : rows) {
    out += "<tr>";
    for (const std::string& cell : CsvRow(*e)) out += "<td>" + Html(cell) + "</td>";
    out += "</tr>\n";
  }
  out += "</table>\n";
}

}  // namespace

std::string RenderCsv(const std::vector<EntryLine>& entries) {
  std::string out;
  bool first = true;
  for (const char* h : kCsvHeader) {
    out += (first ? "" : ",") + std::string(h);
    first = false;
  }
  out += "\r\n";
  for (const EntryLine& e : entries) {
    first = true;
    for (const std::string& f : CsvRow(e)) {
      out += (first ? "" : ",") + CsvField(f);
      first = false;
    }
    out += "\r\n";
  }
  return out;
}

std::string RenderHtml(const nlohmann::json& manifest, const std::vector<EntryLine>& entries,
                       const std::vector<EntryLine>& evidence) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>Audit ledger export</title>\n<style>body{font-family:sans-serif}"
      "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #999;padding:2px 4px}"
      "</style>\n</head>\n<body>\n<h1>Audit ledger export</h1>\n<h2>Scope and verification "
      "summary</h2>\n<dl>\n";
  for (const char* key : {"origin", "log_vkey", "requester", "created_at", "scope", "counts",
                          "first_index", "last_index", "tree_size", "root"}) {
    out += "<dt>" + Html(key) + "</dt><dd>" + Html(JsonText(manifest, key)) + "</dd>\n";
  }
  out +=
      "</dl>\n<p>Every entry below is a leaf of the log's Merkle tree; the bundle holds its "
      "exact leaf bytes, an inclusion proof to the checkpoint of size " +
      Html(JsonText(manifest, "tree_size")) +
      ", the signed checkpoints and the consistency proofs between them. Run "
      "<code>ledgerctl verify-bundle</code> with the log's pinned key to check all of it "
      "offline.</p>\n<h2>Record histories</h2>\n";
  std::map<std::string, std::vector<const EntryLine*>> by_subject;
  for (const EntryLine& e : entries) by_subject[e.event.subject].push_back(&e);
  for (const auto& [subject, rows] : by_subject) {
    out += "<h3>" + Html(subject) + " (" + std::to_string(rows.size()) + " entries)</h3>\n";
    HtmlTable(out, rows);
  }
  out += "<h2>Key history, boot proofs and anchors</h2>\n";
  std::vector<const EntryLine*> ev;
  for (const EntryLine& e : evidence) ev.push_back(&e);
  HtmlTable(out, ev);
  out += "</body>\n</html>\n";
  return out;
}

Result<std::string> RenderIndex(const std::vector<EntryLine>& entries) {
  nlohmann::json by_event = nlohmann::json::object(), by_subject = nlohmann::json::object();
  for (const EntryLine& e : entries) {
    by_event[e.event.event_id].push_back(e.index);
    by_subject[e.event.subject].push_back(e.index);
  }
  ASSIGN_OR_RETURN(std::string s,
                   CanonicalJson({{"by_event_id", by_event}, {"by_subject", by_subject}}));
  return s + "\n";
}

}  // namespace ledger::bundle
