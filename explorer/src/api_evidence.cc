// Evidence beyond single entries: /v1/checkpoints (with cosignature lines),
// /v1/anchors (ANCHOR_CONFIRMED entries), /v1/boot-proofs (ENCLAVE_BOOTED
// entries with their attestation documents and manifest decoded) and
// /v1/key-history (every boot, key and policy event). Boot and policy
// entries are listed only with the log key's stamp (ledger/record/ownership.h).
#include <algorithm>

#include "api_json.h"
#include "context.h"
#include "http_util.h"
#include "ledger/attestation/attestation.h"
#include "ledger/files/read_file.h"
#include "ledger/record/ownership.h"
#include "ledger/trust/manifest.h"

namespace explorer {
namespace {

using ledger::EventKind;
using ledger::Result;
using ledger::Status;
namespace store = ledger::store;

inline constexpr uint64_t kDefaultPageSize = 20;
inline constexpr uint64_t kMaxPageSize = 200;

struct Page {
  uint64_t cursor = 0;
  size_t limit = 0;
};
Result<Page> PageParams(const httplib::Request& req) {
  Page p;
  ASSIGN_OR_RETURN(p.cursor, U64Param(req, "cursor", 0, 0, UINT64_MAX, "bad_cursor"));
  ASSIGN_OR_RETURN(p.limit, U64Param(req, "limit", kDefaultPageSize, 1, kMaxPageSize, "bad_limit"));
  return p;
}

// Entries of any of `kinds` from the cursor on, ascending: one index scan
// per kind, merged. Returns up to limit+1 indices (the last one is the next
// cursor).
Result<std::vector<uint64_t>> EntriesOfKinds(const store::LogStore& log,
                                             std::initializer_list<EventKind> kinds,
                                             const Page& page) {
  std::vector<uint64_t> all;
  for (EventKind k : kinds) {
    store::EntryQuery q;
    q.kind = k;
    q.start_index = page.cursor;
    q.limit = page.limit + 1;
    ASSIGN_OR_RETURN(auto hits, log.FindEntries(q));
    all.insert(all.end(), hits.begin(), hits.end());
  }
  std::sort(all.begin(), all.end());
  if (all.size() > page.limit + 1) all.resize(page.limit + 1);
  return all;
}

// False for an entry that claims to be the notary's (ownership.h) without
// the log key's stamp: a submitter's look-alike is not boot or policy history.
Result<bool> GenuineRecord(const store::LogStore& log, uint64_t index) {
  ASSIGN_OR_RETURN(store::LeafWithProof l, log.GetLeaf(index));
  ASSIGN_OR_RETURN(ledger::Leaf leaf, ledger::DecodeLeaf(l.leaf));
  ASSIGN_OR_RETURN(ledger::Event event, ledger::DecodeEvent(leaf.event));
  return !ledger::IsNotaryRecord(event) || ledger::StampedByLogKey(leaf, log.log_verifier());
}

nlohmann::json NextCursor(const std::vector<uint64_t>& hits, size_t limit) {
  return hits.size() > limit ? nlohmann::json(std::to_string(hits[limit])) : nullptr;
}

Result<nlohmann::json> Checkpoints(Context&, const store::LogStore& log,
                                   const httplib::Request& req) {
  RETURN_IF_ERROR(OnlyParams(req, {"cursor", "limit"}));
  ASSIGN_OR_RETURN(Page page, PageParams(req));
  ASSIGN_OR_RETURN(auto sizes, log.CheckpointSizes(page.cursor, log.size(), page.limit + 1));
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < sizes.size() && i < page.limit; ++i) {
    ASSIGN_OR_RETURN(std::string note, log.CheckpointAt(sizes[i]));
    ASSIGN_OR_RETURN(nlohmann::json cp, CheckpointJson(note));
    list.push_back(std::move(cp));
  }
  ASSIGN_OR_RETURN(nlohmann::json latest, log.latest().note.empty()
                                              ? Result<nlohmann::json>(nullptr)
                                              : CheckpointJson(log.latest().note));
  return nlohmann::json{
      {"latest", std::move(latest)}, {"checkpoints", std::move(list)},
      {"next_cursor", NextCursor(sizes, page.limit)}};
}

nlohmann::json Attributes(const nlohmann::json& entry) {
  const auto& event = entry["event"];
  if (event.contains("attributes")) return event["attributes"];
  return nlohmann::json::object();
}

Result<nlohmann::json> Anchors(Context&, const store::LogStore& log, const httplib::Request& req) {
  RETURN_IF_ERROR(OnlyParams(req, {"cursor", "limit"}));
  ASSIGN_OR_RETURN(Page page, PageParams(req));
  ASSIGN_OR_RETURN(auto hits, EntriesOfKinds(log, {EventKind::kAnchorConfirmed}, page));
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < hits.size() && i < page.limit; ++i) {
    ASSIGN_OR_RETURN(nlohmann::json e, EntryJson(log, hits[i], false));
    // The chain evidence (chain id, contract, transaction, block, the
    // anchored checkpoint) is in the event's attributes and, when retained,
    // its JSON payload.
    nlohmann::json anchor = {{"attributes", Attributes(e)}};
    if (e.contains("payload") && e["payload"].value("retained", false)) {
      auto digest = ledger::Hash::FromHex(e["payload"]["digest"].get<std::string>());
      if (digest.ok()) {
        ASSIGN_OR_RETURN(auto body, log.GetPayload(*digest));
        auto j = nlohmann::json::parse(body.body.begin(), body.body.end(), nullptr, false);
        if (!j.is_discarded()) anchor["evidence"] = std::move(j);
      }
    }
    e["anchor"] = std::move(anchor);
    list.push_back(std::move(e));
  }
  return nlohmann::json{{"anchors", std::move(list)}, {"next_cursor", NextCursor(hits, page.limit)}};
}

