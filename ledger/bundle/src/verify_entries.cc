// The verifier's entry-level checks (export-bundle.md §8): leaves, chain,
// gaplessness, inclusion, evidence, payloads and the human-readable reports.
#include <algorithm>
#include <map>

#include "ledger/attestation/attestation.h"
#include "ledger/bundle/jcs.h"
#include "ledger/codec/event_json.h"
#include "ledger/merkle/merkle.h"
#include "ledger/record/ownership.h"
#include "ledger/retention/retention.h"
#include "verify_internal.h"

namespace ledger::bundle::internal {
namespace {

void ParseLines(Context& c, const char* file, std::vector<EntryLine>& into, size_t& bad,
                std::string& first_bad) {
  const std::string* text = c.File(file);
  if (!text) return;
  auto lines = SplitLines(*text);
  if (!lines.ok()) {
    ++bad;
    first_bad = std::string(file) + ": " + lines.status().message();
    return;
  }
  for (size_t n = 0; n < lines->size(); ++n) {
    auto e = ParseEntryLine((*lines)[n]);
    if (!e.ok()) {
      if (bad++ == 0) {
        first_bad = std::string(file) + " line " + std::to_string(n + 1) + ": " +
                    e.status().ToString();
      }
      continue;
    }
    into.push_back(std::move(e).value());
  }
}

bool IsEvidenceKind(EventKind k) {
  switch (k) {
    case EventKind::kEnclaveBooted:
    case EventKind::kPolicyChanged:
    case EventKind::kAnchorConfirmed:
    case EventKind::kRetentionSet:
    case EventKind::kLegalHoldPlaced:
    case EventKind::kLegalHoldReleased:
    case EventKind::kRecordDisposed:
      return true;
    default:
      return false;
  }
}

// What a boot document must say, from its ENCLAVE_BOOTED entry (written by
// the notary, boot_event.cc): user_data = the manifest digest it records,
// public_key = the ephemeral key it records, and, when that manifest is
// pinned, its PCRs. Sets `pcrs_checked` when the PCRs were part of it.
Result<AttestationPolicy> BootDocumentPolicy(const Context& c, const Event& boot,
                                             bool& pcrs_checked) {
  const std::string* digest_hex = FindAttribute(boot, "manifest_digest");
  std::optional<Hash> digest;
  if (digest_hex) {
    if (auto h = Hash::FromHex(*digest_hex); h.ok()) digest = *h;
  }
  if (!digest) {
    return Status::VerificationFailed("boot_entry_malformed", "it records no manifest digest");
  }
  AttestationPolicy policy;
  policy.root_der = *c.options.attestation_root_der;
  policy.expected_user_data = Bytes(digest->bytes.begin(), digest->bytes.end());
  pcrs_checked = false;
  if (c.options.notary_manifests.empty()) return policy;
  for (const Manifest& m : c.options.notary_manifests) {
    if (ManifestDigest(m).value() != *digest) continue;
    policy.expected_pcrs[0] = Bytes(m.pcr0.begin(), m.pcr0.end());
    if (m.pcr1) policy.expected_pcrs[1] = Bytes(m.pcr1->begin(), m.pcr1->end());
    if (m.pcr2) policy.expected_pcrs[2] = Bytes(m.pcr2->begin(), m.pcr2->end());
    pcrs_checked = true;
    return policy;
  }
  return Status::VerificationFailed(
      "unpinned_manifest", "it booted under manifest " + digest->Hex() + ", which is not pinned");
}

Status CheckBootDocument(const Context& c, const Event& boot, ByteView document,
                         bool& pcrs_checked) {
  ASSIGN_OR_RETURN(AttestationPolicy policy, BootDocumentPolicy(c, boot, pcrs_checked));
  ASSIGN_OR_RETURN(VerifiedAttestation v, VerifyAttestation(document, policy));
  const std::string* key = FindAttribute(boot, "ephemeral_public_key");
  if (!key || *key != HexEncode(v.public_key)) {
    return Status::VerificationFailed("public_key_mismatch",
                                      "the document attests another key than the one recorded");
  }
  return Status::Ok();
}

}  // namespace

void ParseEntries(Context& c) {
  ParseLines(c, kEntriesJsonl, c.entries, c.bad_entry_lines, c.first_bad_entry);
  ParseLines(c, kEvidenceJsonl, c.evidence, c.bad_evidence_lines, c.first_bad_evidence);
  ParseLines(c, kBoundariesJsonl, c.boundaries, c.bad_boundary_lines, c.first_bad_boundary);
  const std::string* text = c.File(kInclusionJsonl);
  auto lines = SplitLines(text ? std::string_view(*text) : std::string_view());
  if (!lines.ok()) return;
  for (std::string_view l : *lines) {
    auto p = ParseInclusionLine(l);
    if (p.ok()) c.inclusion.emplace(p->index, std::move(p).value());
  }
}

// Each line's leaf hashes as stated and its JSON says what the leaf says
// (ParseEntryLine re-renders the line from the leaf bytes).
void CheckEntryLeaves(Context& c) {
  if (c.bad_entry_lines > 0) {
    return c.Fail("entries.leaves", std::to_string(c.bad_entry_lines) + " bad lines; first: " +
                                        c.first_bad_entry);
  }
  // No entries is a valid answer (an empty scope): entries.gapless holds it
  // to the manifest's count and entries.boundaries proves the range empty.
  c.Pass("entries.leaves", std::to_string(c.entries.size()) +
                               " leaves hashed; each JSON line says what its leaf bytes say");
}

// leaf.md §3: each leaf carries its predecessor's leaf hash; recorded_at
// never decreases.
void CheckChain(Context& c) {
  size_t links = 0;
  for (size_t i = 0; i < c.entries.size(); ++i) {
    const EntryLine& e = c.entries[i];
    if (e.index == 0) {
      Status s = VerifyChainLink(e.decoded, ChainGenesis(c.origin), 0);
      if (!s.ok()) return c.Fail("entries.chain", "leaf 0: " + s.message());
      ++links;
    }
    if (i == 0) continue;
    const EntryLine& prev = c.entries[i - 1];
    if (e.decoded.recorded_at_us < prev.decoded.recorded_at_us && e.index > prev.index) {
      return c.Fail("entries.chain", "recorded_at decreases at entry " + std::to_string(e.index));
    }
    if (e.index != prev.index + 1) continue;
    Status s = VerifyChainLink(e.decoded, prev.leaf_hash, prev.index + 1);
    if (!s.ok()) return c.Fail("entries.chain", s.message());
    ++links;
  }
  c.Pass("entries.chain", std::to_string(links) + " hash-chain links verified");
}

// map.md §5a: a stamped event is sequenced at most once. The bundle's
// entries and evidence must not hold one twice (at two indices).
void CheckStamps(Context& c) {
  std::map<Hash, uint64_t> first;
  size_t stamped = 0;
  for (const auto* list : {&c.entries, &c.evidence}) {
    for (const EntryLine& e : *list) {
      if (e.decoded.stamp.empty()) continue;
      auto [it, fresh] = first.emplace(Sha256::Digest(e.decoded.event), e.index);
      if (fresh) {
        ++stamped;
      } else if (it->second != e.index) {
        return c.Fail("entries.stamps", "duplicate_stamp: entry " +
                                            std::to_string(std::max(it->second, e.index)) +
                                            " repeats the stamped event of entry " +
                                            std::to_string(std::min(it->second, e.index)));
      }
    }
  }
  c.Pass("entries.stamps", std::to_string(stamped) + " stamped events, each sequenced once");
}

void CheckGapless(Context& c) {
  const char* name = "entries.gapless";
  for (size_t i = 1; i < c.entries.size(); ++i) {
    if (c.entries[i].index <= c.entries[i - 1].index) {
      return c.Fail(name, "entry " + std::to_string(c.entries[i].index) + " follows entry " +
                              std::to_string(c.entries[i - 1].index) + ": out of order");
    }
  }
  const bool has_scope = c.manifest.is_object() && c.manifest.contains("scope") &&
                         c.manifest["scope"].is_object();
  const bool gapless = has_scope && c.manifest["scope"].value("gapless", false);
  // Only a filter lets entries be left out (export-bundle.md §3): an
  // unfiltered scope that calls itself not gapless would let any entry go.
  if (!has_scope || gapless == c.manifest["scope"].contains("filter")) {
    return c.Fail(name, "scope.gapless must be true exactly when the scope has no filter");
  }
  auto first = c.ManifestU64("first_index"), last = c.ManifestU64("last_index");
  uint64_t count = 0;
  if (c.manifest.contains("counts") && c.manifest["counts"].is_object() &&
      c.manifest["counts"]["entries"].is_number_unsigned()) {
    count = c.manifest["counts"]["entries"].get<uint64_t>();
  }
  if (count == 0 && c.entries.empty() && c.bad_entry_lines == 0 &&
      !c.manifest.contains("first_index") && !c.manifest.contains("last_index")) {
    return c.Pass(name, "no entries in the scope (entries.boundaries proves the range empty)");
  }
  if (c.entries.empty() || !first || !last || c.entries.front().index != *first ||
      c.entries.back().index != *last || c.entries.size() != count ||
      c.bad_entry_lines != 0) {
    return c.Fail(name, "the entries are not the manifest's first_index..last_index, count " +
                            std::to_string(count) + " (bundle has " +
                            std::to_string(c.entries.size()) + " readable entries)");
  }
  if (gapless) {
    for (size_t i = 1; i < c.entries.size(); ++i) {
      if (c.entries[i].index != c.entries[i - 1].index + 1) {
        return c.Fail(name, "entries " + std::to_string(c.entries[i - 1].index + 1) + ".." +
                                std::to_string(c.entries[i].index - 1) + " are missing");
      }
    }
    return c.Pass(name, "indices " + std::to_string(*first) + ".." + std::to_string(*last) +
                            ", no gaps");
  }
  c.Pass(name, std::to_string(count) +
                   " entries in ascending order as the manifest states (filtered scope: gaps "
                   "are expected; entries.range accounts for them)");
}

void CheckInclusion(Context& c) {
  const char* name = "entries.inclusion";
  auto tree_size = c.ManifestU64("tree_size");
  auto cp = tree_size ? c.checkpoints.find(*tree_size) : c.checkpoints.end();
  if (cp == c.checkpoints.end()) return c.Fail(name, "no verified checkpoint of the tree size");
  size_t n = 0;
  for (const auto* list : {&c.entries, &c.evidence}) {
    for (const EntryLine& e : *list) {
      auto p = c.inclusion.find(e.index);
      if (p == c.inclusion.end() || p->second.tree_size != *tree_size) {
        return c.Fail(name, "no inclusion proof for entry " + std::to_string(e.index));
      }
      Status s = merkle::VerifyInclusion(e.index, *tree_size, e.leaf_hash, p->second.hashes,
                                         cp->second.checkpoint.root);
      if (!s.ok()) return c.Fail(name, "entry " + std::to_string(e.index) + ": " + s.ToString());
      ++n;
    }
  }
  c.Pass(name, std::to_string(n) + " inclusion proofs verified against the signed root of size " +
                   std::to_string(*tree_size));
}

void CheckEvidence(Context& c) {
  if (c.bad_evidence_lines > 0) {
    c.Fail("evidence.entries", c.first_bad_evidence);
  } else {
    size_t boots = 0;
    std::string fail;
    // The records whose disposal is on record come along as evidence.
    std::set<std::string> disposed;
    for (const auto* list : {&c.entries, &c.evidence}) {
      for (const EntryLine& e : *list) {
        const std::string* i = FindAttribute(e.event, kAttrRecordIndex);
        if (e.event.kind == EventKind::kRecordDisposed && i) disposed.insert(*i);
      }
    }
    for (const EntryLine& e : c.evidence) {
      if (!IsEvidenceKind(e.event.kind) && !disposed.contains(std::to_string(e.index))) {
        fail = "entry " + std::to_string(e.index) + " is not evidence";
      }
      if (e.event.kind == EventKind::kEnclaveBooted) ++boots;
    }
    if (!fail.empty()) {
      c.Fail("evidence.entries", fail);
    } else {
      c.Pass("evidence.entries", std::to_string(c.evidence.size()) + " evidence entries (" +
                                     std::to_string(boots) + " boots) with their leaves");
    }
  }

  // The notary's records (ownership.h) count only with the log key's stamp:
  // a submitter's look-alike boot or policy entry is not evidence.
  size_t records = 0;
  std::string forged;
  for (const auto* list : {&c.entries, &c.evidence}) {
    for (const EntryLine& e : *list) {
      if (!IsNotaryRecord(e.event)) continue;
      ++records;
      if (forged.empty() && !StampedByLogKey(e.decoded, *c.options.log_key)) {
        forged = "entry " + std::to_string(e.index) + " (" +
                 std::string(EventKindName(e.event.kind)) + ", " + e.event.subject +
                 ") is not stamped by the log key";
      }
    }
  }
  if (!forged.empty()) {
    c.Fail("evidence.notary_records", forged);
  } else {
    c.Pass("evidence.notary_records",
           std::to_string(records) + " boot and policy entries stamped by the log key");
  }

  // Boot proofs: each ENCLAVE_BOOTED payload is an attestation document, of
  // the instance and manifest that entry records.
  size_t docs = 0, pcr_docs = 0;
  std::string fail;
  for (const auto* list : {&c.entries, &c.evidence}) {
    for (const EntryLine& e : *list) {
      if (e.event.kind != EventKind::kEnclaveBooted || !e.event.payload_digest) continue;
      const std::string* body = c.File(PayloadPath(*e.event.payload_digest));
      if (!body) continue;
      ++docs;
      if (!c.options.attestation_root_der) continue;
      bool pcrs_checked = false;
      Status s = CheckBootDocument(c, e.event, AsBytes(*body), pcrs_checked);
      if (!s.ok() && fail.empty()) {
        fail = "boot entry " + std::to_string(e.index) + ": " + s.ToString();
      }
      if (pcrs_checked) ++pcr_docs;
    }
  }
  if (!fail.empty()) {
    c.Fail("evidence.attestation", fail);
  } else if (!c.options.attestation_root_der) {
    c.Skip("evidence.attestation", std::to_string(docs) +
                                       " attestation documents not checked: no --root pinned");
  } else {
    c.Pass("evidence.attestation",
           std::to_string(docs) + " attestation documents verified against the pinned root, " +
               "each attesting the manifest digest and ephemeral key its boot entry records; " +
               std::to_string(pcr_docs) + " with the PCRs of a pinned manifest" +
               (c.options.notary_manifests.empty() ? " (none pinned: --manifest)" : ""));
  }

  size_t anchors = 0;
  for (const auto* list : {&c.entries, &c.evidence}) {
    for (const EntryLine& e : *list) {
      if (e.event.kind != EventKind::kAnchorConfirmed) continue;
      ++anchors;
      if (e.event.payload_digest && !c.File(PayloadPath(*e.event.payload_digest))) {
        return c.Fail("evidence.anchors",
                      "anchor entry " + std::to_string(e.index) + " lacks its evidence payload");
      }
    }
  }
  c.Pass("evidence.anchors", std::to_string(anchors) +
                                 " ANCHOR_CONFIRMED entries (with their recorded evidence)");
}

void CheckPayloads(Context& c) {
  const char* name = "payloads";
  const std::string* text = c.File(kPayloadsJson);
  if (!text) return c.Fail(name, "payloads.json missing");
  auto j = codec::ParseJsonStrict(*text, 64 * kMaxLineSize);
  if (!j.ok() || !j->is_array()) return c.Fail(name, "payloads.json is not a JSON array");
  auto canonical = CanonicalJson(*j);
  if (!canonical.ok() || *canonical + "\n" != *text) return c.Fail(name, "not canonical");
  std::set<std::string> referenced;
  for (const auto* list : {&c.entries, &c.evidence}) {
    for (const EntryLine& e : *list) {
      if (e.event.payload_digest) referenced.insert(e.event.payload_digest->Hex());
    }
  }
  std::set<std::string> listed;
  size_t retained = 0;
  for (const auto& p : *j) {
    // contains() first: operator[] on a const json with a missing key is
    // undefined behaviour, and payloads.json is untrusted.
    if (!p.is_object() || !p.contains("digest") || !p.contains("status") ||
        !p["digest"].is_string() || !p["status"].is_string()) {
      return c.Fail(name, "malformed payloads.json entry");
    }
    std::string digest = p["digest"].get<std::string>(), status = p["status"].get<std::string>();
    auto h = Hash::FromHex(digest);
    if (!h.ok() || !referenced.contains(digest) || !listed.insert(digest).second) {
      return c.Fail(name, "payload " + digest + " is not referenced by exactly one listing");
    }
    const std::string* body = c.File(PayloadPath(*h));
    if (status == "retained") {
      if (!body) return c.Fail(name, "retained payload " + digest + " is missing");
      if (Sha256::Digest(*body) != *h) {
        return c.Fail(name, "payload " + digest + " does not hash to its digest");
      }
      ++retained;
    } else if (status == "missing") {
      // The exporter's own store received this body with its entry and no
      // longer holds it, with no disposal on record (retention.md §4).
      return c.Fail(name, "payload_missing: payload " + digest +
                              " was stored with its entry and is gone without a disposal");
    } else if (status != "absent" || body) {
      return c.Fail(name, "payload " + digest + ": bad status " + status);
    }
  }
  for (const std::string& d : referenced) {
    if (!listed.contains(d)) return c.Fail(name, "payload " + d + " is not listed");
  }
  for (const auto& [path, unused] : c.files) {
    if (path.starts_with(kPayloadDir) && !listed.contains(path.substr(sizeof(kPayloadDir) - 1))) {
      return c.Fail(name, "unlisted file " + path);
    }
  }
  c.Pass(name, std::to_string(retained) + " retained bodies match the digests their entries "
                                          "commit to; " +
                   std::to_string(listed.size() - retained) + " absent");
}

void CheckReports(Context& c) {
  auto same = [&](const char* name, const char* file, const std::string& expected) {
    const std::string* got = c.File(file);
    if (!got) return c.Fail(name, std::string(file) + " missing");
    if (*got == expected) return c.Pass(name, std::string(file) + " says what the JSON says");
    size_t at = 0;
    while (at < got->size() && at < expected.size() && (*got)[at] == expected[at]) ++at;
    size_t line = 1 + static_cast<size_t>(std::count(expected.begin(),
                                                     expected.begin() + static_cast<long>(at), '\n'));
    c.Fail(name, std::string(file) + " differs from the entries at line " + std::to_string(line));
  };
  same("report.csv", kEntriesCsv, RenderCsv(c.entries));
  same("report.html", kReportHtml,
       RenderHtml(c.manifest.is_object() ? c.manifest : nlohmann::json::object(), c.entries,
                  c.evidence));
  auto index = RenderIndex(c.entries);
  same("report.index", kIndexJson, index.ok() ? *index : "");
}

}  // namespace ledger::bundle::internal
