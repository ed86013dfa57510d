// CreateExport (export.h). Layout and formats: schemas/formats/export-bundle.md.
#include "ledger/export/export.h"

#include <algorithm>
#include <set>

#include "ledger/bundle/jcs.h"
#include "ledger/bundle/retention_keys.h"
#include "ledger/codec/rfc3339.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/checkpoint.h"
#include "ledger/record/ownership.h"
#include "ledger/record/state_map.h"
#include "ledger/retention/retention.h"
#include "ledger/retention/retention_map.h"

namespace ledger::exporter {
namespace {

using bundle::Files;

// Retention and custody evidence an auditor needs whatever the time range:
// the key history from genesis and every policy in force.
constexpr EventKind kKeyHistoryKinds[] = {EventKind::kEnclaveBooted, EventKind::kPolicyChanged};
// Per-record retention history (retention.md): looked up by subject.
constexpr EventKind kRetentionKinds[] = {EventKind::kRetentionSet, EventKind::kLegalHoldPlaced,
                                         EventKind::kLegalHoldReleased,
                                         EventKind::kRecordDisposed};
constexpr size_t kMaxCheckpoints = 4096;

Result<std::vector<uint64_t>> FindAll(const store::LogStore& st, store::EntryQuery q) {
  q.limit = SIZE_MAX;
  return st.FindEntries(q);
}

Result<Event> EventAt(const store::LogStore& st, uint64_t index, uint64_t size) {
  ASSIGN_OR_RETURN(store::LeafWithProof l, st.GetLeaf(index, size));
  ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(l.leaf));
  return DecodeEvent(leaf.event);
}

Result<uint64_t> RecordedAt(const store::LogStore& st, uint64_t index, uint64_t size) {
  ASSIGN_OR_RETURN(store::LeafWithProof l, st.GetLeaf(index, size));
  ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(l.leaf));
  return leaf.recorded_at_us;
}

// The scope: the range [first, end) of indices whose recorded_at lies in
// [from, to), found by binary search over verified leaves (recorded_at never
// decreases), and the entries of that range that pass the filters. The range
// is walked index by index, so no search index can hide an entry from it.
struct Scope {
  uint64_t first = 0, end = 0;
  std::vector<uint64_t> indices;
  std::vector<Hash> range_leaf_hashes;  // filtered exports only: [first, end)
};

