// The ledger's own rates: appends (sequence + sign + one synced RocksDB write
// per batch), proof generation from the store (verified before it is handed
// out) and verification, checkpoint signing and verification.
#include <benchmark/benchmark.h>

#include <memory>

#include "bench_util.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/checkpoint.h"
#include "ledger/sequencer/sequencer.h"
#include "ledger/store/log_store.h"

namespace ledger::bench {
namespace {

constexpr char kOrigin[] = "bench.example/log";

Ed25519PrivateKey Key() { return Ed25519PrivateKey::FromSeed(Bytes(32, 7)).value(); }

uint64_t Clock() {
  static uint64_t t = 1'700'000'000'000'000ull;
  return ++t;
}

struct Log {
  std::filesystem::path dir;
  std::unique_ptr<store::LogStore> store;
  std::unique_ptr<Sequencer> seq;
  uint64_t next = 0;

  explicit Log(const std::string& name) : dir(ScratchDir(name)) {
    seq = std::make_unique<Sequencer>(
        Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, Key()), {}, Clock).value());
    store::RocksDbOptions o;
    o.create_if_missing = true;
    auto kv = store::OpenRocksDb(dir.string(), o).value();
    std::shared_ptr<const note::Verifier> v(note::NewEd25519Verifier(kOrigin, Key().public_key()));
    store = store::LogStore::Create(std::move(kv), seq->head().checkpoint_note, v).value();
  }
  ~Log() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  void Append(size_t n) {
    std::vector<SubmittedEvent> events;
    events.reserve(n);
    for (size_t i = 0; i < n; ++i) events.push_back({Event256(next++), {}});
    auto b = seq->Sequence(seq->head().size(), seq->head().range.Root(), events).value();
    if (!store->Append(b).ok()) std::abort();
  }
};

void BM_LedgerAppendSynced(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  Log log("append");
  for (auto _ : state) log.Append(batch);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch * kEventBytes));
}
BENCHMARK(BM_LedgerAppendSynced)->Arg(1)->Arg(100)->Arg(1000)->UseRealTime()->MinTime(2.0);

// A log of 2^17 + 1234 entries shared by the proof benchmarks.
Log& ProofLog() {
  static Log* log = [] {
    auto* l = new Log("proofs");
    for (int i = 0; i < 132; ++i) l->Append(1000);
    return l;
  }();
  return *log;
}

void BM_InclusionProofFromStore(benchmark::State& state) {
  auto& log = ProofLog();
  const uint64_t size = log.store->size();
  uint64_t i = 0;
  for (auto _ : state) {
    auto p = log.store->InclusionProof((i += 7919) % size, size);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionProofFromStore)->UseRealTime();

void BM_ConsistencyProofFromStore(benchmark::State& state) {
  auto& log = ProofLog();
  const uint64_t size = log.store->size();
  uint64_t i = 0;
  for (auto _ : state) {
    auto p = log.store->ConsistencyProof(1 + (i += 7919) % (size - 1), size);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConsistencyProofFromStore)->UseRealTime();

void BM_InclusionProofVerify(benchmark::State& state) {
  auto& log = ProofLog();
  const uint64_t size = log.store->size();
  auto leaf = log.store->GetLeaf(size / 3).value();
  Hash root = log.store->latest().checkpoint.root;
  for (auto _ : state) {
    auto s = merkle::VerifyInclusion(leaf.index, size, leaf.leaf_hash, leaf.proof, root);
    if (!s.ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionProofVerify);

void BM_ConsistencyProofVerify(benchmark::State& state) {
  auto& log = ProofLog();
  const uint64_t size = log.store->size(), old = size / 3 + 5;
  auto proof = log.store->ConsistencyProof(old, size).value();
  Hash r1 = log.store->RootAt(old).value(), r2 = log.store->latest().checkpoint.root;
  for (auto _ : state) {
    if (!merkle::VerifyConsistency(old, size, proof, r1, r2).ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConsistencyProofVerify);

void BM_CheckpointSign(benchmark::State& state) {
  auto signer = note::NewEd25519Signer(kOrigin, Key());
  Checkpoint cp{kOrigin, 123456789, Sha256::Digest("root"), {}};
  for (auto _ : state) {
    cp.size++;
    benchmark::DoNotOptimize(SignCheckpoint(cp, *signer));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckpointSign);

void BM_CheckpointVerify(benchmark::State& state) {
  auto signer = note::NewEd25519Signer(kOrigin, Key());
  auto verifier = note::NewEd25519Verifier(kOrigin, Key().public_key());
  std::string note =
      SignCheckpoint(Checkpoint{kOrigin, 123456789, Sha256::Digest("root"), {}}, *signer).value();
  for (auto _ : state) {
    if (!VerifyCheckpoint(note, *verifier).ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckpointVerify);

}  // namespace
}  // namespace ledger::bench
