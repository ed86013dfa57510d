// retention class|extend, hold place|release, dispose: retention requests
// checked against the log's own history and recorded as entries, refusals
// included (ledger/store/retention.h, schemas/formats/retention.md).
#include <cstdlib>

#include "commands_retention.h"
#include "ledger/base/clock.h"
#include "ledger/codec/rfc3339.h"
#include "ledger/store/retention.h"
#include "local_log.h"

namespace ledger::cli {
namespace {

// The fields every retention request shares; the actor is who asks.
Event Request(const Args& a, EventKind kind, std::string subject, std::string action,
              uint64_t now_us) {
  Event e;
  e.kind = kind;
  const char* user = std::getenv("USER");
  e.actor.id = a.Get("actor").value_or(user && *user ? user : "ledgerctl");
  e.actor.type = "user";
  e.actor.auth_method = "local-cli";
  e.source = "ledgerctl";
  e.action = std::move(action);
  e.occurred_at_us = now_us;
  e.event_id = e.action + "-" + std::to_string(now_us) + "-" +
               Sha256::Digest(subject).Hex().substr(0, 8);
  e.subject = std::move(subject);
  e.outcome = Outcome::kSuccess;
  return e;
}

Status Submit(const Args& a, const Output& o, Event request) {
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, true));
  if (auto key_file = a.Get("submitter-key")) {
    ASSIGN_OR_RETURN(auto key, ReadSubmitterKey(*key_file));
    log->UseSubmitter(std::move(key));
  }
  const uint64_t now = SystemClockMicros();
  auto append = [&](const Event& e) { return log->Append({Record{e, std::nullopt}}); };
  const std::string kind(EventKindName(request.kind));
  const std::string subject = request.subject;
  ASSIGN_OR_RETURN(store::RetentionOutcome out,
                   store::SubmitRetentionEvent(log->store(), std::move(request), now, append,
                                               log->stamper()));
  if (!out.refusal.ok()) {
    // The refusal is on record; the error (and exit status) says so.
    return Status(out.refusal.code(), out.refusal.reason(),
                  out.refusal.message() + " (refusal recorded as DENIED " + kind + " entry #" +
                      std::to_string(out.index) + ")");
  }
  o.Print({{"index", out.index}, {"kind", kind}, {"subject", subject}, {"outcome", "SUCCESS"}},
          "#" + std::to_string(out.index) + "  " + kind + "  " + subject + "  SUCCESS\n");
  return Status::Ok();
}

}  // namespace

Status CmdRetentionClass(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "class", "days", "lock", "actor", "json"}));
  ASSIGN_OR_RETURN(std::string name, a.Required("class"));
  ASSIGN_OR_RETURN(std::string days, a.Required("days"));
  Event e = Request(a, EventKind::kRetentionSet, std::string(kRetentionClassSubjectPrefix) + name,
                    "configure-class", SystemClockMicros());
  e.target_type = "retention-class";
  e.attributes = {{kAttrPeriodDays, days}};
  if (a.Flag("lock")) e.attributes.push_back({kAttrLocked, "true"});
  return Submit(a, o, std::move(e));
}

Status CmdRetentionExtend(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "subject", "until", "actor", "json"}));
  ASSIGN_OR_RETURN(std::string subject, a.Required("subject"));
  ASSIGN_OR_RETURN(std::string until, a.Required("until"));
  auto us = codec::ParseRfc3339Micros(until);
  if (!us.ok()) return Status::InvalidArgument("bad_time", "--until must be RFC 3339 UTC");
  Event e = Request(a, EventKind::kRetentionSet, subject, "extend-retention", SystemClockMicros());
  e.target_type = "record";
  e.attributes = {{kAttrRetainUntilUs, std::to_string(*us)}};
  return Submit(a, o, std::move(e));
}

Status CmdHold(const Args& a, const Output& o, bool place) {
  RETURN_IF_ERROR(a.Allow(
      {"data", "subject", "hold-id", "role", "reason", "actor", "submitter-key", "json"}));
  ASSIGN_OR_RETURN(std::string subject, a.Required("subject"));
  ASSIGN_OR_RETURN(std::string id, a.Required("hold-id"));
  // The role is recorded for the reader; the stamper key decides who may
  // release (retention.md §3).
  ASSIGN_OR_RETURN(std::string role, a.Required("role"));
  Event e = Request(a, place ? EventKind::kLegalHoldPlaced : EventKind::kLegalHoldReleased, subject,
                    place ? "place-hold" : "release-hold", SystemClockMicros());
  e.target_type = "record";
  e.actor.type = role;
  e.attributes = {{kAttrHoldId, id}, {kAttrRole, role}};
  if (auto reason = a.Get("reason")) e.attributes.push_back({"reason", *reason});
  return Submit(a, o, std::move(e));
}

Status CmdHoldPlace(const Args& a, const Output& o) { return CmdHold(a, o, true); }
Status CmdHoldRelease(const Args& a, const Output& o) { return CmdHold(a, o, false); }

Status CmdDispose(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "index", "actor", "json"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  ASSIGN_OR_RETURN(std::string index_arg, a.Required("index"));
  ASSIGN_OR_RETURN(uint64_t index, ParseU64(index_arg, "--index"));
  RetentionRecord record;
  {
    ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, false));
    ASSIGN_OR_RETURN(record, store::LoadRecord(log->store(), index));
  }
  if (!record.payload_digest) {
    return Status::FailedPrecondition("no_payload", "entry " + index_arg + " has no payload");
  }
  Event e = Request(a, EventKind::kRecordDisposed, record.subject, "dispose", SystemClockMicros());
  e.target_type = "record";
  e.attributes = {{kAttrDisposedDigest, record.payload_digest->Hex()},
                  {kAttrRecordIndex, std::to_string(index)}};
  return Submit(a, o, std::move(e));
}

}  // namespace ledger::cli
