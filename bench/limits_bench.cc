// The machine's own limits, measured in the same run as the ledger: raw
// RocksDB synced WriteBatches carrying the same bytes as a ledger batch (the
// leaves plus their level-0 tile hashes), and raw OpenSSL Ed25519 and SHA-256.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include "bench_util.h"
#include "ledger/base/bytes.h"
#include "ledger/crypto/ed25519.h"
#include "raw_rocksdb.h"

namespace ledger::bench {
namespace {

void BM_RawRocksDbSyncedBatch(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  RawSyncedWriter writer(ScratchDir("raw"));
  if (!writer.ok()) std::abort();
  for (auto _ : state) {
    if (!writer.Write(batch)) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}
BENCHMARK(BM_RawRocksDbSyncedBatch)->Arg(1)->Arg(100)->Arg(1000)->UseRealTime()->MinTime(2.0);

void BM_RawEd25519Sign(benchmark::State& state) {
  auto key = Ed25519PrivateKey::FromSeed(Bytes(32, 1)).value();
  Bytes msg(120, 'm');
  for (auto _ : state) benchmark::DoNotOptimize(key.Sign(msg));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawEd25519Sign);

void BM_RawEd25519Verify(benchmark::State& state) {
  auto key = Ed25519PrivateKey::FromSeed(Bytes(32, 1)).value();
  Bytes msg(120, 'm');
  Bytes sig = key.Sign(msg);
  for (auto _ : state) {
    if (!key.public_key().Verify(msg, sig).ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawEd25519Verify);

void BM_RawSha256NodeHash(benchmark::State& state) {
  uint8_t in[65] = {1};
  uint8_t out[32];
  unsigned int len = 0;
  for (auto _ : state) {
    EVP_Digest(in, sizeof(in), out, &len, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawSha256NodeHash);

}  // namespace
}  // namespace ledger::bench
