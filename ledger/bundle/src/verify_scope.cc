// The verifier's scope checks (export-bundle.md §8): a filtered export's
// range file (entries.range) and that every exported entry is in the scope
// the signed manifest states (entries.scope).
#include <algorithm>
#include <map>

#include "ledger/codec/rfc3339.h"
#include "ledger/merkle/merkle.h"
#include "ledger/record/leaf.h"
#include "verify_internal.h"

namespace ledger::bundle::internal {
namespace {

const nlohmann::json* Scope(const Context& c) {
  if (!c.manifest.is_object()) return nullptr;
  auto it = c.manifest.find("scope");
  return it != c.manifest.end() && it->is_object() ? &*it : nullptr;
}

const nlohmann::json* Filter(const Context& c) {
  const nlohmann::json* scope = Scope(c);
  if (!scope) return nullptr;
  auto it = scope->find("filter");
  return it != scope->end() ? &*it : nullptr;
}

// The manifest's scope.range {"end":E,"first":F}: the index range [F, E) of
// the tree the scope covers.
struct IndexRange {
  uint64_t first = 0, end = 0;
};
std::optional<IndexRange> ScopeRange(const Context& c) {
  const nlohmann::json* scope = Scope(c);
  if (!scope) return std::nullopt;
  // find() rather than operator[]: on a const json a missing key is
  // undefined behaviour, and the manifest is untrusted.
  auto r = scope->find("range");
  if (r == scope->end() || !r->is_object()) return std::nullopt;
  auto first = r->find("first"), end = r->find("end");
  if (first == r->end() || end == r->end() || !first->is_number_unsigned() ||
      !end->is_number_unsigned()) {
    return std::nullopt;
  }
  return IndexRange{first->get<uint64_t>(), end->get<uint64_t>()};
}

// The manifest's filter as a predicate; an error for a filter this verifier
// does not know (a newer exporter's: refusing is safer than ignoring it).
struct EntryFilter {
  std::vector<std::string> subjects;
  std::optional<std::string> actor, request_id;
  std::optional<EventKind> kind;
  std::optional<Outcome> outcome;
  std::optional<uint64_t> from_us, to_us;

