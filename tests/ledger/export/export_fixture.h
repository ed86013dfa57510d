// A log in memory (real sequencer, real LogStore on MemoryKv) to export from,
// and helpers to tamper with a bundle the way a forger would: change a file
// and then recompute the bag manifests so the package hashes still match.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "../store/test_log.h"
#include "ledger/bundle/bundle.h"
#include "ledger/bundle/verify.h"
#include "ledger/export/export.h"
#include "ledger/leaf.h"
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
      ASSIGN_OR_RETURN(SequencedBatch b,
                       seq.Sequence(seq.head().size(), seq.head().range.Root(), events));
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
