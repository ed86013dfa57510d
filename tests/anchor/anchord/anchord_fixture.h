// anchord end to end: a real notary (sim) and ledgerd (tests/ledger/ledgerd
// fixture) whose manifest names the registry, a real anvil with the
// AnchorRegistry deployed and the log registered to the notary's registry
// key, and anchord's own submitter key in the manifest's policy
// (ANCHOR_CONFIRMED only) and its token for ledgerd's statement route
// (--anchor-tokens).
#pragma once

#include <httplib.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "../../ledger/ledgerd/ledgerd_fixture.h"
#include "anchord/anchor_record.h"
#include "anchord/anchord.h"
#include "evm/registry_client.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/tlog_proof.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "support/anvil.h"

namespace anchor::anchord::testing {

using ledger::ledgerd::testing::Deployment;
using ledger::ledgerd::testing::Process;
using ledger::ledgerd::testing::Slurp;

constexpr uint64_t kChainId = 31337;
// The first contract anvil's account 0 deploys (CREATE from nonce 0): the
// manifest names it before the chain exists, as ops/local does.
constexpr char kRegistryAddress[] = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
constexpr char kAnchordToken[] = "anchord-token-of-the-test";

class AnchordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = ledger::Ed25519PrivateKey::Generate();
    ASSERT_TRUE(key.ok());
    seed_hex_ = ledger::HexEncode(key->ExportSeed());
    auto signer = ledger::note::NewEd25519Signer("anchord", std::move(*key));
    deployment_.dir_prefix = "anchord-test-" + std::string(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    deployment_.witness_count = deployment_.witness_quorum = Witnesses();
    deployment_.manifest_extra = {
        "--chain-id",  std::to_string(kChainId),
        "--registry",  kRegistryAddress,
        "--submitter", "anchord=" + signer->VerifierKey() + ":ANCHOR_CONFIRMED",
        "--subjects",  "anchord=anchor/"};
    deployment_.anchor_token = kAnchordToken;
    deployment_.Create();
    ASSERT_FALSE(HasFatalFailure());
    {
      std::ofstream(deployment_.P("anchord.key")) << "anchord\ned25519\n" << seed_hex_ << "\n";
      std::ofstream(deployment_.P("payer.key")) << ledger::testing::kAnvilKey1 << "\n";
      std::ofstream(deployment_.P("log.vkey.pin")) << deployment_.vkey << "\n";
    }
    ::chmod(deployment_.P("anchord.key").c_str(), 0600);
    ::chmod(deployment_.P("payer.key").c_str(), 0600);
    submitter_ = std::move(signer);
    port_ = StartLedgerd();
    ASSERT_GT(port_, 0) << Slurp(deployment_.P("ledgerd.log"));
    // With witnesses, ledgerd serves once the quorum confirmed the notary's head.
    bool serving = false;
    for (int i = 0; i < 200 && !serving; ++i) {
      auto h = Ledgerd().Get("/healthz");
      serving = h && h->status == 200;
      if (!serving) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(serving) << Slurp(deployment_.P("ledgerd.log"));
    StartChain({});
  }

  // ledgerd with the witnesses and anchord's token file; its port.
  int StartLedgerd(std::vector<std::string> extra = {}) {
    std::vector<std::string> flags = deployment_.WitnessFlags();
    const auto anchor = deployment_.AnchorFlags();
    flags.insert(flags.end(), anchor.begin(), anchor.end());
    flags.insert(flags.end(), extra.begin(), extra.end());
    return deployment_.StartLedgerd(ledgerd_, flags);
  }

  // anchord's flags for ledgerd, the chain, its keys and state (the binary).
  std::vector<std::string> AnchordFlags() const {
    return {ANCHORD_BIN, "--ledgerd", LedgerdUrl(), "--ledgerd-token-file",
            deployment_.P("anchord.token"), "--rpc", anvil_->url(), "--chain-id",
            std::to_string(kChainId), "--contract", contract_.Hex(), "--log-vkey",
            deployment_.P("log.vkey.pin"), "--payer-key", deployment_.P("payer.key"),
            "--submitter-key", deployment_.P("anchord.key"), "--state",
            deployment_.P("anchord.state")};
  }

  // Witnesses in the manifest (all required); 0 by default.
  virtual int Witnesses() const { return 0; }

  void TearDown() override {
    ledgerd_.reset();
    anvil_.reset();
    deployment_.Destroy();
  }

  // anvil, the registry deployed by account 0, the log registered.
  void StartChain(std::vector<std::string> anvil_args) {
    anvil_ = std::make_unique<ledger::testing::Anvil>(std::move(anvil_args));
    ASSERT_TRUE(anvil_->ok()) << anvil_->error();
    auto rpc = evm::rpc::Client::Create(anvil_->url());
    ASSERT_TRUE(rpc.ok());
    rpc_ = std::move(rpc).value();
    auto owner = evm::Payer::Create(*rpc_, kChainId, *ledger::HexDecode(ledger::testing::kAnvilKey0));
    ASSERT_TRUE(owner.ok()) << owner.status();
    owner_ = std::move(owner).value();
    auto contract = evm::registry::Deploy(*owner_);
    ASSERT_TRUE(contract.ok()) << contract.status();
    ASSERT_EQ(contract->Hex(), kRegistryAddress);
    contract_ = *contract;
    auto j = nlohmann::json::parse(deployment_.provision_out, nullptr, false);
    auto pub = ledger::HexDecode(j.value("registry_public_key", ""));
    ASSERT_TRUE(pub.ok());
    auto notary = evm::AddressFromPublicKey(*pub);
    ASSERT_TRUE(notary.ok());
    notary_ = *notary;
    log_id_ = evm::registry::LogIdForOrigin(deployment_.origin);
    ASSERT_TRUE(evm::registry::Register(*owner_, contract_, log_id_, notary_).ok());
  }

  AnchordOptions Options() const {
    AnchordOptions o;
    o.ledgerd_url = LedgerdUrl();
    o.ledgerd_token = std::string("anchord:") + kAnchordToken;
    o.rpc_url = anvil_->url();
    o.chain_id = kChainId;
    o.contract = contract_;
    o.log_vkey = deployment_.vkey;
    o.payer_key = *ledger::HexDecode(ledger::testing::kAnvilKey1);
    o.submitter = submitter_;
    o.state_file = deployment_.P("anchord.state");
    o.every = std::chrono::milliseconds(0);
    o.payer.poll_interval = std::chrono::milliseconds(20);
    o.payer.receipt_timeout = std::chrono::milliseconds(20000);
    return o;
  }
  std::unique_ptr<Anchord> NewAnchord(AnchordOptions o) {
    auto a = Anchord::Create(std::move(o));
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? std::move(a).value() : nullptr;
  }

  std::string LedgerdUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
  httplib::Client Ledgerd() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }

