// What the state map costs (schemas/formats/map.md): appends per second with
// and without it in the same run (the host planning proofs, the sequencer
// verifying them and moving its root, the store writing nodes and roots in
// the batch's one synced write), and, for maps of 10^6 and 10^7 subjects,
// proof size and verification time.
//
// The big maps are built in memory from sorted keys in one pass (map.md §3 is
// a function of the set, so any construction gives the same root); the
// proofs of a sample of subjects are collected during that pass and checked
// against the root before anything is measured.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>

#include "bench_util.h"
#include "ledger/record/stamp.h"
#include "ledger/record/state_map.h"
#include "ledger/sequencer/sequencer.h"
#include "ledger/store/log_store.h"

namespace ledger::bench {
namespace {

namespace sm = state_map;
constexpr char kOrigin[] = "bench.example/map-log";

Ed25519PrivateKey Key() { return Ed25519PrivateKey::FromSeed(Bytes(32, 9)).value(); }

uint64_t Clock() {
  static uint64_t t = 1'700'000'000'000'000ull;
  return ++t;
}

// 256-byte events naming `subjects` distinct subjects round robin; with
// `stamped`, each stamped by a submitter (Ed25519), as in production.
struct MapLog {
  std::filesystem::path dir;
  std::unique_ptr<store::LogStore> store;
  std::unique_ptr<Sequencer> seq;
  bool with_map;
  std::unique_ptr<note::Signer> submitter;
  uint64_t next = 0;

  MapLog(const std::string& name, bool map, bool stamped = false)
      : dir(ScratchDir(name)), with_map(map) {
    SequencerOptions so;
    so.state_map = map;
    SubmitterPolicy policy;
    if (stamped) {
      submitter = note::NewEd25519Signer("svc-bench", Ed25519PrivateKey::FromSeed(Bytes(32, 8)).value());
      policy.submitters.push_back(
          {std::shared_ptr<const note::Verifier>(note::ParseVerifierKey(submitter->VerifierKey()).value()),
           {}});
    }
    seq = std::make_unique<Sequencer>(
        Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, Key()), std::move(policy), Clock,
                           so)
            .value());
    store::RocksDbOptions o;
    o.create_if_missing = true;
    auto kv = store::OpenRocksDb(dir.string(), o).value();
    std::shared_ptr<const note::Verifier> v(note::NewEd25519Verifier(kOrigin, Key().public_key()));
    store::LogStoreOptions lo;
    lo.state_map = map;
    store = store::LogStore::Create(std::move(kv), seq->head().checkpoint_note, v, lo).value();
  }
  ~MapLog() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  // The next n events, stamped if the log is (the submitter's work, not the
  // ledger's: made outside the timed part).
  std::vector<SubmittedEvent> Events(size_t n) {
    std::vector<SubmittedEvent> events;
    events.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      Bytes ev = Event256(next + i);
      Bytes stamp = submitter ? MakeStamp(kOrigin, ev, *submitter).value() : Bytes();
      events.push_back({std::move(ev), std::move(stamp)});
    }
    return events;
  }
  void Append(const std::vector<SubmittedEvent>& events) {
    std::vector<sm::Proof> proofs, stamp_proofs;
    std::optional<store::MapUpdater> planner;
    if (with_map) planner.emplace(store->NewMapUpdater());
    for (const SubmittedEvent& e : events) {
      const uint64_t index = next++;
      if (planner) {
        // The host's part: decode, plan the proofs against the batch so far
        // (the stamp key's for a stamped event, map.md §5a, then the subject's).
        auto stamp = planner->ApplyStamp(e.event, e.stamp, index);
        if (!stamp.ok()) std::abort();
        stamp_proofs.push_back(*stamp ? std::move((*stamp)->proof) : sm::Proof());
        auto step = planner->Apply(DecodeEvent(e.event).value(), index);
        if (!step.ok()) std::abort();
        proofs.push_back(std::move(step->proof));
      }
    }
    auto b = seq->Sequence(seq->head().size(), seq->head().range.Root(), events, proofs,
                           stamp_proofs);
    if (!b.ok() || !store->Append(*b).ok()) std::abort();
  }
  void Append(size_t n) { Append(Events(n)); }
};

// Arg 0: batch size; arg 1: map on (1) or off (0). Event256 names 1000
// subjects, so after warm-up every update replaces a leaf in a 1000-leaf map.
void BM_AppendWithAndWithoutMap(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  MapLog log(state.range(1) ? "map-on" : "map-off", state.range(1) != 0);
  for (auto _ : state) log.Append(batch);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}
BENCHMARK(BM_AppendWithAndWithoutMap)
    ->ArgNames({"batch", "map"})
    ->Args({1, 0})->Args({1, 1})->Args({100, 0})->Args({100, 1})->Args({1000, 0})->Args({1000, 1})
    ->UseRealTime()->MinTime(2.0);

// The same with every event stamped (the stamp verified by the sequencer;
// with the map, each entry also sets its stamp key, map.md §5a: a second map
// update per entry, and the map grows by one key per entry). Stamping is
// the submitter's work and is not timed.
void BM_AppendStamped(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  MapLog log(state.range(1) ? "stamped-map-on" : "stamped-map-off", state.range(1) != 0, true);
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<SubmittedEvent> events = log.Events(batch);
    state.ResumeTiming();
    log.Append(events);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}
