// The verifier's retention check: replays the retention history the bundle
// carries (retention.md) and flags any disposal the log's own history
// forbids (retention.md §4).
#include <algorithm>
#include <map>

#include "ledger/retention.h"
#include "verify_internal.h"

namespace ledger::bundle::internal {

void CheckRetention(Context& c) {
  const char* name = "retention";
  std::map<uint64_t, const EntryLine*> by_index;
  for (const auto* list : {&c.entries, &c.evidence}) {
    for (const EntryLine& e : *list) by_index.emplace(e.index, &e);
  }
  auto lookup = [&](uint64_t index) -> std::optional<RetentionRecord> {
    auto it = by_index.find(index);
    if (it == by_index.end()) return std::nullopt;
    const EntryLine& e = *it->second;
    return RetentionRecord{e.index, e.decoded.recorded_at_us, e.event.subject,
                           e.event.retention_class, e.event.payload_digest};
  };
  RetentionState state;
  size_t disposals = 0, denials = 0, holds = 0;
  for (const auto& [index, e] : by_index) {
    if (e->event.kind == EventKind::kRecordDisposed) {
      (e->event.outcome == Outcome::kSuccess ? disposals : denials)++;
    }
    if (e->event.kind == EventKind::kLegalHoldPlaced) ++holds;
    Status s = state.Apply(index, e->decoded.recorded_at_us, e->event, lookup,
                           StamperOf(e->decoded.stamp));
    if (!s.ok()) {
      return c.Fail(name, "entry " + std::to_string(index) + " (" +
                              std::string(EventKindName(e->event.kind)) +
                              ") breaks the log's retention history: " + s.ToString());
    }
  }
  c.Pass(name, std::to_string(disposals) + " disposals and " + std::to_string(holds) +
                   " legal holds consistent with the log's retention history; " +
                   std::to_string(denials) + " refused disposals on record");
}

}  // namespace ledger::bundle::internal