nlohmann::json AttestationJson(const ledger::AttestationDocument& d) {
  nlohmann::json pcrs = nlohmann::json::object();
  for (const auto& [i, v] : d.pcrs) pcrs[std::to_string(i)] = ledger::HexEncode(v);
  nlohmann::json bundle = nlohmann::json::array();
  for (const auto& c : d.cabundle) bundle.push_back(ledger::Base64Encode(c));
  return {{"module_id", d.module_id},
          {"digest", d.digest},
          {"timestamp_ms", d.timestamp_ms},
          {"pcrs", std::move(pcrs)},
          {"public_key", ledger::HexEncode(d.public_key)},
          {"user_data", ledger::HexEncode(d.user_data)},
          {"nonce", ledger::HexEncode(d.nonce)},
          {"certificate", ledger::Base64Encode(d.certificate)},
          {"cabundle", std::move(bundle)}};
}

nlohmann::json ManifestJson(const ledger::Manifest& m, const ledger::Bytes& encoding) {
  nlohmann::json ops = nlohmann::json::array();
  for (const auto& o : m.operators) ops.push_back({{"name", o.name}, {"public_key", o.public_key.Hex()}});
  nlohmann::json subs = nlohmann::json::array();
  for (const auto& s : m.submitters) {
    nlohmann::json kinds = nlohmann::json::array();
    for (auto k : s.kinds) kinds.push_back(std::string(ledger::EventKindName(k)));
    subs.push_back({{"name", s.name},
                    {"verifier_key", s.verifier_key},
                    {"kinds", kinds},
                    {"subjects", s.subjects}});
  }
  nlohmann::json j = {{"origin", m.origin},
                      {"nonce", m.nonce},
                      {"pcr0", ledger::HexEncode(m.pcr0)},
                      {"operators", std::move(ops)},
                      {"threshold", m.threshold},
                      {"quorum_public_key", ledger::HexEncode(m.quorum_public_key.view())},
                      {"submitters", std::move(subs)},
                      {"witnesses", m.witnesses},
                      {"witness_quorum", m.witness_quorum},
                      {"bytes", ledger::Base64Encode(encoding)}};
  if (m.pcr1) j["pcr1"] = ledger::HexEncode(*m.pcr1);
  if (m.pcr2) j["pcr2"] = ledger::HexEncode(*m.pcr2);
  if (m.registry_chain_id) j["registry_chain_id"] = *m.registry_chain_id;
  if (m.registry_address) j["registry_address"] = ledger::HexEncode(*m.registry_address);
  return j;
}