Result<Scope> FindScope(const store::LogStore& st, const ExportRequest& r, uint64_t size) {
  auto lower_bound = [&](uint64_t t) -> Result<uint64_t> {
    uint64_t lo = 0, hi = size;
    while (lo < hi) {
      uint64_t mid = lo + (hi - lo) / 2;
      ASSIGN_OR_RETURN(uint64_t at, RecordedAt(st, mid, size));
      if (at < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
  Scope s;
  s.end = size;
  if (r.from_us) {
    ASSIGN_OR_RETURN(s.first, lower_bound(*r.from_us));
  }
  if (r.to_us) {
    ASSIGN_OR_RETURN(s.end, lower_bound(*r.to_us));
  }
  if (s.end < s.first) s.end = s.first;
  if (!IsFiltered(r)) {
    for (uint64_t i = s.first; i < s.end; ++i) s.indices.push_back(i);
    return s;
  }
  s.range_leaf_hashes.reserve(s.end - s.first);
  for (uint64_t i = s.first; i < s.end; ++i) {
    ASSIGN_OR_RETURN(store::LeafWithProof l, st.GetLeaf(i, size));
    ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(l.leaf));
    ASSIGN_OR_RETURN(Event ev, DecodeEvent(leaf.event));
    s.range_leaf_hashes.push_back(l.leaf_hash);
    if (MatchesFilter(r, ev)) s.indices.push_back(i);
  }
  return s;
}

struct Collected {
  std::vector<bundle::EntryLine> lines;
  std::string jsonl;
};

// inclusion.jsonl: one proof per index, although a leaf can be both
// evidence and a boundary of the range.
struct InclusionLines {
  std::set<uint64_t> indices;
  std::string jsonl;
};

Status AddEntry(const store::LogStore& st, uint64_t index, uint64_t size, Collected& into,
                InclusionLines& inclusion) {
  ASSIGN_OR_RETURN(store::LeafWithProof l, st.GetLeaf(index, size));
  ASSIGN_OR_RETURN(std::string line, bundle::FormatEntryLine(l.leaf));
  ASSIGN_OR_RETURN(bundle::EntryLine parsed, bundle::ParseEntryLine(line));
  ASSIGN_OR_RETURN(std::string proof, bundle::FormatInclusionLine({index, size, l.proof}));
  into.jsonl += line + "\n";
  into.lines.push_back(std::move(parsed));
  if (inclusion.indices.insert(index).second) inclusion.jsonl += proof + "\n";
  return Status::Ok();
}

// data/proofs/retention.jsonl (export-bundle.md §3.3): each key with its
// proof at the bundle's checkpoint, checked against the map root that
// checkpoint signs before it is shipped, and the record a present subject or
// class key's value names.
Result<std::string> RetentionKeyLines(const store::LogStore& st, const Hash& map_root,
                                      uint64_t size, const bundle::RetentionKeys& keys) {
  using Line = bundle::RetentionKeyLine;
  std::vector<Line> lines;
  for (const std::string& s : keys.subjects) lines.push_back({Line::Kind::kSubject, s, 0, {}, {}});
  for (const std::string& c : keys.classes) lines.push_back({Line::Kind::kClass, c, 0, {}, {}});
  for (uint64_t r : keys.disposals) lines.push_back({Line::Kind::kDisposal, "", r, {}, {}});
  std::string out;
  for (Line& line : lines) {
    const Hash key = line.Key();
    ASSIGN_OR_RETURN(line.proof, st.MapProof(key, size));
    ASSIGN_OR_RETURN(std::optional<state_map::Value> value,
                     state_map::VerifyProof(map_root, key, line.proof));
    if (value && line.kind != Line::Kind::kDisposal) {
      ASSIGN_OR_RETURN(line.record, st.MapRecord(value->state));
    }
    ASSIGN_OR_RETURN(std::string text, bundle::FormatRetentionKeyLine(line));
    out += text + "\n";
  }
  return out;
}

}  // namespace

bool IsFiltered(const ExportRequest& r) {
  return !r.subjects.empty() || r.actor || r.kind || r.outcome || r.request_id;
}

bool MatchesFilter(const ExportRequest& r, const Event& e) {
  if (!r.subjects.empty() &&
      std::find(r.subjects.begin(), r.subjects.end(), e.subject) == r.subjects.end()) {
    return false;
  }
  if (r.actor && e.actor.id != *r.actor) return false;
  if (r.kind && e.kind != *r.kind) return false;
  if (r.outcome && e.outcome != *r.outcome) return false;
  if (r.request_id && e.request_id != *r.request_id) return false;
  return true;
}

namespace {

// The evidence an auditor needs besides the range (export-bundle.md §2): key
// history and policies from genesis, anchors made after the range began, the
// retention history of the exported subjects and of the classes, and the
// records whose disposals the bundle carries. Indices outside the scope.
Result<std::set<uint64_t>> EvidenceIndices(const store::LogStore& st, uint64_t size,
                                           uint64_t start, const Collected& entries,
                                           const std::set<uint64_t>& in_scope) {
  std::set<uint64_t> extra;
  for (EventKind k : kKeyHistoryKinds) {
    store::EntryQuery q;
    q.kind = k;
    ASSIGN_OR_RETURN(auto found, FindAll(st, q));
    for (uint64_t i : found) {
      // Only the notary's own records (ownership.h): a look-alike some
      // submitter stamped is not key or policy history.
      ASSIGN_OR_RETURN(store::LeafWithProof l, st.GetLeaf(i, size));
      ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(l.leaf));
      if (StampedByLogKey(leaf, st.log_verifier())) extra.insert(i);
    }
  }
  {
    store::EntryQuery q;
    q.kind = EventKind::kAnchorConfirmed;
    q.start_index = start;
    ASSIGN_OR_RETURN(auto found, FindAll(st, q));
    extra.insert(found.begin(), found.end());
  }
  std::set<std::string> subjects;
  for (const auto& e : entries.lines) subjects.insert(e.event.subject);
  for (const std::string& s : subjects) {
    store::EntryQuery q;
    q.subject = s;
    ASSIGN_OR_RETURN(auto found, FindAll(st, q));
    for (uint64_t i : found) {
      if (in_scope.contains(i)) continue;
      ASSIGN_OR_RETURN(Event ev, EventAt(st, i, size));
      if (std::find(std::begin(kRetentionKinds), std::end(kRetentionKinds), ev.kind) !=
          std::end(kRetentionKinds)) {
        extra.insert(i);
      }
    }
  }
  {
    // Retention class configurations apply to every record of the class.
    store::EntryQuery q;
    q.kind = EventKind::kRetentionSet;
    ASSIGN_OR_RETURN(auto found, FindAll(st, q));
    for (uint64_t i : found) {
      ASSIGN_OR_RETURN(Event ev, EventAt(st, i, size));
      if (ev.subject.starts_with(kRetentionClassSubjectPrefix)) extra.insert(i);
    }
  }
  // The records whose disposals are exported, so the disposal can be checked.
  std::vector<Event> disposals;
  for (const auto& e : entries.lines) {
    if (e.event.kind == EventKind::kRecordDisposed) disposals.push_back(e.event);
  }
  for (uint64_t i : extra) {
    ASSIGN_OR_RETURN(Event ev, EventAt(st, i, size));
    if (ev.kind == EventKind::kRecordDisposed) disposals.push_back(std::move(ev));
  }
  for (const Event& d : disposals) {
    const std::string* rec = FindAttribute(d, kAttrRecordIndex);
    auto record_index = rec ? ParseDecimalU64(*rec) : Result<uint64_t>(Status::NotFound("", ""));
    if (record_index.ok() && *record_index < size) extra.insert(*record_index);
  }
  std::set<uint64_t> out;
  for (uint64_t i : extra) {
    if (!in_scope.contains(i)) out.insert(i);
  }
  return out;
}

// data/payloads.json: each body still retained is shipped; the others are
// listed as absent, or as missing when the store received them and lost them
// without a disposal.
struct Payloads {
  nlohmann::json list = nlohmann::json::array();
  std::set<Hash> retained_digests;
  uint64_t retained = 0, absent = 0;
};

Result<Payloads> CollectPayloads(const store::LogStore& st, const Collected& entries,
                                 const Collected& evidence, Files& files) {
  Payloads out;
  std::set<Hash> seen;
  for (const auto* list : {&entries.lines, &evidence.lines}) {
    for (const auto& e : *list) {
      if (!e.event.payload_digest || !seen.insert(*e.event.payload_digest).second) continue;
      const Hash& d = *e.event.payload_digest;
      auto p = st.GetPayload(d);
      if (p.ok()) {
        files[bundle::PayloadPath(d)] = std::string(AsString(p->body));
        out.list.push_back({{"content_type", p->content_type},
                            {"digest", d.Hex()},
                            {"size", p->body.size()},
                            {"status", "retained"}});
        out.retained_digests.insert(d);
        ++out.retained;
      } else if (p.status().code() == Code::kNotFound) {
        // A body the store received with its entry and lost without a
        // disposal is not "absent" (retention.md §4): it is listed as
        // missing, and verify-bundle fails on it.
        ASSIGN_OR_RETURN(store::PayloadPresence presence, st.PayloadState(d));
        if (presence == store::PayloadPresence::kMissing) {
          out.list.push_back({{"digest", d.Hex()}, {"status", "missing"}});
          continue;
        }
        out.list.push_back({{"digest", d.Hex()}, {"status", "absent"}});
        ++out.absent;
      } else {
        return p.status();
      }
    }
  }
  return out;
}

// Checkpoints from the first entry's to the latest, consistency proofs
// between consecutive ones, and from earlier stored checkpoints to the latest
// (for an auditor's --since).
struct Checkpoints {
  std::vector<uint64_t> sizes;
  nlohmann::json list = nlohmann::json::array();
  std::string consistency;
};

Result<Checkpoints> CollectCheckpoints(const store::LogStore& st, uint64_t start, uint64_t size,
                                       Files& files) {
  Checkpoints out;
  std::vector<uint64_t>& sizes = out.sizes;
  std::string& consistency = out.consistency;
  if (start < size) {
    ASSIGN_OR_RETURN(sizes, st.CheckpointSizes(start + 1, size, kMaxCheckpoints - 1));
  }
  if (sizes.empty() || sizes.back() != size) sizes.push_back(size);
  for (size_t k = 0; k < sizes.size(); ++k) {
    ASSIGN_OR_RETURN(std::string note, st.CheckpointAt(sizes[k]));
    ASSIGN_OR_RETURN(Hash root, st.RootAt(sizes[k]));
    files[bundle::CheckpointPath(sizes[k])] = note;
    out.list.push_back({{"root", root.Base64()}, {"size", sizes[k]}});
    if (k > 0) {
      ASSIGN_OR_RETURN(auto proof, st.ConsistencyProof(sizes[k - 1], sizes[k]));
      ASSIGN_OR_RETURN(std::string line,
                       bundle::FormatConsistencyLine({sizes[k - 1], sizes[k], proof}));
      consistency += line + "\n";
    }
  }
  if (sizes.front() > 1) {
    ASSIGN_OR_RETURN(std::vector<uint64_t> earlier,
                     st.CheckpointSizes(1, sizes.front() - 1, kMaxCheckpoints));
    for (uint64_t m : earlier) {
      ASSIGN_OR_RETURN(auto proof, st.ConsistencyProof(m, size));
      ASSIGN_OR_RETURN(std::string line, bundle::FormatConsistencyLine({m, size, proof}));
      consistency += line + "\n";
    }
  }
  return out;
}

// The manifest's scope (export-bundle.md §5.1); a filtered export also
// ships every leaf hash of its non-empty range (§3.1, data/proofs/range.jsonl).
Result<nlohmann::json> ScopeJson(const store::LogStore& st, const ExportRequest& r,
                                 Scope& found_scope, uint64_t size, Files& files) {
  nlohmann::json scope_json = {{"gapless", !IsFiltered(r)},
                                {"range", {{"first", found_scope.first}, {"end", found_scope.end}}}};
  if (r.from_us) scope_json["from"] = codec::FormatRfc3339Micros(*r.from_us);
  if (r.to_us) scope_json["to"] = codec::FormatRfc3339Micros(*r.to_us);
  if (IsFiltered(r)) {
    // export-bundle.md §5.1: the filter; §3.1: every leaf hash of a
    // non-empty range, in data/proofs/range.jsonl.
    nlohmann::json filter = nlohmann::json::object();
    if (!r.subjects.empty()) filter["subjects"] = r.subjects;
    if (r.actor) filter["actor"] = *r.actor;
    if (r.kind) filter["kind"] = std::string(EventKindName(*r.kind));
    if (r.outcome) filter["outcome"] = std::string(OutcomeName(*r.outcome));
    if (r.request_id) filter["request_id"] = *r.request_id;
    scope_json["filter"] = filter;
    if (found_scope.first < found_scope.end) {
      ASSIGN_OR_RETURN(auto left, st.InclusionProof(found_scope.first, size));
      ASSIGN_OR_RETURN(auto right, st.InclusionProof(found_scope.end - 1, size));
      ASSIGN_OR_RETURN(files[bundle::kRangeJsonl],
                       bundle::FormatRange({found_scope.first, found_scope.end, size,
                                            std::move(found_scope.range_leaf_hashes),
                                            std::move(left), std::move(right)}));
    }
  }
  return scope_json;
}

// data/export-manifest.json without its payload_manifest_sha256
// (export-bundle.md §5).
nlohmann::json ManifestJson(const store::LogStore& st, const ExportRequest& r,
                            const Checkpoint& head, const nlohmann::json& scope_json,
                            const std::vector<uint64_t>& scope, const Collected& entries,
                            const Collected& evidence, const Checkpoints& checkpoints,
                            const Payloads& payloads) {
  nlohmann::json manifest = {
      {"format", bundle::kExportFormat},
      {"origin", st.origin()},
      {"log_vkey", r.log_vkey},
      {"requester", r.requester},
      {"created_at", codec::FormatRfc3339Micros(r.created_at_us)},
      {"scope", scope_json},
      {"counts",
       {{"entries", entries.lines.size()},
        {"evidence", evidence.lines.size()},
        {"checkpoints", checkpoints.sizes.size()},
        {"payloads_retained", payloads.retained},
        {"payloads_absent", payloads.absent}}},
      {"tree_size", head.size},
      {"root", head.root.Base64()},
      {"checkpoints", checkpoints.list},
      {"formats",
       {{"entries", "JSON Lines, RFC 8785 canonical (export-bundle.md §3)"},
        {"event", "event.md v1"},
        {"leaf", "leaf.md v1"},
        {"checkpoint", "C2SP tlog-checkpoint + tlog-cosignature/v1"},
        {"proofs", "RFC 9162 §2.1.3-§2.1.4"},
        {"bag", "BagIt 1.0 (RFC 8493), SHA-256"},
        {"csv", "RFC 4180"}}},
      {"versions", {{"software", r.software_version}, {"bundle", bundle::kExportFormat}}}};
  if (!scope.empty()) {
    manifest["first_index"] = scope.front();
    manifest["last_index"] = scope.back();
  }
  return manifest;
}

// The log signs the manifest: EXPORT_CREATED carries its digest (and the
// manifest as payload body), and the receipt proves that entry under a
// signed checkpoint consistent with the bundle's latest one.
Result<std::string> RecordExport(const store::LogStore& st, const ExportRequest& r,
                                 const std::string& export_id, const std::string& manifest_text,
                                 const Hash& manifest_digest, size_t entry_count, uint64_t size,
                                 const AppendFn& append) {
  Event ev;
  ev.kind = EventKind::kExportCreated;
  ev.event_id = export_id;
  ev.action = "export";
  ev.occurred_at_us = r.created_at_us;
  ev.actor = {"user", r.requester, r.requester_auth, ""};
  ev.source = r.software_version;
  ev.subject = "export/" + export_id;
  ev.target_type = "export";
  ev.payload_digest = manifest_digest;
  ev.attributes = {{"entries", std::to_string(entry_count)},
                   {"tree_size", std::to_string(size)}};
  store::Payload body{manifest_digest, ToBytes(manifest_text), "application/json"};
  ASSIGN_OR_RETURN(SequencedBatch batch, append(ev, body));
  if (batch.leaves.size() != 1) return Status::Internal("bad_batch", "one entry expected");
  const uint64_t export_index = batch.first_index, export_size = batch.checkpoint.size;
  ASSIGN_OR_RETURN(auto incl, st.InclusionProof(export_index, export_size));
  ASSIGN_OR_RETURN(auto cons, st.ConsistencyProof(size, export_size));
  ASSIGN_OR_RETURN(std::string entry_line, bundle::FormatEntryLine(batch.leaves[0]));
  ASSIGN_OR_RETURN(std::string incl_line,
                   bundle::FormatInclusionLine({export_index, export_size, incl}));
  ASSIGN_OR_RETURN(std::string cons_line, bundle::FormatConsistencyLine({size, export_size, cons}));
  ASSIGN_OR_RETURN(
      std::string receipt,
      bundle::CanonicalJson({{"checkpoint", batch.checkpoint_note},
                             {"consistency", nlohmann::json::parse(cons_line)},
                             {"entry", nlohmann::json::parse(entry_line)},
                             {"inclusion", nlohmann::json::parse(incl_line)}}));
  return receipt + "\n";
}

// The BagIt tag files (RFC 8493): bagit.txt, bag-info.txt and the tag manifest.
void AddBagTags(const ExportRequest& r, const std::string& export_id,
                const std::vector<std::string>& data_paths, Files& files) {
  uint64_t octets = 0;
  for (const auto& p : data_paths) octets += files[p].size();
  files[bundle::kBagitTxt] = bundle::kBagitContent;
  files[bundle::kBagInfoTxt] = "Bag-Software-Agent: " + r.software_version +
                               "\nBagging-Date: " +
                               codec::FormatRfc3339Micros(r.created_at_us).substr(0, 10) +
                               "\nExternal-Identifier: " + export_id +
                               "\nPayload-Oxum: " + std::to_string(octets) + "." +
                               std::to_string(data_paths.size()) + "\n";
  std::vector<std::string> tags = {bundle::kBagitTxt, bundle::kBagInfoTxt,
                                   bundle::kManifestSha256, bundle::kExportManifest,
                                   bundle::kExportReceipt};
  if (files.contains(bundle::kExportTimestamp)) tags.push_back(bundle::kExportTimestamp);
  files[bundle::kTagManifestSha256] = bundle::RenderBagManifest(files, tags);
}

}  // namespace

