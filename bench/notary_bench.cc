// Appends per second through the notary socket: the real enclave state
// machine serving frames on one end of a Unix stream socket pair (in a
// thread, as the notary process would), ledger::notary_client on the other.
// Batches of 1, 100 and 1000 events of about 256 bytes, with and without
// per-event stamps, next to the raw signature verify rates measured in the
// same run (each stamped event costs one Ed25519 verify in the notary), and
// stamped batches of 1000 with 1, 2, ... verification threads
// (--verify-threads, notary/verify_pool.h) against raw verify x threads.
#include <benchmark/benchmark.h>

#include <sys/socket.h>
#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>
#include <unistd.h>

#include "../tests/notary-enclave/notary_test_util.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/crypto/p256.h"
#include "ledger/merkle/merkle.h"
#include "ledger/notary_client/notary_client.h"
#include "notary/enclave.h"
#include "notary/serve.h"
#include "notary/verify_pool.h"
#include "platform/sim_platform.h"

namespace {

using notary::testing::Ceremony;

constexpr size_t kEventPad = 200;  // with the other fields: 256-byte events

// A provisioned, serving notary behind a socket pair.
struct Rig {
  notary::VerifyPool pool;
  std::unique_ptr<notary::SimPlatform> platform;
  std::unique_ptr<notary::Enclave> enclave;
  std::unique_ptr<ledger::notary_client::NotaryClient> client;
  std::thread server;
  Ceremony ceremony;
  uint64_t size = 0;
  ledger::Hash root;
  uint64_t next_event = 0;

  explicit Rig(bool stamped, size_t verify_threads = 1)
      : pool(verify_threads),
        ceremony(Ceremony::Make("bench.example/notary", ledger::Bytes(48, 0x5a))) {
    if (!stamped) {
      ceremony.manifest.submitters.clear();
      ceremony.manifest_bytes = ledger::EncodeManifest(ceremony.manifest).value();
      ceremony.digest = ledger::ManifestDigest(ceremony.manifest_bytes);
    }
    platform = notary::SimPlatform::InProcess(ledger::CreateDevPki().value(), ceremony.pcr0);
    notary::EnclaveOptions options;
    options.sequencer.parallel_for = [this](size_t n, const std::function<void(size_t)>& body) {
      pool.ParallelFor(n, body);
    };
    enclave = notary::Enclave::Boot(*platform, std::move(options)).value();
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::abort();
    server = std::thread([this, fd = fds[0]] {
      (void)notary::ServeConnection(fd, *enclave, [](std::string_view) {});
      ::close(fd);
    });
    client = std::make_unique<ledger::notary_client::NotaryClient>(fds[1]);
    auto key = enclave->ephemeral_public_key().view();
    auto shares = ceremony.SharesFor(key, 2, ceremony.digest);
    if (!client->Provision(ceremony.manifest_bytes, ceremony.Approvals(2), shares).ok()) std::abort();
    auto boot = client->Genesis();
    if (!boot.ok()) std::abort();
    Advance((*boot)->batch);
  }
  ~Rig() {
    client.reset();  // closes the socket: the server loop ends
    server.join();
  }
  void Advance(const ledger::SequencedBatch& b) {
    size = b.checkpoint.size;
    root = b.checkpoint.root;
  }
  std::vector<ledger::SubmittedEvent> Batch(size_t n, bool stamped) {
    std::vector<ledger::SubmittedEvent> out;
    for (size_t i = 0; i < n; ++i, ++next_event) {
      out.push_back(stamped ? ceremony.Stamped(next_event, kEventPad)
                            : ledger::SubmittedEvent{Ceremony::EventBytes(next_event, kEventPad), {}});
    }
    return out;
  }
};

void BM_NotarySocketAppend(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const bool stamped = state.range(1) != 0;
  Rig rig(stamped);
  for (auto _ : state) {
    state.PauseTiming();
    auto events = rig.Batch(n, stamped);  // stamping is the submitter's cost, not the notary's
    state.ResumeTiming();
    auto r = rig.client->Append(rig.size, rig.root, events);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    rig.Advance(r->batch);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
  state.counters["event_bytes"] = static_cast<double>(Ceremony::EventBytes(0, kEventPad).size());
}
BENCHMARK(BM_NotarySocketAppend)
    ->ArgsProduct({{1, 100, 1000}, {0, 1}})
    ->ArgNames({"batch", "stamped"})
    ->UseRealTime();

// Ed25519 verifies per second on one core, measured here so that the
// threads benchmark can report its ratio to raw verify x threads.
double RawEd25519VerifyRate() {
  auto key = ledger::Ed25519PrivateKey::Generate().value();
  ledger::Bytes msg(256, 0x42);
  auto sig = key.Sign(msg);
  const auto start = std::chrono::steady_clock::now();
  constexpr int kVerifies = 3000;
  for (int i = 0; i < kVerifies; ++i) benchmark::DoNotOptimize(key.public_key().Verify(msg, sig).ok());
  return kVerifies / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void BM_NotaryVerifyThreads(benchmark::State& state) {
  constexpr size_t kBatch = 1000;
  const size_t threads = static_cast<size_t>(state.range(0));
  Rig rig(true, threads);
  std::chrono::duration<double> appending{0};
  for (auto _ : state) {
    state.PauseTiming();
    auto events = rig.Batch(kBatch, true);
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    auto r = rig.client->Append(rig.size, rig.root, events);
    appending += std::chrono::steady_clock::now() - start;
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    rig.Advance(r->batch);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kBatch));
  const double rate = static_cast<double>(state.iterations() * kBatch) / appending.count();
  const double raw = RawEd25519VerifyRate();
  state.counters["threads"] = static_cast<double>(threads);
  state.counters["raw_ed25519_verify_per_sec"] = raw;
  state.counters["ratio_to_raw_verify_x_threads"] = rate / (raw * static_cast<double>(threads));
}
BENCHMARK(BM_NotaryVerifyThreads)
    ->DenseRange(1, std::max(2, static_cast<int>(std::thread::hardware_concurrency())))
    ->ArgName("threads")
    ->UseRealTime();

void BM_RawEd25519VerifySameRun(benchmark::State& state) {
  auto key = ledger::Ed25519PrivateKey::Generate().value();
  ledger::Bytes msg(256, 0x42);
  auto sig = key.Sign(msg);
  for (auto _ : state) benchmark::DoNotOptimize(key.public_key().Verify(msg, sig).ok());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawEd25519VerifySameRun);

void BM_RawP256VerifySameRun(benchmark::State& state) {
  auto key = ledger::P256PrivateKey::Generate().value();
  ledger::Bytes msg(256, 0x42);
  auto sig = key.Sign(msg).value();
  for (auto _ : state) benchmark::DoNotOptimize(key.public_key().Verify(msg, sig).ok());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawP256VerifySameRun);

}  // namespace
