// stamp: turns JSON-lines events into a ledgerd POST /v1/entries body.
//
// A service that appends over HTTP stamps each event itself (stamp.md): the
// stamp signs the canonical event bytes, so the body carries those bytes
// (`event_bytes`) rather than the JSON the service started from, and ledgerd
// sequences exactly what was signed (ledger/ledgerd/README.md). With
// --batch, one signature covers the whole body (a batch stamp, stamp.md §7):
// the notary checks it once for the request, and each entry still carries
// what it needs to be verified alone.
#include <istream>

#include "commands.h"
#include "ledger/record/stamp.h"
#include "local_log.h"

namespace ledger::cli {

Status CmdStamp(const Args& a, std::istream& in, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"key", "origin", "json", "batch"}));
  ASSIGN_OR_RETURN(std::string key_file, a.Required("key"));
  ASSIGN_OR_RETURN(std::string origin, a.Required("origin"));
  ASSIGN_OR_RETURN(auto signer, ReadSubmitterKey(key_file));
  ASSIGN_OR_RETURN(std::vector<Record> records, ReadRecords(a.positional(), in));
  if (records.empty()) return Status::InvalidArgument("no_events", "no events in the input");
  std::vector<Bytes> events;
  events.reserve(records.size());
  for (const Record& r : records) {
    ASSIGN_OR_RETURN(Bytes event, EncodeEvent(r.event));
    events.push_back(std::move(event));
  }
  std::vector<Bytes> stamps;
  if (a.Flag("batch")) {
    ASSIGN_OR_RETURN(stamps, MakeBatchStamps(origin, events, *signer));
  } else {
    for (const Bytes& event : events) {
      ASSIGN_OR_RETURN(Bytes stamp, MakeStamp(origin, event, *signer));
      stamps.push_back(std::move(stamp));
    }
  }
  nlohmann::json entries = nlohmann::json::array();
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    nlohmann::json entry = {{"event_bytes", Base64Encode(events[i])},
                            {"stamp", Base64Encode(stamps[i])}};
    if (r.payload) {
      entry["payload"] = std::string(AsString(r.payload->body));
      entry["payload_content_type"] = r.payload->content_type;
    }
    entries.push_back(std::move(entry));
  }
  // The body is the output either way: one JSON document on one line.
  nlohmann::json body = {{"entries", std::move(entries)}};
  o.out << body.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict) << "\n";
  return Status::Ok();
}

}  // namespace ledger::cli