  bool Matches(const EntryLine& e) const {
    if (from_us && e.decoded.recorded_at_us < *from_us) return false;
    if (to_us && e.decoded.recorded_at_us >= *to_us) return false;
    if (!subjects.empty() &&
        std::find(subjects.begin(), subjects.end(), e.event.subject) == subjects.end()) {
      return false;
    }
    if (actor && e.event.actor.id != *actor) return false;
    if (kind && e.event.kind != *kind) return false;
    if (outcome && e.event.outcome != *outcome) return false;
    if (request_id && e.event.request_id != *request_id) return false;
    return true;
  }
};

Result<EntryFilter> ParseScope(const Context& c) {
  const nlohmann::json* scope = Scope(c);
  if (!scope) return Status::InvalidArgument("bad_scope", "the manifest has no scope object");
  EntryFilter f;
  for (const char* key : {"from", "to"}) {
    auto it = scope->find(key);
    if (it == scope->end()) continue;
    if (!it->is_string()) return Status::InvalidArgument("bad_scope", std::string(key));
    ASSIGN_OR_RETURN(uint64_t us, codec::ParseRfc3339Micros(it->get<std::string>()));
    (std::string(key) == "from" ? f.from_us : f.to_us) = us;
  }
  const nlohmann::json* filter = Filter(c);
  if (!filter) return f;
  if (!filter->is_object()) return Status::InvalidArgument("bad_scope", "filter is not an object");
  // The exporter writes a filter only when one is set; an empty one would
  // match every leaf while letting the bundle leave any of them out.
  if (filter->empty()) return Status::InvalidArgument("bad_scope", "an empty filter");
  for (const auto& [key, v] : filter->items()) {
    if (key == "subjects" && v.is_array() && !v.empty()) {
      for (const auto& s : v) {
        if (!s.is_string()) return Status::InvalidArgument("bad_scope", "subjects");
        f.subjects.push_back(s.get<std::string>());
      }
    } else if (!v.is_string()) {
      return Status::InvalidArgument("bad_scope", "filter " + key + " is not a string");
    } else if (key == "actor") {
      f.actor = v.get<std::string>();
    } else if (key == "request_id") {
      f.request_id = v.get<std::string>();
    } else if (key == "kind") {
      ASSIGN_OR_RETURN(f.kind, ParseEventKind(v.get<std::string>()));
    } else if (key == "outcome") {
      ASSIGN_OR_RETURN(f.outcome, ParseOutcome(v.get<std::string>()));
    } else {
      return Status::InvalidArgument("bad_scope", "unknown filter " + key);
    }
  }
  return f;
}

// One edge of the scope's range (CheckBoundaries): the leaf at `index` is in
// boundaries.jsonl, included under the signed root of `tree`, and recorded
// outside the scope: before `bound` (= from) for the lower edge, at or after
// it (= to) for the upper one. Consumes the leaf from `shipped`.
Status CheckEdgeLeaf(const Context& c, std::map<uint64_t, const EntryLine*>& shipped,
                     const Checkpoint& tree, uint64_t index, bool lower, uint64_t bound) {
  const std::string what = "boundary leaf " + std::to_string(index);
  auto it = shipped.find(index);
  if (it == shipped.end()) {
    return Status::VerificationFailed("missing_boundary", what + " is not in boundaries.jsonl");
  }
  const EntryLine& leaf = *it->second;
  shipped.erase(it);
  auto proof = c.inclusion.find(index);
  if (proof == c.inclusion.end() || proof->second.tree_size != tree.size) {
    return Status::VerificationFailed("missing_boundary", what + " has no inclusion proof");
  }
  Status s = merkle::VerifyInclusion(index, tree.size, leaf.leaf_hash, proof->second.hashes,
                                     tree.root);
  if (!s.ok()) return Status::VerificationFailed("bad_boundary", what + ": " + s.ToString());
  const uint64_t at = leaf.decoded.recorded_at_us;
  if (lower ? at >= bound : at < bound) {
    return Status::VerificationFailed(
        "boundary_inside_scope",
        what + " was recorded at " + codec::FormatRfc3339Micros(at) + ", inside the scope (" +
            (lower ? "from " : "to ") + codec::FormatRfc3339Micros(bound) + "): the range " +
            (lower ? "starts too late" : "ends too early"));
  }
  return Status::Ok();
}

}  // namespace

// A filtered export carries every leaf hash of its range; they fold to the
// signed root of tree_size with the two boundary proofs (range.cc), every
// exported entry is the leaf at its index, and its chain link is checked
// against the predecessor's hash from the range. So the bundle proves which
// leaves the range holds although it carries only the matching entries.
void CheckRange(Context& c) {
  const char* name = "entries.range";
  const std::string* text = c.File(kRangeJsonl);
  const nlohmann::json* filter = Filter(c);
  if (!filter) {
    if (text) return c.Fail(name, "range.jsonl in an export without a filter");
    return c.Skip(name, "no filter: entries.gapless covers the whole range");
  }
  auto declared = ScopeRange(c);
  if (declared && declared->first == declared->end) {
    // An empty range has no leaf to fold; entries.boundaries proves that its
    // two neighbours are adjacent leaves outside the time range.
    if (text) return c.Fail(name, "range.jsonl for the empty range of the manifest");
    if (!c.entries.empty()) return c.Fail(name, "entries in an empty range");
    return c.Pass(name, "empty range at index " + std::to_string(declared->first) +
                            ": no leaf hashes (entries.boundaries proves its neighbours)");
  }
  if (!text) return c.Fail(name, "a filtered export without data/proofs/range.jsonl");
  auto range = ParseRange(*text);
  if (!range.ok()) return c.Fail(name, range.status().ToString());
  if (!declared || declared->first != range->first || declared->end != range->end) {
    return c.Fail(name, "the manifest's scope.range is not the range file's");
  }
  auto tree_size = c.ManifestU64("tree_size");
  auto cp = tree_size ? c.checkpoints.find(*tree_size) : c.checkpoints.end();
  if (cp == c.checkpoints.end() || range->tree_size != *tree_size) {
    return c.Fail(name, "the range is not against a verified checkpoint of the tree size");
  }
  Status folded = VerifyRange(*range, cp->second.checkpoint.root);
  if (!folded.ok()) return c.Fail(name, folded.ToString());
  size_t links = 0;
  for (const EntryLine& e : c.entries) {
    if (e.index < range->first || e.index >= range->end) {
      return c.Fail(name, "entry " + std::to_string(e.index) + " lies outside the range");
    }
    if (e.leaf_hash != range->leaf_hashes[e.index - range->first]) {
      return c.Fail(name, "entry " + std::to_string(e.index) + " is not the range's leaf");
    }
    if (e.index == range->first) continue;
    Status s = VerifyChainLink(e.decoded, range->leaf_hashes[e.index - range->first - 1], e.index);
    if (!s.ok()) return c.Fail(name, "entry " + std::to_string(e.index) + ": " + s.message());
    ++links;
  }
  c.Pass(name, std::to_string(range->leaf_hashes.size()) + " leaf hashes of " +
                   std::to_string(range->first) + ".." + std::to_string(range->end - 1) +
                   " fold to the signed root of size " + std::to_string(*tree_size) + "; " +
                   std::to_string(c.entries.size()) + " entries are those leaves (" +
                   std::to_string(links) + " chain links)");
}

// The scope's range [F, E) holds every leaf of the tree of size N recorded
// in [from, to) (export-bundle.md §3.2). recorded_at never decreases (the
// notary assigns it, leaf.md), so the range's edges prove it: the leaf F-1
// was recorded before `from` and the leaf E at or after `to`, each shipped in
// full with its inclusion proof. An edge without a time bound is the tree's
// own: F = 0 without `from`, E = N without `to`. Together with
// entries.gapless (unfiltered) or entries.range (filtered) this proves that
// no leaf of the scope was left out, however the exporter chose the range.
void CheckBoundaries(Context& c) {
  const char* name = "entries.boundaries";
  if (c.bad_boundary_lines > 0) return c.Fail(name, c.first_bad_boundary);
  auto times = ParseScope(c);
  if (!times.ok()) return c.Fail(name, times.status().ToString());
  auto range = ScopeRange(c);
  if (!range) return c.Fail(name, "the manifest has no scope.range {first, end}");
  const uint64_t first = range->first, end = range->end;
  auto tree_size = c.ManifestU64("tree_size");
  auto cp = tree_size ? c.checkpoints.find(*tree_size) : c.checkpoints.end();
  if (cp == c.checkpoints.end()) return c.Fail(name, "no verified checkpoint of the tree size");
  const Checkpoint& tree = cp->second.checkpoint;
  const std::string span = "[" + std::to_string(first) + ", " + std::to_string(end) + ")";
  if (first > end || end > tree.size) {
    return c.Fail(name, "scope.range " + span + " is not a range of the tree of size " +
                            std::to_string(tree.size));
  }
  if (!Filter(c) && (c.entries.size() != end - first ||
                     (!c.entries.empty() && (c.entries.front().index != first ||
                                             c.entries.back().index != end - 1)))) {
    return c.Fail(name, "the entries are not the leaves of scope.range " + span);
  }
  std::map<uint64_t, const EntryLine*> shipped;
  for (const EntryLine& b : c.boundaries) {
    if (!shipped.emplace(b.index, &b).second) {
      return c.Fail(name, "boundary leaf " + std::to_string(b.index) + " is listed twice");
    }
  }
  std::string edges = "it starts at leaf 0";
  if (first > 0) {
    if (!times->from_us) {
      return c.Fail(name, "no `from` in the scope, yet the range starts at leaf " +
                              std::to_string(first) + ", not 0");
    }
    Status s = CheckEdgeLeaf(c, shipped, tree, first - 1, /*lower=*/true, *times->from_us);
    if (!s.ok()) return c.Fail(name, s.ToString());
    edges = "leaf " + std::to_string(first - 1) + " before it was recorded before `from`";
  }
  if (end == tree.size) {
    edges += "; it ends at the tree's last leaf";
  } else if (!times->to_us) {
    return c.Fail(name, "no `to` in the scope, yet the range ends at leaf " +
                            std::to_string(end) + ", not at the tree size " +
                            std::to_string(tree.size));
  } else {
    Status s = CheckEdgeLeaf(c, shipped, tree, end, /*lower=*/false, *times->to_us);
    if (!s.ok()) return c.Fail(name, s.ToString());
    edges += "; leaf " + std::to_string(end) + " after it was recorded at or after `to`";
  }
  if (!shipped.empty()) {
    return c.Fail(name, "leaf " + std::to_string(shipped.begin()->first) +
                            " in boundaries.jsonl is not a boundary of the range " + span);
  }
  if (c.File(kBoundariesJsonl) && c.boundaries.empty()) {
    return c.Fail(name, "an empty boundaries.jsonl (it is left out when no edge needs a leaf)");
  }
  c.Pass(name, "range " + span + " holds every leaf of the tree of size " +
                   std::to_string(tree.size) + " in the scope: " + edges);
}

// Every entry lies in the manifest's time range and passes its filter.
void CheckScope(Context& c) {
  const char* name = "entries.scope";
  auto f = ParseScope(c);
  if (!f.ok()) return c.Fail(name, f.status().ToString());
  for (const EntryLine& e : c.entries) {
    if (!f->Matches(e)) {
      return c.Fail(name, "entry " + std::to_string(e.index) + " is outside the stated scope");
    }
  }
  c.Pass(name, std::to_string(c.entries.size()) +
                   " entries in the stated time range and filter" +
                   (Filter(c) ? "" : " (no filter)"));
}

}  // namespace ledger::bundle::internal
