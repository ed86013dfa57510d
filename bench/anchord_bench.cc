// anchord end to end (part of anchor_bench): BM_AnchordLatency/<block time>
// is one anchord cycle from "the log has a new head" to "the anchor is
// confirmed and its ANCHOR_CONFIRMED entry acknowledged": ledgerd's current
// checkpoint with the notary's statement signature and consistency proof,
// the checks (checkpoint signature, statement signer, consistency), the
// state file write, the simulated and sent transaction, the receipt, the
// confirmation (depth 1) and the stamped append through ledgerd. Real
// processes, as in tests/anchor/anchord: a notary (sim), ledgerd and anvil
// with automine (0) or `--block-time 1`; 10 new entries before each cycle
// (not timed).
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <memory>

#include "anchord/anchord.h"
#include "evm/registry_client.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/ledgerd/ledgerd_fixture.h"
#include "support/anvil.h"

namespace {

namespace evm = anchor::evm;
using ledger::ledgerd::testing::Deployment;
using ledger::ledgerd::testing::Process;

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "anchord_bench: %s\n", why.c_str());
  std::exit(1);
}
template <typename T>
T Check(ledger::Result<T> r) {
  if (!r.ok()) Fail(r.status().ToString());
  return std::move(r).value();
}

struct Stack {
  Deployment deployment;
  std::unique_ptr<Process> ledgerd;
  int port = 0;
  std::unique_ptr<ledger::testing::Anvil> anvil;
  std::unique_ptr<evm::rpc::Client> rpc;
  std::unique_ptr<evm::Payer> owner;
  std::unique_ptr<anchor::anchord::Anchord> anchord;
  uint64_t next = 0;

  explicit Stack(int block_time) {
    auto key = Check(ledger::Ed25519PrivateKey::Generate());
    auto signer = std::shared_ptr<const ledger::note::Signer>(
        ledger::note::NewEd25519Signer("anchord", std::move(key)));
    deployment.dir_prefix = "anchord-bench-" + std::to_string(block_time);
    deployment.manifest_extra = {
        "--chain-id",  "31337",
        "--registry",  "0x5fbdb2315678afecb367f032d93f642f64180aa3",
        "--submitter", "anchord=" + signer->VerifierKey() + ":ANCHOR_CONFIRMED",
        "--subjects",  "anchord=anchor/"};
    deployment.anchor_token = "anchord-token-of-the-bench";
    deployment.Create();
    if (deployment.vkey.empty()) Fail("the deployment did not come up");
    port = deployment.StartLedgerd(ledgerd, deployment.AnchorFlags());
    if (port == 0) Fail("ledgerd did not start");
    std::vector<std::string> args;
    if (block_time > 0) args = {"--block-time", std::to_string(block_time)};
    anvil = std::make_unique<ledger::testing::Anvil>(args);
    if (!anvil->ok()) Fail(anvil->error());
    rpc = Check(evm::rpc::Client::Create(anvil->url()));
    evm::PayerOptions po;
    po.poll_interval = std::chrono::milliseconds(block_time > 0 ? 100 : 5);
    owner = Check(evm::Payer::Create(*rpc, 31337, *ledger::HexDecode(ledger::testing::kAnvilKey0), po));
    evm::Address contract = Check(evm::registry::Deploy(*owner));
    auto j = nlohmann::json::parse(deployment.provision_out);
    evm::Address notary = Check(evm::AddressFromPublicKey(
        Check(ledger::HexDecode(j["registry_public_key"].get<std::string>()))));
    Check(evm::registry::Register(*owner, contract,
                                  evm::registry::LogIdForOrigin(deployment.origin), notary));
    anchor::anchord::AnchordOptions o;
    o.ledgerd_url = "http://127.0.0.1:" + std::to_string(port);
    o.ledgerd_token = "anchord:" + deployment.anchor_token;
    o.rpc_url = anvil->url();
    o.chain_id = 31337;
    o.contract = contract;
    o.log_vkey = deployment.vkey;
    o.payer_key = *ledger::HexDecode(ledger::testing::kAnvilKey1);
    o.submitter = signer;
    o.state_file = deployment.P("anchord.state");
    o.every = std::chrono::milliseconds(0);
    o.payer = po;
    anchord = Check(anchor::anchord::Anchord::Create(std::move(o)));
  }
  ~Stack() {
    anchord.reset();
    ledgerd.reset();
    anvil.reset();
    deployment.Destroy();
  }

  void Append(int n) {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Post("/v1/entries",
                    deployment.StampedBatch("bench-" + std::to_string(next++) + "-", n).dump(),
                    "application/json");
    if (!r || r->status != 200) Fail("append failed");
  }
};

void BM_AnchordLatency(benchmark::State& state) {
  Stack stack(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    stack.Append(10);
    state.ResumeTiming();
    auto step = stack.anchord->Step();
    if (!step.ok() || *step != anchor::anchord::StepOutcome::kAnchored) {
      Fail("no anchor: " + (step.ok() ? std::string("idle") : step.status().ToString()));
    }
  }
  state.counters["anchors_recorded"] =
      static_cast<double>(stack.anchord->stats().anchors_recorded.load());
}
BENCHMARK(BM_AnchordLatency)->Arg(0)->Iterations(20)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AnchordLatency)->Arg(1)->Iterations(5)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
