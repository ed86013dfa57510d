// Anchoring to an AnchorRegistry on a real anvil (started by the benchmark
// on a free port, from .deps/npm — run ops/setup first):
//  - BM_GasPerAnchor/<size>: gas of the first anchor of a log (empty proof)
//    and of the next one, whose RFC 9162 consistency proof from 0.6 * size
//    to size has ~log2(size) hashes, for sizes 10^3 ... 10^9. The tree has
//    identical leaves, so every node of a level has one hash and proofs for
//    10^9 leaves cost nothing to build; the contract's work (and gas)
//    depends only on the proof's length.
//  - BM_AnchorLatency/<block time>: sign, submit, wait for the receipt
//    (confirmation depth 1), with automine (0) and `--block-time 1`.
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <memory>

#include "evm/keccak.h"
#include "evm/registry_client.h"
#include "evm/signing.h"
#include "ledger/merkle/merkle.h"
#include "support/anvil.h"

namespace {

using anchor::evm::Address;
using anchor::evm::Bytes;
using anchor::evm::Hash;
namespace evm = anchor::evm;
namespace registry = anchor::evm::registry;

// One anvil, payer and registry per block time, kept across benchmarks.
struct Chain {
  std::unique_ptr<ledger::testing::Anvil> anvil;
  std::unique_ptr<evm::rpc::Client> rpc;
  std::unique_ptr<evm::Payer> payer;
  Address contract;
  Bytes notary_key;
  uint64_t next_log = 0;

  static Chain& For(int block_time) {
    static std::map<int, std::unique_ptr<Chain>> chains;
    auto& c = chains[block_time];
    if (!c) c = std::make_unique<Chain>(block_time);
    return *c;
  }

  explicit Chain(int block_time) {
    std::vector<std::string> args;
    if (block_time > 0) args = {"--block-time", std::to_string(block_time)};
    anvil = std::make_unique<ledger::testing::Anvil>(args);
    if (!anvil->ok()) Fail(anvil->error());
    rpc = Check(evm::rpc::Client::Create(anvil->url()));
    evm::PayerOptions options;
    options.poll_interval = std::chrono::milliseconds(block_time > 0 ? 100 : 5);
    payer = Check(evm::Payer::Create(*rpc, 31337, *ledger::HexDecode(ledger::testing::kAnvilKey0),
                                     options));
    contract = Check(registry::Deploy(*payer));
    Hash k = evm::Keccak256::Digest("bench notary");
    notary_key.assign(k.bytes.begin(), k.bytes.end());
  }

  Hash NewLog() {
    Hash id = registry::LogIdForOrigin("bench.example/log/" + std::to_string(next_log++));
    Check(registry::Register(*payer, contract, id, Check(evm::AddressFromSecretKey(notary_key))));
    return id;
  }

  registry::Anchoring Anchor(const registry::Statement& s, const std::vector<Hash>& proof) {
    auto sig = Check(evm::SignDigest(notary_key, registry::StatementDigest({31337, contract}, s)));
    auto rsv = sig.Rsv();
    return Check(registry::Anchor(*payer, contract, s, proof, rsv));
  }

  [[noreturn]] static void Fail(const std::string& why) {
    std::fprintf(stderr, "anchor_bench: %s\n", why.c_str());
    std::exit(1);
  }
  template <typename T>
  static T Check(ledger::Result<T> r) {
    if (!r.ok()) Fail(r.status().ToString());
    return std::move(r).value();
  }
};

// Every perfect subtree of a level has the same hash in a tree of equal leaves.
ledger::Result<Hash> EqualLeaves(uint32_t level, uint64_t /*index*/) {
  Hash h = ledger::merkle::LeafHash(ledger::AsBytes("leaf"));
  for (uint32_t i = 0; i < level; ++i) h = ledger::merkle::NodeHash(h, h);
  return h;
}

Hash RootOf(uint64_t size) { return *ledger::merkle::RangeHash(0, size, EqualLeaves); }

void BM_GasPerAnchor(benchmark::State& state) {
  Chain& chain = Chain::For(0);
  const uint64_t size = static_cast<uint64_t>(std::pow(10.0, static_cast<double>(state.range(0))));
  const uint64_t first = size / 5 * 3 + 1;
  double gas_first = 0, gas_next = 0, proof_hashes = 0;
  for (auto _ : state) {
    Hash log = chain.NewLog();
    auto a = chain.Anchor({log, first, RootOf(first), {}}, {});
    auto proof = *ledger::merkle::ConsistencyProof(first, size, EqualLeaves);
    auto b = chain.Anchor({log, size, RootOf(size), {}}, proof);
    gas_first = static_cast<double>(a.receipt.gas_used);
    gas_next = static_cast<double>(b.receipt.gas_used);
    proof_hashes = static_cast<double>(proof.size());
  }
  state.counters["gas_first_anchor"] = gas_first;
  state.counters["gas_next_anchor"] = gas_next;
  state.counters["proof_hashes"] = proof_hashes;
}
BENCHMARK(BM_GasPerAnchor)->DenseRange(3, 9)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_AnchorLatency(benchmark::State& state) {
  Chain& chain = Chain::For(static_cast<int>(state.range(0)));
  Hash log = chain.NewLog();
  uint64_t size = 0;
  for (auto _ : state) {
    const uint64_t next = size + 1000;
    auto proof = size == 0 ? std::vector<Hash>{}
                           : *ledger::merkle::ConsistencyProof(size, next, EqualLeaves);
    chain.Anchor({log, next, RootOf(next), {}}, proof);
    size = next;
  }
}
BENCHMARK(BM_AnchorLatency)->Arg(0)->Iterations(20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AnchorLatency)->Arg(1)->Iterations(5)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
