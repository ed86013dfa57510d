// The verifier's scope checks (export-bundle.md §8): a filtered export's
// range file (entries.range) and that every exported entry is in the scope
// the signed manifest states (entries.scope).
#include <algorithm>

#include "ledger/codec/rfc3339.h"
#include "ledger/leaf.h"
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
  if (!text) return c.Fail(name, "a filtered export without data/proofs/range.jsonl");
  auto range = ParseRange(*text);
  if (!range.ok()) return c.Fail(name, range.status().ToString());
  const nlohmann::json& scope = *Scope(c);
  // value() rather than operator[]: on a const json a missing key is
  // undefined behaviour, and the manifest is untrusted.
  auto r = scope.find("range");
  auto u64 = [&](const char* key) -> std::optional<uint64_t> {
    auto it = r->find(key);
    if (it == r->end() || !it->is_number_unsigned()) return std::nullopt;
    return it->get<uint64_t>();
  };
  if (r == scope.end() || !r->is_object() || u64("first") != range->first ||
      u64("end") != range->end) {
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