  void Append(int n, const std::string& tag) {
    auto r = Ledgerd().Post("/v1/entries", deployment_.StampedBatch(tag, n).dump(),
                            "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  // The registry made to hold a head of another history. The registry's
  // owner cannot re-key a log; its quorum can: two operators sign, offline
  // (ledgerctl registry-rekey), the hand-over of the log to a key of the
  // test's, that key anchors (size, root) and signs the log back.
  void AnchorForeignHead(uint64_t size, const std::string& root_label) {
    ledger::Bytes rogue = *ledger::HexDecode(ledger::testing::kAnvilKey0);
    const evm::Address rogue_address = *evm::AddressFromSecretKey(rogue);
    auto nonce = evm::registry::RekeyNonce(*rpc_, contract_, log_id_);
    ASSERT_TRUE(nonce.ok()) << nonce.status();
    const std::string d = deployment_.dir.string();
    auto signed_away = ledger::ledgerd::testing::Ctl(
        {"registry-rekey", "--manifest", d + "/manifest.bin", "--key", d + "/alice.key",
         "--share", d + "/quorum/alice.share", "--key", d + "/bob.key", "--share",
         d + "/quorum/bob.share", "--new-notary", rogue_address.Hex(), "--nonce",
         std::to_string(*nonce)});
    ASSERT_EQ(signed_away.code, 0) << signed_away.err;
    std::string hex = signed_away.out.substr(2);
    while (!hex.empty() && hex.back() == '\n') hex.pop_back();
    auto away_sig = ledger::HexDecode(hex);
    ASSERT_TRUE(away_sig.ok());
    evm::registry::RekeyStatement away{log_id_, rogue_address.bytes, *nonce};
    auto moved = evm::registry::Rekey(*owner_, contract_, away, *away_sig);
    ASSERT_TRUE(moved.ok()) << moved.status();
    evm::registry::Statement s{log_id_, size, ledger::Sha256::Digest(root_label), {}};
    auto sig = evm::SignDigest(rogue, evm::registry::StatementDigest({kChainId, contract_}, s));
    ASSERT_TRUE(sig.ok());
    auto rsv = sig->Rsv();
    ASSERT_TRUE(evm::registry::Anchor(*owner_, contract_, s, {}, rsv).ok());
    evm::registry::RekeyStatement back{log_id_, notary_.bytes, *nonce + 1};
    auto back_sig = ledger::registry::SignRekey(rogue, kChainId, contract_.bytes, back);
    ASSERT_TRUE(back_sig.ok());
    ASSERT_TRUE(evm::registry::Rekey(*owner_, contract_, back, *back_sig).ok());
  }

  uint64_t LogSize() {
    auto r = Ledgerd().Get("/healthz");
    EXPECT_TRUE(r);
    if (!r) return 0;
    return nlohmann::json::parse(r->body).value("size", uint64_t{0});
  }

  // Every ANCHOR_CONFIRMED entry in the log, read through receipts (the
  // tlog-proof carries the leaf) and verified with the pinned key.
  std::vector<AnchorRecord> Recorded() {
    std::vector<AnchorRecord> out;
    auto vkey = ledger::note::ParseVerifierKey(deployment_.vkey);
    EXPECT_TRUE(vkey.ok());
    const uint64_t size = LogSize();
    for (uint64_t i = 0; i < size; ++i) {
      auto r = Ledgerd().Get("/v1/entries/" + std::to_string(i) + "/receipt");
      EXPECT_TRUE(r && r->status == 200);
      if (!r || r->status != 200) continue;
      auto j = nlohmann::json::parse(r->body);
      auto proof = ledger::ParseTlogProof(j["tlog_proof"].get<std::string>());
      EXPECT_TRUE(proof.ok() && proof->extra);
      if (!proof.ok() || !proof->extra) continue;
      EXPECT_TRUE(ledger::VerifyTlogProof(*proof, ledger::merkle::LeafHash(*proof->extra), **vkey).ok());
      auto leaf = ledger::DecodeLeaf(*proof->extra);
      EXPECT_TRUE(leaf.ok());
      auto event = ledger::DecodeEvent(leaf->event);
      EXPECT_TRUE(event.ok());
      if (event->kind != ledger::EventKind::kAnchorConfirmed) continue;
      auto record = ParseAnchorEvent(*event);
      EXPECT_TRUE(record.ok()) << record.status();
      if (record.ok()) out.push_back(*record);
    }
    return out;
  }

  evm::registry::AnchoredHead Latest() {
    auto l = evm::registry::Latest(*rpc_, contract_, log_id_);
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? *l : evm::registry::AnchoredHead{};
  }

  Deployment deployment_;
  std::string seed_hex_;
  std::shared_ptr<const ledger::note::Signer> submitter_;
  std::unique_ptr<Process> ledgerd_;
  int port_ = 0;
  std::unique_ptr<ledger::testing::Anvil> anvil_;
  std::unique_ptr<evm::rpc::Client> rpc_;
  std::unique_ptr<evm::Payer> owner_;
  evm::Address contract_;
  evm::Address notary_;
  ledger::Hash log_id_;
};

}  // namespace anchor::anchord::testing
