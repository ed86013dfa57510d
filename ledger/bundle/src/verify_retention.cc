// The verifier's retention checks: `retention` replays the retention history
// the bundle carries (retention.md) and flags any disposal the log's own
// history forbids (retention.md §4); `retention.state` checks that history
// against the state the map proves at the bundle's checkpoint.
#include <algorithm>
#include <map>

#include "ledger/bundle/retention_keys.h"
#include "ledger/record/state_map.h"
#include "ledger/retention/retention.h"
#include "verify_internal.h"

namespace ledger::bundle::internal {
namespace {

// The bundle's entries and evidence by index, in log order, and the lookup
// of a disposed record the retention rules need.
struct History {
  explicit History(const Context& c) {
    for (const auto* list : {&c.entries, &c.evidence}) {
      for (const EntryLine& e : *list) by_index.emplace(e.index, &e);
    }
  }
  std::optional<RetentionRecord> Record(uint64_t index) const {
    auto it = by_index.find(index);
    if (it == by_index.end()) return std::nullopt;
    const EntryLine& e = *it->second;
    return RetentionRecord{e.index, e.decoded.recorded_at_us, e.event.subject,
                           e.event.retention_class, e.event.payload_digest};
  }
  std::map<uint64_t, const EntryLine*> by_index;
};

}  // namespace

void CheckRetention(Context& c) {
  const char* name = "retention";
  const History history(c);
  const auto& by_index = history.by_index;
  auto lookup = [&](uint64_t index) { return history.Record(index); };
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

namespace ledger::bundle::internal {
namespace {

// What the bundle's own lines say set each retention key: how many entries
// invoked its rule, and the last (map.md §5b counts the same entries in a
// value's version and index).
struct Setters {
  uint64_t count = 0, last = 0;
  void Add(uint64_t index) { ++count, last = index; }
};

std::string DescribeHolds(const SubjectRetention& s) {
  std::string out;
  for (const auto& [id, by] : s.holds) {
    out += (out.empty() ? "" : ", ") + id + " by " + by.Describe();
  }
  return out.empty() ? "none" : out;
}

}  // namespace

// export-bundle.md §3.3: the proven retention state at the checkpoint, and
// the shipped history against it, so no hold, extension, class change or
// disposal can be left out of the evidence.
void CheckRetentionState(Context& c) {
  const char* name = "retention.state";
  const auto tree_size = c.ManifestU64("tree_size");
  auto cp = tree_size ? c.checkpoints.find(*tree_size) : c.checkpoints.end();
  if (cp == c.checkpoints.end()) {
    return c.Fail(name, "no verified checkpoint of the manifest's tree_size");
  }
  auto map_root = state_map::FindRoot(cp->second.checkpoint.extensions);
  if (!map_root.ok()) return c.Fail(name, map_root.status().ToString());
  const std::string* text = c.File(kRetentionJsonl);
  if (!*map_root) {
    if (text) return c.Fail(name, "retention.jsonl in a bundle whose checkpoint has no map");
    return c.Skip(name, "the log keeps no state map: the retention history is the exporter's "
                        "selection (retention check only)");
  }
  if (!text) return c.Fail(name, "retention_state_missing: no data/proofs/retention.jsonl");
  auto split = SplitLines(*text);
  if (!split.ok()) return c.Fail(name, split.status().ToString());

  std::set<Hash> shipped;
  for (const auto* list : {&c.entries, &c.evidence}) {
    for (const EntryLine& e : *list) {
      if (e.event.payload_digest && c.File(PayloadPath(*e.event.payload_digest))) {
        shipped.insert(*e.event.payload_digest);
      }
    }
  }
  const RetentionKeys required = RetentionKeysOf(c.entries, c.evidence, shipped);

  // Each line: a proof of its key at the checkpoint's map root, and the
  // record the value names.
  struct Proven {
    std::optional<state_map::Value> value;
    Bytes record;
  };
  std::map<std::string, Proven> subjects, classes;
  std::map<uint64_t, Proven> disposals;
  for (std::string_view raw : *split) {
    auto line = ParseRetentionKeyLine(raw);
    if (!line.ok()) return c.Fail(name, line.status().ToString());
    auto value = state_map::VerifyProof(**map_root, line->Key(), line->proof);
    if (!value.ok()) {
      return c.Fail(name, line->Describe() + ": " + value.status().ToString() +
                              " (not the map at size " + std::to_string(*tree_size) + ")");
    }
    const bool keyed = line->kind != RetentionKeyLine::Kind::kDisposal;
    if (keyed && value->has_value() != !line->record.empty()) {
      return c.Fail(name, line->Describe() + ": a record is shipped exactly for a present key");
    }
    if (keyed && *value && Sha256::Digest(line->record) != (*value)->state) {
      return c.Fail(name, "retention_record_mismatch: the record of " + line->Describe() +
                              " is not the one the map names");
    }
    Proven p{*value, line->record};
    bool fresh = line->kind == RetentionKeyLine::Kind::kSubject
                     ? subjects.emplace(line->name, p).second
                 : line->kind == RetentionKeyLine::Kind::kClass
                     ? classes.emplace(line->name, p).second
                     : disposals.emplace(line->record_index, p).second;
    if (!fresh) return c.Fail(name, line->Describe() + " is proven twice");
  }
  if (subjects.size() + classes.size() + disposals.size() != required.size()) {
    // Only the keys the bundle's lines call for, so the set is the same for
    // every exporter.
    for (const auto& [s, unused] : subjects) {
      if (!required.subjects.contains(s)) return c.Fail(name, "subject " + s + " is not exported");
    }
    for (const auto& [k, unused] : classes) {
      if (!required.classes.contains(k)) return c.Fail(name, "class " + k + " is not exported");
    }
    for (const auto& [r, unused] : disposals) {
      if (!required.disposals.contains(r)) {
        return c.Fail(name, "record " + std::to_string(r) + " needs no disposal key");
      }
    }
  }
  for (const std::string& s : required.subjects) {
    if (!subjects.contains(s)) {
      return c.Fail(name, "retention_state_incomplete: no proof for subject " + s);
    }
  }
  for (const std::string& k : required.classes) {
    if (!classes.contains(k)) {
      return c.Fail(name, "retention_state_incomplete: no proof for class " + k);
    }
  }
  for (uint64_t r : required.disposals) {
    if (!disposals.contains(r)) {
      return c.Fail(name, "retention_state_incomplete: no disposal key proof for record " +
                              std::to_string(r));
    }
  }

  // The shipped history, replayed as the notary applied it.
  const History history(c);
  const auto& by_index = history.by_index;
  auto lookup = [&](uint64_t index) { return history.Record(index); };
  RetentionState state;
  std::map<std::string, Setters> subject_setters, class_setters;
  std::map<uint64_t, uint64_t> disposed_by;  // record -> disposal entry
  for (const auto& [index, e] : by_index) {
    const RetentionRule rule = RuleOf(e->event);
    if (rule == RetentionRule::kNone) continue;
    // A refused rule set no key (map.md §5b); the retention check reports it.
    if (!state.Apply(index, e->decoded.recorded_at_us, e->event, lookup,
                     StamperOf(e->decoded.stamp))
             .ok()) {
      continue;
    }
    if (rule == RetentionRule::kConfigureClass) {
      class_setters[std::string(ConfiguredClass(e->event))].Add(index);
    } else if (rule == RetentionRule::kDispose) {
      if (auto record = DisposedIndex(e->event); record.ok()) disposed_by[*record] = index;
    } else {
      subject_setters[e->event.subject].Add(index);
    }
  }

  auto count_mismatch = [&](const std::string& what, const std::optional<state_map::Value>& v,
                            const Setters& shipped_setters) -> std::optional<std::string> {
    const uint64_t version = v ? v->version : 0;
    if (version == shipped_setters.count && (!v || v->index == shipped_setters.last)) {
      return std::nullopt;
    }
    return "retention_evidence_incomplete: " + what + ": the map at size " +
           std::to_string(*tree_size) + " counts " + std::to_string(version) +
           " retention entries" + (v ? ", the last at " + std::to_string(v->index) : "") +
           "; the bundle carries " + std::to_string(shipped_setters.count) +
           (shipped_setters.count ? ", the last at " + std::to_string(shipped_setters.last) : "");
  };
  size_t holds = 0;
  std::string held;
  for (const auto& [s, p] : subjects) {
    if (auto why = count_mismatch("subject " + s, p.value, subject_setters[s])) {
      return c.Fail(name, *why);
    }
    SubjectRetention proven;
    if (p.value) {
      auto decoded = SubjectRetention::Decode(p.record);
      if (!decoded.ok()) return c.Fail(name, "subject " + s + ": " + decoded.status().ToString());
      proven = *decoded;
    }
    if (proven != state.Subject(s)) {
      return c.Fail(name, "retention_evidence_incomplete: subject " + s +
                              ": the map records holds " + DescribeHolds(proven) +
                              ", the bundle's history gives " + DescribeHolds(state.Subject(s)));
    }
    holds += proven.holds.size();
    if (!proven.holds.empty() && held.size() < 400) {
      held += (held.empty() ? "" : "; ") + s + ": " + DescribeHolds(proven);
    }
  }
  for (const auto& [k, p] : classes) {
    if (auto why = count_mismatch("class " + k, p.value, class_setters[k])) {
      return c.Fail(name, *why);
    }
    std::optional<ClassRetention> proven;
    if (p.value) {
      auto decoded = ClassRetention::Decode(p.record);
      if (!decoded.ok()) return c.Fail(name, "class " + k + ": " + decoded.status().ToString());
      proven = *decoded;
    }
    if (proven != state.Class(k)) {
      return c.Fail(name, "retention_evidence_incomplete: class " + k +
                              ": the bundle's history does not give the recorded configuration");
    }
  }
  size_t disposed = 0;
  for (const auto& [r, p] : disposals) {
    auto it = disposed_by.find(r);
    const std::string record = "record " + std::to_string(r);
    if (!p.value) {
      if (it != disposed_by.end()) {
        return c.Fail(name, record + ": disposed at " + std::to_string(it->second) +
                                " in the bundle, which the map does not record");
      }
      continue;
    }
    if (it == disposed_by.end() || it->second != p.value->index) {
      return c.Fail(name, "retention_evidence_incomplete: " + record +
                              ": the map records its disposal at entry " +
                              std::to_string(p.value->index) +
                              ", which the bundle does not carry");
    }
    auto rec = lookup(r);
    if (rec && rec->payload_digest && *rec->payload_digest != p.value->state) {
      return c.Fail(name, record + ": the map's disposal names another payload digest");
    }
    ++disposed;
  }
  c.Pass(name, std::to_string(subjects.size()) + " subjects, " + std::to_string(classes.size()) +
                   " classes and " + std::to_string(disposals.size()) +
                   " disposal keys proven at the map root of size " + std::to_string(*tree_size) +
                   ", matching the shipped history; " + std::to_string(disposed) +
                   " records disposed, " + std::to_string(holds) + " active legal holds" +
                   (held.empty() ? "" : " (" + held + ")"));
}

}  // namespace ledger::bundle::internal
