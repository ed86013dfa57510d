// VerifyBundle: the package, export-manifest and checkpoint checks
// (export-bundle.md §8); entry-level checks are in verify_entries.cc.
#include <algorithm>

#include "ledger/bundle/jcs.h"
#include "ledger/codec/event_json.h"
#include "ledger/merkle/merkle.h"
#include "verify_internal.h"

namespace ledger::bundle {
namespace internal {
namespace {

const char* const kRequired[] = {kBagitTxt,       kManifestSha256, kTagManifestSha256,
                                 kExportManifest, kExportReceipt,  kEntriesJsonl,
                                 kEvidenceJsonl,  kEntriesCsv,     kReportHtml,
                                 kIndexJson,      kPayloadsJson,   kInclusionJsonl,
                                 kConsistencyJsonl};
const char* const kTagFiles[] = {kBagitTxt, kBagInfoTxt, kManifestSha256, kExportManifest,
                                 kExportReceipt, kExportTimestamp};

void CheckStructure(Context& c) {
  std::string missing;
  for (const char* f : kRequired) {
    if (!c.File(f)) missing += std::string(missing.empty() ? "" : ", ") + f;
  }
  if (!missing.empty()) return c.Fail("bag.structure", "missing " + missing);
  if (*c.File(kBagitTxt) != kBagitContent) return c.Fail("bag.structure", "bagit.txt is not BagIt 1.0");
  for (const auto& file : c.files) {
    // A named reference, not a structured binding: clang 14 cannot capture
    // structured bindings in lambdas.
    const std::string& path = file.first;
    bool tag = std::find_if(std::begin(kTagFiles), std::end(kTagFiles),
                            [&](const char* t) { return path == t; }) != std::end(kTagFiles);
    if (!tag && path != kTagManifestSha256 && !path.starts_with("data/")) {
      return c.Fail("bag.structure", "unexpected file " + path);
    }
  }
  // RFC 8493 §2.2.2: Payload-Oxum = "<octets>.<file count>" of data/.
  uint64_t octets = 0, count = 0;
  for (const auto& [path, content] : c.files) {
    if (path.starts_with("data/")) octets += content.size(), ++count;
  }
  const std::string* info = c.File(kBagInfoTxt);
  const std::string oxum = "Payload-Oxum: " + std::to_string(octets) + "." + std::to_string(count);
  if (!info || (info->find("\n" + oxum + "\n") == std::string::npos && !info->starts_with(oxum + "\n"))) {
    return c.Fail("bag.structure", "bag-info.txt lacks " + oxum);
  }
  c.Pass("bag.structure", "BagIt 1.0, every required file present, " + oxum);
}

// "<hex>  <path>\n" lines: each listed file exists with that SHA-256, and
// every file of `expected` is listed exactly once.
void CheckBagManifest(Context& c, const char* name, const char* manifest_file,
                      const std::set<std::string>& expected) {
  const std::string* text = c.File(manifest_file);
  if (!text) return c.Fail(name, std::string(manifest_file) + " is missing");
  auto lines = SplitLines(*text);
  if (!lines.ok()) return c.Fail(name, lines.status().message());
  std::set<std::string> listed;
  for (std::string_view line : *lines) {
    if (line.size() < 67 || line.substr(64, 2) != "  ") return c.Fail(name, "malformed line");
    std::string path(line.substr(66));
    auto digest = Hash::FromHex(line.substr(0, 64));
    if (!digest.ok()) return c.Fail(name, "malformed digest for " + path);
    if (!expected.contains(path)) return c.Fail(name, "lists " + path + ", which it must not");
    if (!listed.insert(path).second) return c.Fail(name, path + " listed twice");
    const std::string* content = c.File(path);
    if (!content) return c.Fail(name, path + " is missing");
    if (Sha256::Digest(*content) != *digest) {
      return c.Fail(name, path + ": SHA-256 " + Sha256::Digest(*content).Hex() + " != listed " +
                              digest->Hex());
    }
  }
  for (const std::string& p : expected) {
    if (!listed.contains(p)) return c.Fail(name, p + " is not listed");
  }
  c.Pass(name, std::to_string(listed.size()) + " files match their SHA-256");
}

void CheckPackage(Context& c) {
  std::set<std::string> data, tags;
  for (const auto& [p, unused] : c.files) {
    if (p.starts_with("data/")) data.insert(p);
  }
  for (const char* t : kTagFiles) {
    if (c.File(t)) tags.insert(t);
  }
  CheckBagManifest(c, "bag.manifest", kManifestSha256, data);
  CheckBagManifest(c, "bag.tagmanifest", kTagManifestSha256, tags);
}

void ParseManifest(Context& c) {
  const std::string* text = c.File(kExportManifest);
  if (!text) return c.Fail("export.manifest", "export-manifest.json is missing");
  auto j = codec::ParseJsonStrict(*text, kMaxLineSize);
  if (!j.ok() || !j->is_object()) return c.Fail("export.manifest", "not a JSON object");
  auto canonical = CanonicalJson(*j);
  if (!canonical.ok() || *canonical + "\n" != *text) {
    return c.Fail("export.manifest", "not in canonical form (RFC 8785)");
  }
  c.manifest = std::move(j).value();
  auto str = [&](const char* k) {
    return c.manifest.contains(k) && c.manifest[k].is_string() ? c.manifest[k].get<std::string>()
                                                               : std::string();
  };
  if (str("format") != kExportFormat) return c.Fail("export.manifest", "unknown format");
  if (str("origin") != c.origin) {
    return c.Fail("export.manifest", "origin " + str("origin") + " is not the pinned log's");
  }
  const std::string* bag = c.File(kManifestSha256);
  if (!bag || str("payload_manifest_sha256") != Sha256::Digest(*bag).Hex()) {
    return c.Fail("export.manifest", "payload_manifest_sha256 does not match manifest-sha256.txt");
  }
  c.Pass("export.manifest", "canonical; commits to manifest-sha256.txt");
}

// The export manifest is signed by the log: its SHA-256 is the payload
// digest of the EXPORT_CREATED entry in the receipt, included under a
// checkpoint signed by the pinned key and consistent with the bundle's.
void CheckExportSigned(Context& c) {
  const char* name = "export.signed";
  const std::string* text = c.File(kExportReceipt);
  const std::string* manifest = c.File(kExportManifest);
  if (!text || !manifest) return c.Fail(name, "receipt or manifest missing");
  auto j = codec::ParseJsonStrict(*text, 4 * kMaxLineSize);
  if (!j.ok() || !j->is_object() || !(*j)["checkpoint"].is_string()) {
    return c.Fail(name, "malformed receipt");
  }
  // The checkpoint everything else is proven consistent with: it must carry
  // the deployment's witness quorum, or the whole bundle may be a history the
  // notary signed on a rolled-back head at a restart.
  auto cp = VerifyCheckpoint((*j)["checkpoint"].get<std::string>(), *c.options.log_key,
                             c.options.witnesses);
  if (!cp.ok()) return c.Fail(name, "receipt checkpoint: " + cp.status().ToString());
  auto entry = ParseEntryLine((*j)["entry"].dump());
  auto incl = ParseInclusionLine((*j)["inclusion"].dump());
  auto cons = ParseConsistencyLine((*j)["consistency"].dump());
  if (!entry.ok() || !incl.ok() || !cons.ok()) return c.Fail(name, "malformed receipt parts");
  if (entry->event.kind != EventKind::kExportCreated) {
    return c.Fail(name, "receipt entry is not EXPORT_CREATED");
  }
  if (entry->event.payload_digest != Sha256::Digest(*manifest)) {
    return c.Fail(name, "EXPORT_CREATED does not commit to this export-manifest.json");
  }
  const uint64_t size = cp->checkpoint.size;
  if (incl->index != entry->index || incl->tree_size != size) {
    return c.Fail(name, "inclusion proof is not for the receipt entry and checkpoint");
  }
  Status s = merkle::VerifyInclusion(entry->index, size, entry->leaf_hash, incl->hashes,
                                     cp->checkpoint.root);
  if (!s.ok()) return c.Fail(name, "EXPORT_CREATED inclusion: " + s.ToString());
  auto tree_size = c.ManifestU64("tree_size");
  auto latest = tree_size ? c.checkpoints.find(*tree_size) : c.checkpoints.end();
  if (latest == c.checkpoints.end()) {
    return c.Fail(name, "the bundle has no verified checkpoint of the manifest's tree_size");
  }
  if (cons->from != *tree_size || cons->to != size) {
    return c.Fail(name, "consistency proof is not from the bundle's checkpoint to the receipt's");
  }
  s = merkle::VerifyConsistency(cons->from, cons->to, cons->hashes,
                                latest->second.checkpoint.root, cp->checkpoint.root);
  if (!s.ok()) return c.Fail(name, "receipt consistency: " + s.ToString());
  c.receipt_checkpoint = *cp;
  c.Pass(name, "EXPORT_CREATED #" + std::to_string(entry->index) +
                   " commits to export-manifest.json, included under the signed checkpoint of "
                   "size " + std::to_string(size) + " cosigned by " +
                   std::to_string(cp->cosignatures.size()) + " pinned witnesses (quorum " +
                   std::to_string(c.options.witnesses.quorum) + ")");
}

void CheckCheckpoints(Context& c) {
  size_t seen = 0;
  std::string fail;
  // The bundle's checkpoints are verified with the pinned witness keys but
  // no quorum: each need only be consistent with the quorum-cosigned receipt
  // checkpoint (export.signed), and the cosignatures they do carry date their
  // entries (entries.witness_time). A failing cosignature of a pinned witness
  // still rejects the checkpoint.
  const std::vector<const note::Verifier*> witness_keys = c.options.witnesses.Pointers();
  c.witness_quorum = c.options.witnesses.quorum;
  for (const auto& [path, text] : c.files) {
    if (!path.starts_with(kCheckpointDir)) continue;
    ++seen;
    auto vc = VerifyCheckpoint(text, *c.options.log_key, witness_keys, 0);
    if (!vc.ok()) {
      if (fail.empty()) fail = path + ": " + vc.status().ToString();
      continue;
    }
    if (CheckpointPath(vc->checkpoint.size) != path) {
      if (fail.empty()) fail = path + " holds the checkpoint of size " +
                               std::to_string(vc->checkpoint.size);
      continue;
    }
    c.checkpoints.emplace(vc->checkpoint.size, std::move(vc).value());
  }
  if (seen == 0) fail = "no checkpoints";
  if (!fail.empty()) {
    c.Fail("checkpoints.signatures", fail);
  } else {
    c.Pass("checkpoints.signatures",
           std::to_string(seen) + " checkpoints signed by " + c.options.log_key->name());
  }

  // Roots: the manifest's list is exactly the bundle's checkpoints.
  std::string roots_fail;
  const auto& list = c.manifest.is_object() && c.manifest.contains("checkpoints")
                         ? c.manifest["checkpoints"]
                         : nlohmann::json();
  if (!list.is_array() || list.size() != seen) {
    roots_fail = "the manifest does not list the bundle's checkpoints";
  } else {
    for (const auto& e : list) {
      // contains() first: operator[] on a const json with a missing key is
      // undefined behaviour.
      if (!e.is_object() || !e.contains("size") || !e.contains("root") ||
          !e["size"].is_number_unsigned() || !e["root"].is_string()) {
        roots_fail = "malformed checkpoint list";
        break;
      }
      auto it = c.checkpoints.find(e["size"].get<uint64_t>());
      if (it == c.checkpoints.end() || it->second.checkpoint.root.Base64() != e["root"]) {
        roots_fail = "root at size " + std::to_string(e["size"].get<uint64_t>()) +
                     " differs from the manifest's";
        break;
      }
    }
  }
  auto tree_size = c.ManifestU64("tree_size");
  if (roots_fail.empty() && (c.checkpoints.empty() || !tree_size ||
                             c.checkpoints.rbegin()->first != *tree_size ||
                             c.checkpoints.rbegin()->second.checkpoint.root.Base64() !=
                                 c.manifest.value("root", ""))) {
    roots_fail = "the latest checkpoint is not the manifest's tree_size and root";
  }
  if (!roots_fail.empty()) {
    c.Fail("checkpoints.roots", roots_fail);
  } else {
    c.Pass("checkpoints.roots", "the manifest's roots are the signed roots");
  }

  // Consecutive checkpoints are consistent.
  const std::string* cons_text = c.File(kConsistencyJsonl);
  auto lines = SplitLines(cons_text ? std::string_view(*cons_text) : std::string_view());
  std::string cons_fail;
  if (!lines.ok()) cons_fail = lines.status().message();
  for (std::string_view l : lines.ok() ? *lines : std::vector<std::string_view>{}) {
    auto p = ParseConsistencyLine(l);
    if (!p.ok()) {
      cons_fail = "consistency.jsonl: " + p.status().message();
      break;
    }
    c.consistency.push_back(std::move(p).value());
  }
  uint64_t checked = 0;
  for (auto it = c.checkpoints.begin(); cons_fail.empty() && it != c.checkpoints.end(); ++it) {
    auto next = std::next(it);
    if (next == c.checkpoints.end()) break;
    auto p = std::find_if(c.consistency.begin(), c.consistency.end(), [&](const auto& x) {
      return x.from == it->first && x.to == next->first;
    });
    if (p == c.consistency.end()) {
      cons_fail = "no consistency proof " + std::to_string(it->first) + " -> " +
                  std::to_string(next->first);
      break;
    }
    Status s = merkle::VerifyConsistency(p->from, p->to, p->hashes, it->second.checkpoint.root,
                                         next->second.checkpoint.root);
    if (!s.ok()) {
      cons_fail = "sizes " + std::to_string(p->from) + " -> " + std::to_string(p->to) + ": " +
                  s.ToString();
      break;
    }
    ++checked;
  }
  if (!cons_fail.empty()) {
    c.Fail("checkpoints.consistency", cons_fail);
  } else {
    c.Pass("checkpoints.consistency", std::to_string(checked) + " consistency proofs verified");
  }
}

void CheckSince(Context& c) {
  const char* name = "since";
  if (!c.options.since_checkpoint) return c.Skip(name, "no --since checkpoint given");
  auto held = VerifyCheckpoint(*c.options.since_checkpoint, *c.options.log_key);
  if (!held.ok()) return c.Fail(name, "the held checkpoint: " + held.status().ToString());
  const uint64_t m = held->checkpoint.size;
  const Hash& root = held->checkpoint.root;
  auto same = c.checkpoints.find(m);
  if (same != c.checkpoints.end()) {
    if (same->second.checkpoint.root != root) {
      return c.Fail(name, "FORK: the bundle's checkpoint of size " + std::to_string(m) +
                              " has root " + same->second.checkpoint.root.Base64() +
                              ", the held one " + root.Base64());
    }
    return c.Pass(name, "the held checkpoint of size " + std::to_string(m) + " is in the bundle");
  }
  for (const auto& p : c.consistency) {
    auto to = c.checkpoints.find(p.to);
    if (p.from != m || to == c.checkpoints.end()) continue;
    Status s = merkle::VerifyConsistency(m, p.to, p.hashes, root, to->second.checkpoint.root);
    if (!s.ok()) {
      return c.Fail(name, "FORK: the held checkpoint of size " + std::to_string(m) +
                              " is not consistent with the bundle's of size " +
                              std::to_string(p.to) + ": " + s.ToString());
    }
    return c.Pass(name, "consistent with the held checkpoint of size " + std::to_string(m));
  }
  c.Fail(name, "the bundle has no consistency proof from size " + std::to_string(m) +
                   " (a newer held checkpoint needs a newer export)");
}

}  // namespace
}  // namespace internal

bool VerifyReport::ok() const {
  return std::all_of(checks.begin(), checks.end(), [](const CheckResult& r) { return r.ok; });
}

const CheckResult* VerifyReport::Find(std::string_view name) const {
  for (const auto& r : checks) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

VerifyReport VerifyBundle(const Files& files, const VerifyOptions& options) {
  internal::Context c(files, options);
  if (!options.log_key) {
    c.Fail("keys", "no pinned log key");
    return {std::move(c.out)};
  }
  c.origin = options.log_key->name();
  internal::CheckStructure(c);
  internal::CheckPackage(c);
  internal::ParseManifest(c);
  internal::CheckCheckpoints(c);
  internal::CheckExportSigned(c);
  internal::CheckTimestamp(c);
  internal::CheckSince(c);
  internal::ParseEntries(c);
  internal::CheckEntryLeaves(c);
  internal::CheckChain(c);
  internal::CheckStamps(c);
  internal::CheckGapless(c);
  internal::CheckRange(c);
  internal::CheckBoundaries(c);
  internal::CheckScope(c);
  internal::CheckInclusion(c);
  internal::CheckWitnessTime(c);
  internal::CheckEvidence(c);
  internal::CheckPayloads(c);
  internal::CheckRetention(c);
  internal::CheckRetentionState(c);
  internal::CheckReports(c);
  return {std::move(c.out)};
}

}  // namespace ledger::bundle