// The manifest a boot entry names: a retained payload with its digest, or
// the deployment's manifest file (ledger.json "manifest") if it matches.
std::optional<ledger::Bytes> FindManifest(const Context& ctx, const store::LogStore& log,
                                          const ledger::Hash& digest) {
  if (auto p = log.GetPayload(digest); p.ok()) return p->body;
  auto text = ledger::files::ReadFile(ctx.options().data_dir + "/ledger.json");
  if (!text.ok()) return std::nullopt;
  auto config = nlohmann::json::parse(*text, nullptr, false);
  if (!config.is_object() || !config["manifest"].is_string()) return std::nullopt;
  auto manifest = ledger::files::ReadFile(config["manifest"].get<std::string>());
  if (!manifest.ok()) return std::nullopt;
  ledger::Bytes bytes = ledger::ToBytes(*manifest);
  if (bytes.empty() || ledger::ManifestDigest(bytes) != digest) return std::nullopt;
  return bytes;
}

Result<nlohmann::json> BootProofs(Context& ctx, const store::LogStore& log,
                                  const httplib::Request& req) {
  RETURN_IF_ERROR(OnlyParams(req, {"cursor", "limit"}));
  ASSIGN_OR_RETURN(Page page, PageParams(req));
  ASSIGN_OR_RETURN(auto hits, EntriesOfKinds(log, {EventKind::kEnclaveBooted}, page));
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < hits.size() && i < page.limit; ++i) {
    ASSIGN_OR_RETURN(bool genuine, GenuineRecord(log, hits[i]));
    if (!genuine) continue;
    ASSIGN_OR_RETURN(nlohmann::json e, EntryJson(log, hits[i], false));
    nlohmann::json proof = nlohmann::json::object();
    if (e.contains("payload") && e["payload"].value("retained", false)) {
      auto digest = ledger::Hash::FromHex(e["payload"]["digest"].get<std::string>());
      if (digest.ok()) {
        ASSIGN_OR_RETURN(auto doc, log.GetPayload(*digest));
        proof["document"] = ledger::Base64Encode(doc.body);
        auto parsed = ledger::ParseAttestation(doc.body);
        if (parsed.ok()) {
          proof["attestation"] = AttestationJson(*parsed);
        } else {
          proof["attestation_error"] = parsed.status().reason();
        }
      }
    }
    auto attrs = Attributes(e);
    if (attrs.contains("manifest_digest") && attrs["manifest_digest"].is_string()) {
      auto digest = ledger::Hash::FromHex(attrs["manifest_digest"].get<std::string>());
      std::optional<ledger::Bytes> bytes;
      if (digest.ok()) bytes = FindManifest(ctx, log, *digest);
      if (bytes) {
        auto m = ledger::DecodeManifest(*bytes);
        if (m.ok()) proof["manifest"] = ManifestJson(*m, *bytes);
      }
    }
    e["boot_proof"] = std::move(proof);
    list.push_back(std::move(e));
  }
  return nlohmann::json{{"boot_proofs", std::move(list)},
                        {"next_cursor", NextCursor(hits, page.limit)}};
}

Result<nlohmann::json> KeyHistory(Context&, const store::LogStore& log,
                                  const httplib::Request& req) {
  RETURN_IF_ERROR(OnlyParams(req, {"cursor", "limit"}));
  ASSIGN_OR_RETURN(Page page, PageParams(req));
  ASSIGN_OR_RETURN(auto hits,
                   EntriesOfKinds(log,
                                  {EventKind::kEnclaveBooted, EventKind::kKeyCreated,
                                   EventKind::kKeyImported, EventKind::kKeyRotated,
                                   EventKind::kKeyExported, EventKind::kKeyRetired,
                                   EventKind::kPolicyChanged},
                                  page));
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < hits.size() && i < page.limit; ++i) {
    ASSIGN_OR_RETURN(bool genuine, GenuineRecord(log, hits[i]));
    if (!genuine) continue;
    ASSIGN_OR_RETURN(nlohmann::json e, EntryJson(log, hits[i], false));
    list.push_back(std::move(e));
  }
  return nlohmann::json{{"events", std::move(list)}, {"next_cursor", NextCursor(hits, page.limit)}};
}

}  // namespace

void AddEvidenceRoutes(ApiRouter& api, Context& ctx) {
  api.Get("/v1/checkpoints", WithStore(ctx, Checkpoints));
  api.Get("/v1/anchors", WithStore(ctx, Anchors));
  api.Get("/v1/boot-proofs", WithStore(ctx, BootProofs));
  api.Get("/v1/key-history", WithStore(ctx, KeyHistory));
}

}  // namespace explorer
