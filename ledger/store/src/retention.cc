// Retention on a LogStore (ledger/store/retention.h).
#include "ledger/store/retention.h"

#include <algorithm>
#include <map>
#include <set>

#include "ledger/record/leaf.h"

namespace ledger::store {
namespace {

constexpr EventKind kRetentionKinds[] = {EventKind::kRetentionSet, EventKind::kLegalHoldPlaced,
                                         EventKind::kLegalHoldReleased,
                                         EventKind::kRecordDisposed};

Result<std::pair<Leaf, Event>> ReadEntry(const LogStore& st, uint64_t index) {
  ASSIGN_OR_RETURN(LeafWithProof l, st.GetLeaf(index));
  ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(l.leaf));
  ASSIGN_OR_RETURN(Event event, DecodeEvent(leaf.event));
  return std::make_pair(std::move(leaf), std::move(event));
}

RetentionState::RecordLookup Lookup(const LogStore& st) {
  return [&st](uint64_t index) -> std::optional<RetentionRecord> {
    auto r = LoadRecord(st, index);
    return r.ok() ? std::optional<RetentionRecord>(*r) : std::nullopt;
  };
}

Status Violation(uint64_t index, const Event& e, const Status& s) {
  return Status::Corruption("retention_violation", "entry " + std::to_string(index) + " (" +
                                                       std::string(EventKindName(e.kind)) +
                                                       "): " + s.ToString());
}

void MarkDenied(Event& request, const Status& refusal) {
  request.outcome = Outcome::kDenied;
  request.outcome_reason = refusal.reason() + ": " + refusal.message();
  if (request.outcome_reason.size() > kMaxEventStringSize) {
    request.outcome_reason.resize(kMaxEventStringSize);
  }
}

}  // namespace

Result<RetentionRecord> LoadRecord(const LogStore& st, uint64_t index) {
  ASSIGN_OR_RETURN(auto entry, ReadEntry(st, index));
  const auto& [leaf, e] = entry;
  return RetentionRecord{index, leaf.recorded_at_us, e.subject, e.retention_class,
                         e.payload_digest};
}

Result<RetentionState> LoadRetentionState(const LogStore& st) {
  std::vector<uint64_t> indices;
  for (EventKind k : kRetentionKinds) {
    EntryQuery q;
    q.kind = k;
    q.limit = SIZE_MAX;
    ASSIGN_OR_RETURN(auto found, st.FindEntries(q));
    indices.insert(indices.end(), found.begin(), found.end());
  }
  std::sort(indices.begin(), indices.end());
  RetentionState state;
  for (uint64_t i : indices) {
    ASSIGN_OR_RETURN(auto entry, ReadEntry(st, i));
    const auto& [leaf, e] = entry;
    Status s = state.Apply(i, leaf.recorded_at_us, e, Lookup(st), StamperOf(leaf.stamp));
    if (!s.ok()) return Violation(i, e, s);
  }
  return state;
}

Result<RetentionOutcome> SubmitRetentionEvent(LogStore& st, Event request, uint64_t now_us,
                                              const AppendEventFn& append,
                                              const Stamper& stamper) {
  if (std::find(std::begin(kRetentionKinds), std::end(kRetentionKinds), request.kind) ==
          std::end(kRetentionKinds) ||
      request.outcome != Outcome::kSuccess) {
    return Status::InvalidArgument("not_a_retention_request",
                                   "retention requests are RETENTION_SET, LEGAL_HOLD_* or "
                                   "RECORD_DISPOSED events with outcome SUCCESS");
  }
  ASSIGN_OR_RETURN(RetentionState state, LoadRetentionState(st));
  // Dry run on a copy: the state changes only through the log.
  RetentionState trial = state;
  Status refusal = trial.Apply(st.size(), now_us, request, Lookup(st), stamper);
  if (!refusal.ok()) MarkDenied(request, refusal);
  auto appended = append(request);
  if (!appended.ok() && refusal.ok() && IsRetentionRefusal(appended.status())) {
    // The notary refused it, at its own time and on the records the map
    // proves (retention.md §5): that refusal goes on record instead.
    refusal = appended.status();
    MarkDenied(request, refusal);
    appended = append(request);
  }
  if (!appended.ok()) return appended.status();
  const SequencedBatch& batch = *appended;
  RetentionOutcome out{batch.first_index, refusal};
  if (!refusal.ok() || request.kind != EventKind::kRecordDisposed ||
      RuleOf(request) != RetentionRule::kDispose) {
    return out;
  }
  // The entry is durable. Before the body goes, judge the disposal as every
  // reader will: at the recorded_at the notary gave it, not at this host's
  // time, against the whole history replayed from the store.
  ASSIGN_OR_RETURN(uint64_t index, DisposedIndex(request));
  ASSIGN_OR_RETURN(RetentionState after, LoadRetentionState(st));
  if (!after.Disposed(index)) {
    return Status::Corruption("retention_violation",
                              "the sequenced disposal of record " + std::to_string(index) +
                                  " is not in the replayed history");
  }
  // And the notary's own record of it: the record's disposal key names this
  // entry (map.md §5b). A log without the map (no map line) has none.
  auto map_line = state_map::FindRoot(st.latest().checkpoint.extensions);
  if (map_line.ok() && *map_line) {
    ASSIGN_OR_RETURN(auto disposal, st.NewMapUpdater().FindDisposal(index));
    if (!disposal || *disposal != batch.first_index) {
      return Status::Corruption("retention_violation",
                                "the map's disposal key of record " + std::to_string(index) +
                                    " does not name entry " + std::to_string(batch.first_index));
    }
  }
  // Only the body: the leaf and its digest stay, so every hash and proof
  // still verifies.
  ASSIGN_OR_RETURN(RetentionRecord record, LoadRecord(st, index));
  RETURN_IF_ERROR(st.ErasePayload(*record.payload_digest, batch.first_index));
  return out;
}

Status AuditRetention(const LogStore& st) {
  RetentionState state;
  auto lookup = Lookup(st);
  const uint64_t size = st.size();
  std::map<Hash, uint64_t> with_payload;  // digest -> first entry naming it
  std::set<Hash> disposed;                 // digests of disposed bodies
  for (uint64_t i = 0; i < size; ++i) {
    ASSIGN_OR_RETURN(auto entry, ReadEntry(st, i));
    const auto& [leaf, e] = entry;
    Status s = state.Apply(i, leaf.recorded_at_us, e, lookup, StamperOf(leaf.stamp));
    if (!s.ok()) return Violation(i, e, s);
    if (e.payload_digest) with_payload.emplace(*e.payload_digest, i);
    if (RuleOf(e) == RetentionRule::kDispose) {
      // Applied above, so the record exists and names a payload digest.
      auto record = LoadRecord(st, DisposedIndex(e).value());
      if (record.ok() && record->payload_digest) disposed.insert(*record->payload_digest);
    }
  }
  // A body the store received at append and no longer holds must have been
  // disposed of (retention.md §4): anything else is a deletion.
  for (const auto& [digest, index] : with_payload) {
    ASSIGN_OR_RETURN(PayloadPresence presence, st.PayloadState(digest));
    const bool gone =
        presence == PayloadPresence::kMissing || presence == PayloadPresence::kDisposed;
    if (gone && !disposed.contains(digest)) {
      return Status::Corruption("payload_missing",
                                "entry " + std::to_string(index) + ": the payload body " +
                                    digest.Hex() +
                                    " was stored at append and is gone, with no RECORD_DISPOSED "
                                    "entry disposing of it");
    }
  }
  return Status::Ok();
}

}  // namespace ledger::store
