// Retention on a LogStore (ledger/store/retention.h).
#include "ledger/store/retention.h"

#include <algorithm>

#include "ledger/leaf.h"

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
    Status s = state.Apply(i, entry.first.recorded_at_us, entry.second, Lookup(st));
    if (!s.ok()) {
      return Status::Corruption("retention_violation",
                                "entry " + std::to_string(i) + ": " + s.ToString());
    }
  }
  return state;
}

Result<RetentionOutcome> SubmitRetentionEvent(LogStore& st, Event request, uint64_t now_us,
                                              const AppendEventFn& append) {
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
  Status refusal = trial.Apply(st.size(), now_us, request, Lookup(st));
  if (!refusal.ok()) {
    request.outcome = Outcome::kDenied;
    request.outcome_reason = refusal.reason() + ": " + refusal.message();
    if (request.outcome_reason.size() > kMaxEventStringSize) {
      request.outcome_reason.resize(kMaxEventStringSize);
    }
  }
  ASSIGN_OR_RETURN(SequencedBatch batch, append(request));
  RetentionOutcome out{batch.first_index, refusal};
  if (refusal.ok() && request.kind == EventKind::kRecordDisposed) {
    // The entry is durable; now the body goes. Only the body: the leaf and
    // its digest stay, so every hash and proof still verifies.
    ASSIGN_OR_RETURN(uint64_t index, ParseDecimalU64(*FindAttribute(request, kAttrRecordIndex)));
    ASSIGN_OR_RETURN(RetentionRecord record, LoadRecord(st, index));
    WriteBatch wb;
    wb.Erase(Column::kPayloads,
             Bytes(record.payload_digest->bytes.begin(), record.payload_digest->bytes.end()));
    RETURN_IF_ERROR(st.kv().Write(wb));
  }
  return out;
}

Status AuditRetention(const LogStore& st) {
  RetentionState state;
  auto lookup = Lookup(st);
  const uint64_t size = st.size();
  for (uint64_t i = 0; i < size; ++i) {
    ASSIGN_OR_RETURN(auto entry, ReadEntry(st, i));
    const auto& [leaf, e] = entry;
    Status s = state.Apply(i, leaf.recorded_at_us, e, lookup);
    if (!s.ok()) {
      return Status::Corruption("retention_violation",
                                "entry " + std::to_string(i) + " (" +
                                    std::string(EventKindName(e.kind)) + "): " + s.ToString());
    }
  }
  return Status::Ok();
}

}  // namespace ledger::store