Result<Files> CreateExport(const store::LogStore& st, const ExportRequest& r,
                           const AppendFn& append) {
  if (r.requester.empty()) {
    return Status::InvalidArgument("missing_field", "an export needs a requester");
  }
  const VerifiedCheckpoint head = st.latest();
  const uint64_t size = head.checkpoint.size;
  if (size == 0) return Status::InvalidArgument("empty_export", "the log has no entries");
  ASSIGN_OR_RETURN(Scope found_scope, FindScope(st, r, size));
  // An empty scope is an answer too: the boundary leaves prove it empty.
  const std::vector<uint64_t>& scope = found_scope.indices;
  const uint64_t start = scope.empty() ? found_scope.first : scope.front();

  Files files;
  InclusionLines inclusion;
  Collected entries, evidence, boundaries;
  for (uint64_t i : scope) RETURN_IF_ERROR(AddEntry(st, i, size, entries, inclusion));
  // export-bundle.md §3.2: the leaves just outside the range, which show
  // that it covers the time range. FindScope's binary search puts leaf
  // first-1 before `from` and leaf end at or after `to`; without a bound the
  // range reaches the tree's edge and needs no leaf.
  if (found_scope.first > 0) {
    RETURN_IF_ERROR(AddEntry(st, found_scope.first - 1, size, boundaries, inclusion));
  }
  if (found_scope.end < size) {
    RETURN_IF_ERROR(AddEntry(st, found_scope.end, size, boundaries, inclusion));
  }

  const std::set<uint64_t> in_scope(scope.begin(), scope.end());
  ASSIGN_OR_RETURN(std::set<uint64_t> extra, EvidenceIndices(st, size, start, entries, in_scope));
  for (uint64_t i : extra) RETURN_IF_ERROR(AddEntry(st, i, size, evidence, inclusion));

  ASSIGN_OR_RETURN(Payloads payloads, CollectPayloads(st, entries, evidence, files));

  // The retention state of the exported subjects, proven at the checkpoint
  // (a log whose notary keeps no map has none to prove).
  ASSIGN_OR_RETURN(std::optional<Hash> map_root, state_map::FindRoot(head.checkpoint.extensions));
  if (map_root) {
    ASSIGN_OR_RETURN(
        files[bundle::kRetentionJsonl],
        RetentionKeyLines(st, *map_root, size,
                          bundle::RetentionKeysOf(entries.lines, evidence.lines, payloads.retained_digests)));
  }

  ASSIGN_OR_RETURN(Checkpoints checkpoints, CollectCheckpoints(st, start, size, files));
  files[bundle::kConsistencyJsonl] = checkpoints.consistency;
  files[bundle::kEntriesJsonl] = entries.jsonl;
  files[bundle::kEvidenceJsonl] = evidence.jsonl;
  files[bundle::kInclusionJsonl] = inclusion.jsonl;
  if (!boundaries.lines.empty()) files[bundle::kBoundariesJsonl] = boundaries.jsonl;
  ASSIGN_OR_RETURN(std::string payloads_json, bundle::CanonicalJson(payloads.list));
  files[bundle::kPayloadsJson] = payloads_json + "\n";
  files[bundle::kEntriesCsv] = bundle::RenderCsv(entries.lines);
  ASSIGN_OR_RETURN(files[bundle::kIndexJson], bundle::RenderIndex(entries.lines));

  ASSIGN_OR_RETURN(nlohmann::json scope_json, ScopeJson(st, r, found_scope, size, files));
  nlohmann::json manifest = ManifestJson(st, r, head.checkpoint, scope_json, scope, entries, evidence,
                                         checkpoints, payloads);
  files[bundle::kReportHtml] = bundle::RenderHtml(manifest, entries.lines, evidence.lines);

  std::vector<std::string> data_paths;
  for (const auto& [p, unused] : files) data_paths.push_back(p);
  files[bundle::kManifestSha256] = bundle::RenderBagManifest(files, data_paths);
  manifest["payload_manifest_sha256"] = Sha256::Digest(files[bundle::kManifestSha256]).Hex();
  ASSIGN_OR_RETURN(std::string manifest_text, bundle::CanonicalJson(manifest));
  manifest_text += "\n";
  const Hash manifest_digest = Sha256::Digest(manifest_text);
  files[bundle::kExportManifest] = manifest_text;
  if (r.timestamp) {
    // Before EXPORT_CREATED: a TSA that fails leaves no record of an export
    // that was never handed out.
    ASSIGN_OR_RETURN(Bytes token, r.timestamp(manifest_digest));
    files[bundle::kExportTimestamp] = std::string(AsString(token));
  }

  const std::string export_id = "export-" + manifest_digest.Hex().substr(0, 32);
  ASSIGN_OR_RETURN(files[bundle::kExportReceipt],
                   RecordExport(st, r, export_id, manifest_text, manifest_digest,
                                entries.lines.size(), size, append));
  AddBagTags(r, export_id, data_paths, files);
  return files;
}

}  // namespace ledger::exporter
