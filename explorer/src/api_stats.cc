// Aggregates for the UI's charts, computed from verified data relative to one
// head, with bounded work per request:
//   /v1/stats/entries-per-hour  entries per UTC hour by kind and outcome, read
//                               newest first from verified entry bundles
//   /v1/stats/timeline          per witness the newest stored checkpoint it
//                               cosigned, and the newest anchor
#include <algorithm>
#include <map>
#include <utility>

#include "api_json.h"
#include "context.h"
#include "http_util.h"
#include "ledger/codec/rfc3339.h"
#include "ledger/merkle/tiles.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/note.h"
#include "ledger/record/leaf.h"

namespace explorer {
namespace {

using ledger::Result;
using ledger::Status;
namespace store = ledger::store;

inline constexpr uint64_t kHourUs = 3'600'000'000ull;
inline constexpr uint64_t kDefaultHours = 24;
inline constexpr uint64_t kMaxHours = 168;  // a week of bars is still readable
// Entries read per answer at most (256 bundles): an answer over a busier
// window says truncated rather than reading the whole log.
inline constexpr uint64_t kMaxScannedEntries = 65536;
// Stored checkpoints read, newest first, looking for each witness's latest
// cosignature (one per batch: a witness silent for longer shows as absent).
inline constexpr size_t kMaxScannedCheckpoints = 256;

std::string Time(uint64_t us) { return ledger::codec::FormatRfc3339Micros(us); }

// The leaves of [first, end) of the tree, each verified against its hash tile.
Result<std::vector<ledger::Bytes>> BundleLeaves(const store::LogStore& log, uint64_t bundle,
                                                uint64_t tree_size) {
  const uint64_t first = bundle * ledger::tiles::kWidth;
  const auto width =
      static_cast<uint32_t>(std::min<uint64_t>(ledger::tiles::kWidth, tree_size - first));
  ASSIGN_OR_RETURN(ledger::Bytes data, log.ReadEntryBundle(bundle, width));
  return ledger::tiles::ParseEntryBundle(data, width);
}

// One (kind, outcome) series of the stacked bars, named as the API names them.
using Series = std::pair<std::string, std::string>;

// Entries per hour and series in the `hours` hours up to the hour of the
// newest entry of a head.
struct HourlyCounts {
  std::optional<uint64_t> first_hour;              // hours since the epoch; none for an empty log
  std::map<Series, std::vector<uint64_t>> counts;  // per series, one count per hour
  uint64_t scanned = 0, undecodable = 0;
  bool truncated = false;
  std::optional<uint64_t> oldest_index;
};

// Counts one leaf of the window.
void CountLeaf(HourlyCounts& out, const ledger::Result<ledger::Leaf>& leaf, uint64_t hours) {
  ++out.scanned;
  auto event = leaf.ok() ? ledger::DecodeEvent(leaf->event) : Result<ledger::Event>(leaf.status());
  const uint64_t hour = leaf.ok() ? leaf->recorded_at_us / kHourUs : 0;
  // Undecodable, or (against leaf.md) recorded before an older entry.
  if (!event.ok() || hour >= *out.first_hour + hours) {
    ++out.undecodable;
    return;
  }
  out.oldest_index = leaf->index;
  auto& c = out.counts[{std::string(ledger::EventKindName(event->kind)),
                        std::string(ledger::OutcomeName(event->outcome))}];
  if (c.empty()) c.resize(hours);
  ++c[hour - *out.first_hour];
}

// Reads the leaves of tree_size newest first, bundle by bundle, until the
// window's start or kMaxScannedEntries.
Result<HourlyCounts> CountByHour(const store::LogStore& log, uint64_t tree_size, uint64_t hours) {
  HourlyCounts out;
  for (uint64_t end = tree_size; end > 0;) {
    const uint64_t bundle = (end - 1) / ledger::tiles::kWidth;
    ASSIGN_OR_RETURN(auto leaves, BundleLeaves(log, bundle, tree_size));
    for (size_t i = leaves.size(); i-- > 0;) {
      if (out.scanned == kMaxScannedEntries) {
        out.truncated = true;
        return out;
      }
      auto leaf = ledger::DecodeLeaf(leaves[i]);
      if (leaf.ok()) {
        const uint64_t hour = leaf->recorded_at_us / kHourUs;
        if (!out.first_hour) out.first_hour = hour + 1 - std::min(hours, hour + 1);
        // Recording times never decrease (leaf.md): the rest is older.
        if (hour < *out.first_hour) return out;
      }
      if (out.first_hour) CountLeaf(out, leaf, hours);
    }
    end = bundle * ledger::tiles::kWidth;
  }
  return out;
}

// The answer of /v1/stats/entries-per-hour.
Result<nlohmann::json> HourlyJson(const store::LogStore& log, uint64_t tree_size, uint64_t hours) {
  ASSIGN_OR_RETURN(HourlyCounts c, CountByHour(log, tree_size, hours));
  nlohmann::json series = nlohmann::json::array();
  for (const auto& [s, n] : c.counts) series.push_back({{"kind", s.first}, {"outcome", s.second}});
  nlohmann::json buckets = nlohmann::json::array();
  for (uint64_t h = 0; c.first_hour && h < hours; ++h) {
    nlohmann::json per_series = nlohmann::json::array();
    uint64_t total = 0;
    for (const auto& [s, n] : c.counts) {
      per_series.push_back(n[h]);
      total += n[h];
    }
    buckets.push_back({{"start", Time((*c.first_hour + h) * kHourUs)},
                       {"total", total},
                       {"counts", std::move(per_series)}});
  }
  auto hour_time = [&](uint64_t offset) {
    return c.first_hour ? nlohmann::json(Time((*c.first_hour + offset) * kHourUs)) : nullptr;
  };
  return nlohmann::json{
      {"tree_size", tree_size},
      {"hours", hours},
      {"from", hour_time(0)},
      {"to", hour_time(hours)},
      {"series", std::move(series)},
      {"buckets", std::move(buckets)},
      {"scanned", c.scanned},
      {"undecodable", c.undecodable},
      {"truncated", c.truncated},
      {"oldest_index", c.oldest_index ? nlohmann::json(*c.oldest_index) : nullptr}};
}

Result<nlohmann::json> EntriesPerHour(Context& ctx, const store::LogStore& log,
                                      const httplib::Request& req) {
  RETURN_IF_ERROR(OnlyParams(req, {"hours", "tree_size"}));
  ASSIGN_OR_RETURN(uint64_t hours,
                   U64Param(req, "hours", kDefaultHours, 1, kMaxHours, "bad_hours"));
  const uint64_t size = log.size();
  ASSIGN_OR_RETURN(uint64_t tree_size, U64Param(req, "tree_size", size, 0, size, "bad_tree_size"));
  // The window ends with the hour of the head's newest entry, so the answer
  // depends on the head only (and caches by its ETag), not on the clock;
  // the root names the head's content.
  std::string key;
  if (tree_size > 0) {
    ASSIGN_OR_RETURN(ledger::Hash root, log.RootAt(tree_size));
    key = "entries-per-hour/" + root.Hex() + "/" + std::to_string(tree_size) + "/" +
          std::to_string(hours);
    if (auto answer = ctx.Remembered(key)) return *std::move(answer);
  }
  ASSIGN_OR_RETURN(nlohmann::json answer, HourlyJson(log, tree_size, hours));
  if (!key.empty()) ctx.Remember(key, answer);
  return answer;
}

// The recording time of entry index, from its verified leaf.
Result<uint64_t> RecordedAt(const store::LogStore& log, uint64_t index) {
  ASSIGN_OR_RETURN(store::LeafWithProof l, log.GetLeaf(index));
  ASSIGN_OR_RETURN(ledger::Leaf leaf, ledger::DecodeLeaf(l.leaf));
  return leaf.recorded_at_us;
}

// Whether a cosignature line verifies with the deployment's witness key of
// its name and key ID; nullopt when the manifest names no such key.
std::optional<bool> CheckCosignature(const ledger::WitnessPolicy& witnesses,
                                     const ledger::note::Note& note,
                                     const ledger::note::Signature& sig) {
  for (const auto& key : witnesses.keys) {
    if (key->name() == sig.name && key->key_id() == sig.key_id) {
      return key->Verify(note.text, sig.payload).ok();
    }
  }
  return std::nullopt;
}

// Per witness (name and key ID) the newest stored checkpoint it cosigned.
Status Witnessing(const Context& ctx, const store::LogStore& log, nlohmann::json& out) {
  ASSIGN_OR_RETURN(auto sizes, log.LatestCheckpointSizes(log.size(), kMaxScannedCheckpoints));
  std::map<std::pair<std::string, uint32_t>, nlohmann::json> seen;
  for (uint64_t size : sizes) {
    ASSIGN_OR_RETURN(std::string text, log.CheckpointAt(size));
    ASSIGN_OR_RETURN(auto note, ledger::note::Parse(text));
    for (const auto& sig : note.signatures) {
      if (sig.name == log.origin() || seen.contains({sig.name, sig.key_id})) continue;
      auto ts = ledger::note::CosignatureV1Timestamp(sig.payload);
      if (!ts.ok()) continue;  // not a cosignature/v1 line
      char id[9];
      std::snprintf(id, sizeof id, "%08x", sig.key_id);
      auto checked = CheckCosignature(ctx.witnesses(), note, sig);
      seen[{sig.name, sig.key_id}] = {{"name", sig.name},
                                      {"key_id", id},
                                      {"size", size},
                                      {"timestamp", *ts},
                                      {"verified", checked ? nlohmann::json(*checked) : nullptr}};
    }
  }
  nlohmann::json list = nlohmann::json::array();
  for (auto& [key, w] : seen) list.push_back(std::move(w));
  // The deployment's witnesses that cosigned none of the checkpoints read.
  for (const auto& key : ctx.witnesses().keys) {
    if (seen.contains({key->name(), key->key_id()})) continue;
    char id[9];
    std::snprintf(id, sizeof id, "%08x", key->key_id());
    list.push_back({{"name", key->name()},
                    {"key_id", id},
                    {"size", nullptr},
                    {"timestamp", nullptr},
                    {"verified", nullptr}});
  }
  out["witnesses"] = std::move(list);
  out["checkpoints_scanned"] = sizes.size();
  out["complete"] = sizes.size() < kMaxScannedCheckpoints;
  return Status::Ok();
}

// The newest ANCHOR_CONFIRMED entry: the size it anchored
// (anchor-confirmed.md §2) and when the log recorded it.
Result<nlohmann::json> LatestAnchor(const store::LogStore& log) {
  store::EntryQuery q;
  q.kind = ledger::EventKind::kAnchorConfirmed;
  q.descending = true;
  q.limit = 1;
  ASSIGN_OR_RETURN(auto hits, log.FindEntries(q));
  if (hits.empty()) return nlohmann::json(nullptr);
  ASSIGN_OR_RETURN(nlohmann::json e, EntryJson(log, hits[0], false));
  const nlohmann::json attrs = e["event"].value("attributes", nlohmann::json::object());
  nlohmann::json size = nullptr;
  if (attrs.contains("tree_size") && attrs["tree_size"].is_string()) {
    auto v = ledger::ParseDecimalU64(attrs["tree_size"].get<std::string>());
    if (v.ok()) size = *v;
  }
  return nlohmann::json{{"index", hits[0]},
                        {"size", size},
                        {"chain_id", attrs.value("chain_id", "")},
                        {"tx_hash", attrs.value("tx_hash", "")},
                        {"recorded_at", e.value("recorded_at", "")},
                        {"recorded_at_us", e.value("recorded_at_us", uint64_t{0})}};
}

Result<nlohmann::json> Timeline(Context& ctx, const store::LogStore& log,
                                const httplib::Request& req) {
  RETURN_IF_ERROR(OnlyParams(req, {}));
  const uint64_t size = log.size();
  nlohmann::json out = {{"tree_size", size}, {"recorded_at", nullptr}, {"recorded_at_us", nullptr}};
  if (size > 0) {
    ASSIGN_OR_RETURN(uint64_t us, RecordedAt(log, size - 1));
    out["recorded_at"] = Time(us);
    out["recorded_at_us"] = us;
  }
  RETURN_IF_ERROR(Witnessing(ctx, log, out));
  ASSIGN_OR_RETURN(out["anchor"], LatestAnchor(log));
  return out;
}

}  // namespace

void AddStatsRoutes(ApiRouter& api, Context& ctx) {
  api.Get("/v1/stats/entries-per-hour", WithStore(ctx, EntriesPerHour));
  api.Get("/v1/stats/timeline", WithStore(ctx, Timeline));
}

}  // namespace explorer