BENCHMARK(BM_AppendStamped)
    ->ArgNames({"batch", "map"})
    ->Args({100, 0})->Args({100, 1})->Args({1000, 0})->Args({1000, 1})
    ->UseRealTime()->MinTime(2.0);

// A map of n subjects with proofs of kSamples of them.
constexpr size_t kSamples = 4096;
struct BigMap {
  Hash root;
  std::vector<Hash> sample_keys;
  std::vector<sm::Proof> proofs;
};

struct Builder {
  const std::vector<Hash>& keys;  // sorted
  const std::vector<size_t>& samples;  // sorted positions in keys
  std::vector<std::vector<std::pair<size_t, Hash>>> siblings;  // per sample: (depth, hash)

  static sm::Value ValueOf(const Hash& key) {
    return sm::Value{LoadU64BE(key.bytes.data()) >> 20, 1, key};
  }
  // Samples whose position is in [lo, hi): indices into `samples`.
  std::pair<size_t, size_t> SamplesIn(size_t lo, size_t hi) const {
    auto a = std::lower_bound(samples.begin(), samples.end(), lo);
    auto b = std::lower_bound(a, samples.end(), hi);
    return {static_cast<size_t>(a - samples.begin()), static_cast<size_t>(b - samples.begin())};
  }
  // map.md §3 over keys[lo, hi) at `depth`.
  Hash Build(size_t lo, size_t hi, size_t depth) {
    if (lo == hi) return sm::EmptyHash();
    if (hi - lo == 1) return sm::LeafHash(keys[lo], ValueOf(keys[lo]));
    const size_t mid = static_cast<size_t>(
        std::partition_point(keys.begin() + static_cast<std::ptrdiff_t>(lo),
                             keys.begin() + static_cast<std::ptrdiff_t>(hi),
                             [&](const Hash& k) { return !sm::KeyBit(k, depth); }) -
        keys.begin());
    const Hash left = Build(lo, mid, depth + 1), right = Build(mid, hi, depth + 1);
    const auto [a, b] = SamplesIn(lo, hi);
    for (size_t s = a; s < b; ++s) {
      siblings[s].emplace_back(depth, samples[s] < mid ? right : left);
    }
    return sm::NodeHash(left, right);
  }
};

BigMap MakeBigMap(size_t n) {
  std::vector<Hash> keys(n);
  for (size_t i = 0; i < n; ++i) keys[i] = sm::KeyOf("key/k-" + std::to_string(i));
  std::sort(keys.begin(), keys.end());
  std::vector<size_t> samples;
  for (size_t s = 0; s < kSamples; ++s) samples.push_back(s * (n / kSamples));
  Builder b{keys, samples, std::vector<std::vector<std::pair<size_t, Hash>>>(kSamples)};
  BigMap m;
  m.root = b.Build(0, n, 0);
  for (size_t s = 0; s < kSamples; ++s) {
    sm::Proof p;
    std::sort(b.siblings[s].begin(), b.siblings[s].end());
    for (const auto& [depth, h] : b.siblings[s]) p.siblings.push_back(h);
    p.leaf = sm::Proof::Leaf{keys[samples[s]], Builder::ValueOf(keys[samples[s]])};
    // Every sample's proof must verify before anything is measured.
    auto v = sm::VerifyProof(m.root, keys[samples[s]], p);
    if (!v.ok() || !v->has_value()) std::abort();
    m.sample_keys.push_back(keys[samples[s]]);
    m.proofs.push_back(std::move(p));
  }
  return m;
}

const BigMap& Map(size_t n) {
  static std::map<size_t, std::unique_ptr<BigMap>> cache;
  auto& slot = cache[n];
  if (!slot) slot = std::make_unique<BigMap>(MakeBigMap(n));
  return *slot;
}

void BM_MapProofVerify(benchmark::State& state) {
  const BigMap& m = Map(static_cast<size_t>(state.range(0)));
  size_t bytes = 0, depth = 0, i = 0;
  for (const auto& p : m.proofs) {
    bytes += p.Encode().size();
    depth += p.siblings.size();
  }
  for (auto _ : state) {
    const size_t s = i++ % m.proofs.size();
    auto v = sm::VerifyProof(m.root, m.sample_keys[s], m.proofs[s]);
    if (!v.ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["proof_bytes"] = static_cast<double>(bytes) / static_cast<double>(m.proofs.size());
  state.counters["depth"] = static_cast<double>(depth) / static_cast<double>(m.proofs.size());
}
BENCHMARK(BM_MapProofVerify)->ArgName("subjects")->Arg(1'000'000)->Arg(10'000'000);

// The notary's per-entry work: verify a proof and compute the new root.
void BM_MapApplyUpdate(benchmark::State& state) {
  const BigMap& m = Map(static_cast<size_t>(state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    const size_t s = i++ % m.proofs.size();
    sm::Value v = m.proofs[s].leaf->value;
    v.version++;
    auto r = sm::ApplyUpdate(m.root, m.sample_keys[s], m.proofs[s], v);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MapApplyUpdate)->ArgName("subjects")->Arg(1'000'000)->Arg(10'000'000);

}  // namespace
}  // namespace ledger::bench
