// Export and verify-bundle throughput (entries per second) over a log of
// LEDGER_EXPORT_BENCH_ENTRIES entries (default 1,000,000, the issue's
// figure), next to SHA-256 over the same bundle bytes measured in the
// same run: the ratio says how far the exporter and the verifier are from
// the cost of merely hashing what they produce or read.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>

#include "bench_util.h"
#include "ledger/bundle/verify.h"
#include "ledger/export/export.h"
#include "ledger/sequencer/sequencer.h"
#include "ledger/store/log_store.h"

namespace ledger::bench {
namespace {

constexpr char kOrigin[] = "bench.example/export";

Ed25519PrivateKey Key() { return Ed25519PrivateKey::FromSeed(Bytes(32, 9)).value(); }

std::shared_ptr<const note::Verifier> Verifier() {
  return std::shared_ptr<const note::Verifier>(
      note::NewEd25519Verifier(kOrigin, Key().public_key()));
}

uint64_t Entries() {
  const char* env = std::getenv("LEDGER_EXPORT_BENCH_ENTRIES");
  return env ? std::strtoull(env, nullptr, 10) : 1'000'000;
}

// One RocksDB log for the whole run, filled in batches of 10,000 (one
// checkpoint each, as a busy ledgerd would produce them).
struct BenchLog {
  std::filesystem::path dir = ScratchDir("export");
  std::unique_ptr<Sequencer> seq;
  std::unique_ptr<store::LogStore> store;
  uint64_t entries = Entries();

  BenchLog() {
    static uint64_t t = 1'700'000'000'000'000ull;
    seq = std::make_unique<Sequencer>(
        Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, Key()), {}, [] { return ++t; })
            .value());
    store::RocksDbOptions o;
    o.create_if_missing = true;
    o.sync = false;  // filling the fixture is not what is measured
    store = store::LogStore::Create(store::OpenRocksDb(dir.string(), o).value(),
                                    seq->head().checkpoint_note, Verifier())
                .value();
    for (uint64_t next = 0; next < entries;) {
      std::vector<SubmittedEvent> events;
      for (uint64_t k = 0; k < 10'000 && next < entries; ++k) events.push_back({Event256(next++), {}});
      auto b = seq->Sequence(seq->head().size(), seq->head().range.Root(), events).value();
      if (!store->Append(b).ok()) std::abort();
    }
  }
  ~BenchLog() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  exporter::ExportRequest Request() const {
    exporter::ExportRequest r;
    r.from_us = 0;
    r.requester = "bench";
    r.log_vkey = Verifier()->VerifierKey();
    r.created_at_us = 1'750'000'000'000'000ull;
    r.software_version = "export_bench";
    return r;
  }
  Result<bundle::Files> Export(bool filtered = false) {
    auto append = [this](const Event& e, const store::Payload& p) -> Result<SequencedBatch> {
      ASSIGN_OR_RETURN(Bytes bytes, EncodeEvent(e));
      std::vector<SubmittedEvent> events = {{bytes, {}}};
      ASSIGN_OR_RETURN(SequencedBatch b,
                       seq->Sequence(seq->head().size(), seq->head().range.Root(), events));
      std::vector<store::Payload> payloads = {p};
      RETURN_IF_ERROR(store->Append(b, payloads));
      return b;
    };
    // Only the first `entries` leaves: earlier runs' EXPORT_CREATED entries
    // come after them.
    auto r = Request();
    if (filtered) {
      // 100 of the 1000 subjects: a tenth of the entries in full, every leaf
      // hash of the range in range.jsonl (export-bundle.md §3.1).
      for (int k = 0; k < 100; ++k) r.subjects.push_back("key/k-" + std::to_string(k));
    }
    return exporter::CreateExport(*store, r, append);
  }
};

BenchLog& Log() {
  static auto* log = new BenchLog();
  return *log;
}

uint64_t BundleBytes(const bundle::Files& f) {
  uint64_t n = 0;
  for (const auto& [p, c] : f) n += c.size();
  return n;
}

void BM_Export(benchmark::State& state) {
  BenchLog& log = Log();
  uint64_t bytes = 0, entries = 0;
  for (auto _ : state) {
    auto f = log.Export();
    if (!f.ok()) state.SkipWithError(f.status().ToString().c_str());
    bytes = BundleBytes(*f);
    entries = nlohmann::json::parse((*f)[bundle::kExportManifest])["counts"]["entries"];
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(entries));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}

void BM_VerifyBundle(benchmark::State& state) {
  auto f = Log().Export().value();
  const int64_t entries = nlohmann::json::parse(f[bundle::kExportManifest])["counts"]["entries"];
  bundle::VerifyOptions o;
  o.log_key = Verifier();
  for (auto _ : state) {
    auto report = bundle::VerifyBundle(f, o);
    if (!report.ok()) state.SkipWithError("bundle does not verify");
  }
  state.SetItemsProcessed(state.iterations() * entries);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(BundleBytes(f)));
}

// The baseline: one SHA-256 pass over every byte of the same bundle.
void BM_Sha256OverBundleBytes(benchmark::State& state) {
  auto f = Log().Export().value();
  const int64_t entries = nlohmann::json::parse(f[bundle::kExportManifest])["counts"]["entries"];
  for (auto _ : state) {
    for (const auto& [p, c] : f) benchmark::DoNotOptimize(Sha256::Digest(c));
  }
  state.SetItemsProcessed(state.iterations() * entries);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(BundleBytes(f)));
}

// A filtered export walks and hashes-in the whole range but writes a tenth of
// the entries; items are the entries of the range.
void BM_ExportFiltered(benchmark::State& state) {
  BenchLog& log = Log();
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto f = log.Export(true);
    if (!f.ok()) state.SkipWithError(f.status().ToString().c_str());
    bytes = BundleBytes(*f);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(log.entries));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}

void BM_VerifyFilteredBundle(benchmark::State& state) {
  auto f = Log().Export(true).value();
  bundle::VerifyOptions o;
  o.log_key = Verifier();
  for (auto _ : state) {
    auto report = bundle::VerifyBundle(f, o);
    if (!report.ok()) state.SkipWithError("bundle does not verify");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(Log().entries));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(BundleBytes(f)));
}

BENCHMARK(BM_Export)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_VerifyBundle)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Sha256OverBundleBytes)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ExportFiltered)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_VerifyFilteredBundle)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace ledger::bench
