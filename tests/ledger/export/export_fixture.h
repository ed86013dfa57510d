// A log in memory (real sequencer, real LogStore on MemoryKv) to export from,
// and helpers to tamper with a bundle the way a forger would: change a file
// and then recompute the bag manifests so the package hashes still match.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "../store/test_log.h"
#include "ledger/bundle/bundle.h"
#include "ledger/bundle/jcs.h"
#include "ledger/bundle/verify.h"
#include "ledger/export/export.h"
#include "ledger/record/leaf.h"
#include "ledger/store/kv.h"
#include "ledger/store/log_store.h"

namespace ledger::testing {

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = NewStore(seq_); }

  std::unique_ptr<store::LogStore> NewStore(Sequencer& seq) {
    return store::LogStore::Create(std::make_unique<store::MemoryKv>(), seq.head().checkpoint_note,
                                   LogVerifier())
        .value();
  }

  // Appends `count` events in batches of `batch` (one checkpoint each); every
  // fourth event carries a payload body.
  void Fill(uint64_t count, uint64_t batch = 8) { Fill(seq_, *store_, 0, count, batch); }
  static void Fill(Sequencer& seq, store::LogStore& st, uint64_t first, uint64_t count,
                   uint64_t batch) {
    for (uint64_t i = first; i < first + count;) {
      std::vector<SubmittedEvent> events;
      std::vector<store::Payload> payloads;
      for (uint64_t k = 0; k < batch && i < first + count; ++k, ++i) {
        Event e = MakeEvent(i);
        if (i % 4 == 0) {
          std::string body = "request body " + std::to_string(i);
          store::Payload p{Sha256::Digest(body), ToBytes(body), "text/plain"};
          e.payload_digest = p.digest;
          payloads.push_back(p);
        }
        events.push_back({EncodeEvent(e).value(), {}});
      }
      auto b = seq.Sequence(seq.head().size(), seq.head().range.Root(), events);
      ASSERT_TRUE(b.ok()) << b.status();
      ASSERT_TRUE(st.Append(*b, payloads).ok());
    }
  }

  exporter::AppendFn Appender(Sequencer& seq, store::LogStore& st) {
    return [&seq, &st](const Event& e, const store::Payload& p) -> Result<SequencedBatch> {
      ASSIGN_OR_RETURN(Bytes bytes, EncodeEvent(e));
      std::vector<SubmittedEvent> events = {{bytes, {}}};
      // The map proofs a host plans (used by a sequencer that keeps the map).
      ASSIGN_OR_RETURN(store::LogStore::MapPlan plan, st.PlanMap(events));
      ASSIGN_OR_RETURN(SequencedBatch b,
                       seq.Sequence(seq.head().size(), seq.head().range.Root(), events,
                                    plan.map_proofs, plan.stamp_proofs, plan.retention_proofs));
      std::vector<store::Payload> payloads = {p};
      RETURN_IF_ERROR(st.Append(b, payloads));
      return b;
    };
  }

  uint64_t RecordedAt(uint64_t index) {
    return DecodeLeaf(store_->GetLeaf(index).value().leaf).value().recorded_at_us;
  }

  exporter::ExportRequest Request() {
    exporter::ExportRequest r;
    r.requester = "auditor@example.com";
    r.requester_auth = "test";
    r.log_vkey = LogVerifier()->VerifierKey();
    r.created_at_us = 1'750'000'000'000'000ull;
    r.software_version = "test 1";
    return r;
  }

  bundle::Files Export(const exporter::ExportRequest& r) {
    auto files = exporter::CreateExport(*store_, r, Appender(seq_, *store_));
    EXPECT_TRUE(files.ok()) << files.status();
    return files.ok() ? *files : bundle::Files{};
  }

  static bundle::VerifyReport Verify(const bundle::Files& files,
                                     std::optional<std::string> since = std::nullopt) {
    bundle::VerifyOptions o;
    o.log_key = LogVerifier();
    o.since_checkpoint = since;
    return bundle::VerifyBundle(files, o);
  }

  // What a forger does after editing data files: recompute every digest the
  // bag lists so that only the deeper checks can notice.
  static void Rehash(bundle::Files& f) {
    std::vector<std::string> data;
    for (const auto& [p, unused] : f) {
      if (p.starts_with("data/")) data.push_back(p);
    }
    f[bundle::kManifestSha256] = bundle::RenderBagManifest(f, data);
    f[bundle::kTagManifestSha256] = bundle::RenderBagManifest(
        f, {bundle::kBagitTxt, bundle::kBagInfoTxt, bundle::kManifestSha256,
            bundle::kExportManifest, bundle::kExportReceipt});
  }

  static std::vector<bundle::EntryLine> ParseLines(const std::string& jsonl) {
    std::vector<bundle::EntryLine> out;
    const auto lines = bundle::SplitLines(jsonl).value();
    for (auto line : lines) {
      out.push_back(bundle::ParseEntryLine(line).value());
    }
    return out;
  }

  // What a hostile exporter (the host, which holds a key admitted for
  // EXPORT_CREATED) does after choosing what to leave out of a bundle: keep
  // the inclusion proofs of the lines still shipped (taking any missing one
  // from the store), render payloads.json, the CSV, the index and the HTML
  // again, set the counts and indices of `manifest`, recompute the bag
  // manifests, and record the new manifest with EXPORT_CREATED through the
  // log like an honest export. Only the completeness checks can then notice.
  void Reseal(bundle::Files& f, nlohmann::json manifest) {
    const uint64_t tree_size = manifest["tree_size"].get<uint64_t>();
    auto entries = ParseLines(f[bundle::kEntriesJsonl]);
    auto evidence = ParseLines(f[bundle::kEvidenceJsonl]);
    std::map<uint64_t, std::string> proofs;
    const auto lines = bundle::SplitLines(f[bundle::kInclusionJsonl]).value();
    for (auto line : lines) {
      proofs.emplace(bundle::ParseInclusionLine(line)->index, std::string(line));
    }
    std::string inclusion;
    std::set<uint64_t> shipped;
    std::set<std::string> referenced;
    auto boundaries = f.contains(bundle::kBoundariesJsonl)
                          ? ParseLines(f[bundle::kBoundariesJsonl])
                          : std::vector<bundle::EntryLine>{};
    for (const auto* list : {&entries, &evidence, &boundaries}) {
      for (const auto& e : *list) {
        if (e.event.payload_digest && list != &boundaries) {
          referenced.insert(e.event.payload_digest->Hex());
        }
        if (!shipped.insert(e.index).second) continue;
        auto it = proofs.find(e.index);
        inclusion += (it != proofs.end() ? it->second
                                         : bundle::FormatInclusionLine(
                                               {e.index, tree_size,
                                                store_->InclusionProof(e.index, tree_size).value()})
                                               .value()) +
                     "\n";
      }
    }
    f[bundle::kInclusionJsonl] = inclusion;
    nlohmann::json payloads = nlohmann::json::array();
    uint64_t retained = 0, absent = 0;
    for (const auto& p : nlohmann::json::parse(f[bundle::kPayloadsJson])) {
      const std::string digest = p["digest"].get<std::string>();
      if (!referenced.contains(digest)) {
        f.erase(bundle::PayloadPath(Hash::FromHex(digest).value()));
        continue;
      }
      ++(p["status"] == "retained" ? retained : absent);
      payloads.push_back(p);
    }
    f[bundle::kPayloadsJson] = bundle::CanonicalJson(payloads).value() + "\n";
    f[bundle::kEntriesCsv] = bundle::RenderCsv(entries);
    f[bundle::kIndexJson] = bundle::RenderIndex(entries).value();
    manifest.erase("payload_manifest_sha256");
    manifest.erase("first_index");
    manifest.erase("last_index");
    if (!entries.empty()) {
      manifest["first_index"] = entries.front().index;
      manifest["last_index"] = entries.back().index;
    }
    manifest["counts"]["entries"] = entries.size();
    manifest["counts"]["evidence"] = evidence.size();
    manifest["counts"]["payloads_retained"] = retained;
    manifest["counts"]["payloads_absent"] = absent;
    f[bundle::kReportHtml] = bundle::RenderHtml(manifest, entries, evidence);
    std::vector<std::string> data;
    uint64_t octets = 0;
    for (const auto& [p, content] : f) {
      if (p.starts_with("data/")) data.push_back(p), octets += content.size();
    }
    f[bundle::kManifestSha256] = bundle::RenderBagManifest(f, data);
    manifest["payload_manifest_sha256"] = Sha256::Digest(f[bundle::kManifestSha256]).Hex();
    const std::string text = bundle::CanonicalJson(manifest).value() + "\n";
    f[bundle::kExportManifest] = text;
    f[bundle::kExportReceipt] = Record(text, tree_size);
    std::string& info = f[bundle::kBagInfoTxt];
    info.erase(info.find("Payload-Oxum: "));
    info += "Payload-Oxum: " + std::to_string(octets) + "." + std::to_string(data.size()) + "\n";
    Rehash(f);
  }

  // Appends EXPORT_CREATED for `manifest_text` and returns the receipt
  // (export-bundle.md §6), as the exporter does.
  std::string Record(const std::string& manifest_text, uint64_t tree_size) {
    const Hash digest = Sha256::Digest(manifest_text);
    Event ev;
    ev.kind = EventKind::kExportCreated;
    ev.event_id = "export-" + digest.Hex().substr(0, 32);
    ev.action = "export";
    ev.occurred_at_us = 1'750'000'000'000'000ull;
    ev.actor = {"user", "auditor@example.com", "test", ""};
    ev.subject = "export/" + ev.event_id;
    ev.target_type = "export";
    ev.payload_digest = digest;
    auto batch = Appender(seq_, *store_)(
                     ev, store::Payload{digest, ToBytes(manifest_text), "application/json"})
                     .value();
    const uint64_t index = batch.first_index, size = batch.checkpoint.size;
    auto line = [](const Result<std::string>& s) { return nlohmann::json::parse(s.value()); };
    return bundle::CanonicalJson(
               {{"checkpoint", batch.checkpoint_note},
                {"consistency", line(bundle::FormatConsistencyLine(
                                    {tree_size, size,
                                     store_->ConsistencyProof(tree_size, size).value()}))},
                {"entry", line(bundle::FormatEntryLine(batch.leaves[0]))},
                {"inclusion", line(bundle::FormatInclusionLine(
                                  {index, size, store_->InclusionProof(index, size).value()}))}})
               .value() +
           "\n";
  }

  static std::string Failed(const bundle::VerifyReport& r) {
    std::string out;
    for (const auto& c : r.checks) {
      if (!c.ok) out += c.name + " (" + c.detail + ")\n";
    }
    return out;
  }
  static bool Fails(const bundle::VerifyReport& r, std::string_view check) {
    const auto* c = r.Find(check);
    return c != nullptr && !c->ok;
  }

  Sequencer seq_ = NewSequencer();
  std::unique_ptr<store::LogStore> store_;
};

}  // namespace ledger::testing
