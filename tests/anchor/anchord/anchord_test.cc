// anchord in-process against real processes: anchors the current head,
// records exactly one ANCHOR_CONFIRMED entry per anchor (retries are
// duplicates), builds each anchor on the previous one with an on-chain
// verified consistency proof, and refuses a wrong chain, a wrong contract,
// a registry head the log does not extend, and an unreachable chain,
// recording nothing then.
#include "anchord_fixture.h"
#include "ledger/timestamp/token.h"
#include "support/local_tsa.h"
#include "support/promtool.h"
#include "ledger_test_paths.h"

namespace anchor::anchord::testing {
namespace {

TEST_F(AnchordTest, AnchorsTheHeadAndRecordsItOnce) {
  Append(5, "first-");
  auto anchord = NewAnchord(Options());
  ASSERT_NE(anchord, nullptr);
  auto step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kAnchored);

  // On chain: the head ledgerd had (5 entries + the notary's boot entry).
  const auto latest = Latest();
  EXPECT_EQ(latest.tree_size, 6u);
  EXPECT_EQ(latest.notary, notary_);
  // In the log: one ANCHOR_CONFIRMED entry with the chain's evidence.
  auto records = Recorded();
  ASSERT_EQ(records.size(), 1u);
  const AnchorRecord& r = records[0];
  EXPECT_EQ(r.chain_id, kChainId);
  EXPECT_EQ(r.contract, contract_);
  EXPECT_EQ(r.statement.tree_size, latest.tree_size);
  EXPECT_EQ(r.statement.root_hash, latest.root_hash);
  auto receipt = rpc_->GetTransactionReceipt(r.tx_hash);
  ASSERT_TRUE(receipt.ok() && receipt->has_value());
  EXPECT_EQ((*receipt)->block_hash, r.block_hash);
  EXPECT_EQ((*receipt)->block_number, r.block_number);
  EXPECT_TRUE(evm::registry::FindAnchoredEvent(**receipt, contract_, r.statement).ok());
  EXPECT_EQ(LogSize(), 7u);

  // Its own entry does not make another anchor due.
  step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kIdle);

  // More entries: the next anchor extends the first (the contract verified
  // the consistency proof from 6 to 10).
  Append(3, "second-");
  step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kAnchored);
  EXPECT_EQ(Latest().tree_size, 10u);
  records = Recorded();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].statement.tree_size, 10u);
  EXPECT_EQ(anchord->stats().anchors_recorded.load(), 2u);
  EXPECT_EQ(anchord->stats().forks_refused.load(), 0u);
}

TEST_F(AnchordTest, ARestartRecordsTheLastAnchorAgainAsADuplicate) {
  Append(2, "a-");
  {
    auto first = NewAnchord(Options());
    ASSERT_NE(first, nullptr);
    auto step = first->Step();
    ASSERT_TRUE(step.ok()) << step.status();
  }
  const uint64_t size = LogSize();
  // A new process knows nothing but the chain, the log and its state file:
  // it re-appends the last anchor's entry, which ledgerd answers as a
  // duplicate (same request id), so the log does not grow.
  auto second = NewAnchord(Options());
  ASSERT_NE(second, nullptr);
  auto step = second->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kRecovered);
  EXPECT_EQ(second->stats().record_duplicates.load(), 1u);
  EXPECT_EQ(LogSize(), size);
  EXPECT_EQ(Recorded().size(), 1u);
  step = second->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kIdle);
}

TEST_F(AnchordTest, EntriesThresholdDecidesWhenAnAnchorIsDue) {
  AnchordOptions o = Options();
  o.every = std::chrono::hours(1);
  o.entries = 4;
  auto anchord = NewAnchord(o);
  ASSERT_NE(anchord, nullptr);
  Append(1, "x-");  // boot entry + 1 = 2 entries: the first anchor is due (never anchored)
  auto step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kAnchored);
  Append(3, "y-");  // 3 new (+ our own record, which does not count)
  step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kIdle);
  Append(1, "z-");
  step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kAnchored);
}

TEST_F(AnchordTest, WrongChainAndWrongContractAreRefusedBeforeAnythingIsSent) {
  Append(2, "w-");
  AnchordOptions wrong_chain = Options();
  wrong_chain.chain_id = 1;
  auto a = NewAnchord(wrong_chain);
  ASSERT_NE(a, nullptr);
  auto step = a->Step();
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().reason(), "wrong_chain");

  AnchordOptions wrong_contract = Options();
  wrong_contract.contract = owner_->address();  // an account, no code
  a = NewAnchord(wrong_contract);
  ASSERT_NE(a, nullptr);
  step = a->Step();
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().reason(), "registry_code_mismatch");
  EXPECT_EQ(Latest().tree_size, 0u);
  EXPECT_TRUE(Recorded().empty());
}

// The anchord binary's --metrics page, after an anchor, as Prometheus
// scrapes it: `promtool check metrics` accepts it, and it has every anchord
// series ops/monitoring's alert rules and dashboard use.
TEST_F(AnchordTest, TheMetricsPagePassesPromtool) {
  SKIP_WITHOUT_PROMTOOL();
  Append(2, "m-");
  std::vector<std::string> argv = AnchordFlags();
  argv.insert(argv.end(), {"--every", "3600", "--poll-ms", "100", "--metrics", "127.0.0.1:0"});
  Process p(argv, deployment_.P("anchord.log"));
  const std::string line = p.ReadLine();
  const std::string prefix = "metrics on 127.0.0.1:";
  ASSERT_EQ(line.rfind(prefix, 0), 0u) << line << Slurp(deployment_.P("anchord.log"));
  httplib::Client metrics("127.0.0.1", std::stoi(line.substr(prefix.size())));
  metrics.set_read_timeout(30, 0);
  std::string page;
  for (int i = 0; i < 600; ++i) {
    auto r = metrics.Get("/metrics");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    page = r->body;
    if (page.find("\nanchord_anchors_recorded_total 1\n") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_NE(page.find("\nanchord_anchors_recorded_total 1\n"), std::string::npos)
      << page << Slurp(deployment_.P("anchord.log"));
  ledger::testing::ExpectPromtoolAccepts(page, "anchord /metrics");
  ledger::testing::ExpectMonitoringNamesOnPage(page, "anchord_");
  EXPECT_NE(page.find("\nanchord_unanchored_entries 0\n"), std::string::npos) << page;
  EXPECT_NE(page.find("\nanchord_anchored_size 3\n"), std::string::npos) << page;
  EXPECT_NE(page.find("# TYPE anchord_last_latency_seconds gauge\n"), std::string::npos);
  EXPECT_EQ(page.find("microseconds"), std::string::npos) << page;
}

TEST_F(AnchordTest, AHeadInconsistentWithTheAnchoredOneIsRefusedAndAlarmed) {
  Append(4, "f-");
  // The registry holds a head of another history at size 3: the log's
  // head does not extend it, so anchord must not anchor on top.
  AnchorForeignHead(3, "another history");
  ASSERT_FALSE(HasFatalFailure());

  auto anchord = NewAnchord(Options());
  ASSERT_NE(anchord, nullptr);
  auto step = anchord->Step();
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().reason(), "inconsistent_head");
  EXPECT_EQ(anchord->stats().forks_refused.load(), 1u);
  EXPECT_EQ(anchord->stats().anchors_submitted.load(), 0u);
  EXPECT_EQ(Latest().tree_size, 3u);
  EXPECT_TRUE(Recorded().empty());
  EXPECT_NE(anchord->Metrics().find("anchord_forks_refused_total 1"), std::string::npos);
}

TEST_F(AnchordTest, ALogBehindTheAnchorIsRefused) {
  Append(1, "b-");
  AnchorForeignHead(1000, "the future");
  ASSERT_FALSE(HasFatalFailure());
  auto anchord = NewAnchord(Options());
  ASSERT_NE(anchord, nullptr);
  auto step = anchord->Step();
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().reason(), "log_behind_anchor");
  EXPECT_TRUE(Recorded().empty());
}

TEST_F(AnchordTest, AnUnreachableChainRecordsNothingAndAnchoringResumesAfterwards) {
  Append(2, "u-");
  auto anchord = NewAnchord(Options());
  ASSERT_NE(anchord, nullptr);
  anvil_->Kill();
  auto step = anchord->Step();
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().code(), ledger::Code::kUnavailable) << step.status();
  EXPECT_TRUE(Recorded().empty());
  // A new chain (an anvil restarted without state has no contract): the
  // code check refuses it until the registry is there again.
  StartChain({});
  ASSERT_FALSE(HasFatalFailure());
  AnchordOptions o = Options();
  anchord = NewAnchord(o);
  ASSERT_NE(anchord, nullptr);
  step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kAnchored);
  EXPECT_EQ(Recorded().size(), 1u);
}

TEST_F(AnchordTest, ARecordParsesBackAndRefusesChangedFields) {
  Append(1, "p-");
  auto anchord = NewAnchord(Options());
  ASSERT_NE(anchord, nullptr);
  ASSERT_TRUE(anchord->Step().ok());
  auto records = Recorded();
  ASSERT_EQ(records.size(), 1u);
  auto event = AnchorEvent(records[0]);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->request_id,
            AnchorRequestId(kChainId, contract_, records[0].statement.tree_size));
  for (auto& [key, value] : event->attributes) {
    // The checkpoint is opaque text here; VerifyAnchorEntry checks it.
    if (key == "checkpoint") continue;
    ledger::Event changed = *event;
    for (auto& [k, v] : changed.attributes) {
      if (k == key) v = v.empty() ? "x" : v.substr(0, v.size() - 1);
    }
    EXPECT_EQ(ParseAnchorEvent(changed).status().reason(), "bad_anchor_record") << key;
  }
  ledger::Event other_request = *event;
  other_request.request_id += "x";
  EXPECT_EQ(ParseAnchorEvent(other_request).status().reason(), "bad_anchor_record");
}

TEST_F(AnchordTest, VerifyAnchorChecksTheEvidenceOfflineAndOnChain) {
  Append(2, "v-");
  auto anchord = NewAnchord(Options());
  ASSERT_NE(anchord, nullptr);
  ASSERT_TRUE(anchord->Step().ok());
  auto receipt_file = [this](uint64_t index, const std::string& name) {
    auto r = Ledgerd().Get("/v1/entries/" + std::to_string(index) + "/receipt");
    EXPECT_TRUE(r && r->status == 200);
    const std::string path = deployment_.P(name);
    std::ofstream(path) << (r ? r->body : "");
    return path;
  };
  const uint64_t record_index = LogSize() - 1;
  const std::string receipt = receipt_file(record_index, "anchor.receipt");
  const std::string vkey = deployment_.P("log.vkey");
  using ledger::ledgerd::testing::Ctl;
  auto offline = Ctl({"verify-anchor", "--vkey", vkey, "--manifest", deployment_.P("manifest.bin"),
                      "--notary", notary_.Hex(), receipt});
  EXPECT_EQ(offline.code, 0) << offline.err;
  EXPECT_NE(offline.out.find("offline"), std::string::npos) << offline.out;
  auto online = Ctl({"verify-anchor", "--vkey", vkey, "--manifest", deployment_.P("manifest.bin"),
                     "--notary", notary_.Hex(), "--rpc", anvil_->url(), "--json", receipt});
  ASSERT_EQ(online.code, 0) << online.err;
  auto doc = nlohmann::json::parse(online.out);
  EXPECT_TRUE(doc["online"].get<bool>());
  EXPECT_GE(doc["confirmations"].get<uint64_t>(), 1u);
  EXPECT_EQ(doc["signer"], notary_.Hex());
  // Without pins it does not run: the evidence would vouch for itself.
  // (--allow-unwitnessed waives the witness quorum only, not these pins.)
  for (const auto& unpinned : std::vector<std::vector<std::string>>{
           {"verify-anchor", "--vkey", vkey, "--allow-unwitnessed", receipt},
           {"verify-anchor", "--vkey", vkey, "--allow-unwitnessed", "--notary", notary_.Hex(),
            receipt},
           {"verify-anchor", "--vkey", vkey, "--manifest", deployment_.P("manifest.bin"), receipt},
           {"verify-anchor", "--vkey", vkey, "--allow-unwitnessed", "--notary", notary_.Hex(),
            "--chain-id", std::to_string(kChainId), receipt}}) {
    auto refused = Ctl(unpinned);
    EXPECT_NE(refused.code, 0);
    EXPECT_NE(refused.err.find("missing_pins"), std::string::npos) << refused.err;
  }
  // No witness source at all: refused before the pins are looked at.
  auto unwitnessed = Ctl({"verify-anchor", "--vkey", vkey, "--notary", notary_.Hex(),
                          "--chain-id", std::to_string(kChainId), "--contract", contract_.Hex(),
                          receipt});
  EXPECT_NE(unwitnessed.code, 0);
  EXPECT_NE(unwitnessed.err.find("witness_pins_missing"), std::string::npos) << unwitnessed.err;
  auto by_flags = Ctl({"verify-anchor", "--vkey", vkey, "--allow-unwitnessed", "--notary",
                       notary_.Hex(), "--chain-id", std::to_string(kChainId), "--contract",
                       contract_.Hex(), receipt});
  EXPECT_EQ(by_flags.code, 0) << by_flags.err;

  // Another pinned notary: the statement does not recover to it.
  const std::string manifest = deployment_.P("manifest.bin");
  auto wrong = Ctl({"verify-anchor", "--vkey", vkey, "--manifest", manifest, "--notary",
                    owner_->address().Hex(), receipt});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("anchor_wrong_signer"), std::string::npos) << wrong.err;
  // Not an anchor entry (the notary's boot entry).
  auto boot = Ctl({"verify-anchor", "--vkey", vkey, "--manifest", manifest, "--notary",
                   notary_.Hex(), receipt_file(0, "boot.receipt")});
  EXPECT_NE(boot.code, 0);
  EXPECT_NE(boot.err.find("bad_anchor_record"), std::string::npos) << boot.err;
  // A chain that does not hold the transaction (a fresh anvil with the
  // registry at the same address): refused online, whatever the log says.
  StartChain({});
  ASSERT_FALSE(HasFatalFailure());
  auto gone = Ctl({"verify-anchor", "--vkey", vkey, "--manifest", manifest, "--notary",
                   notary_.Hex(), "--rpc", anvil_->url(), receipt});
  EXPECT_EQ(gone.code, 1);
  EXPECT_NE(gone.err.find("anchor_not_on_chain"), std::string::npos) << gone.err;
}

TEST_F(AnchordTest, EachAnchorIsTimestampedWhenATsaIsConfigured) {
  ledger::testing::LocalTsa tsa(std::string(LEDGER_TEST_VECTORS) + "/rfc3161", deployment_.P("tsa"));
  Append(2, "t-");
  AnchordOptions o = Options();
  o.tsa_url = tsa.url();
  o.tsa_ca_pem = tsa.ca_pem();
  auto anchord = NewAnchord(o);
  ASSERT_NE(anchord, nullptr);
  auto step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  auto records = Recorded();
  ASSERT_EQ(records.size(), 1u);
  ASSERT_FALSE(records[0].timestamp_token.empty());
  // A real token (openssl ts) over SHA-256 of the anchored checkpoint.
  auto info = ledger::timestamp::VerifyToken(records[0].timestamp_token,
                                             TimestampDigest(records[0]), tsa.ca_pem());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(anchord->stats().timestamps.load(), 1u);

  const std::string ca = deployment_.P("tsa-ca.pem");
  std::ofstream(ca) << tsa.ca_pem();
  auto r = Ledgerd().Get("/v1/entries/" + std::to_string(LogSize() - 1) + "/receipt");
  ASSERT_TRUE(r && r->status == 200);
  std::ofstream(deployment_.P("ts.receipt")) << r->body;
  auto verified = ledger::ledgerd::testing::Ctl(
      {"verify-anchor", "--vkey", deployment_.P("log.vkey"), "--notary", notary_.Hex(),
       "--manifest", deployment_.P("manifest.bin"), "--tsa-ca", ca, deployment_.P("ts.receipt")});
  EXPECT_EQ(verified.code, 0) << verified.err;
  EXPECT_NE(verified.out.find("RFC 3161 token verified"), std::string::npos) << verified.out;
  // A token checked against another root is refused.
  std::ofstream(deployment_.P("other-ca.pem")) << ledger::ledgerd::testing::Slurp(
      deployment_.P("pki/root.pem"));
  auto wrong_root = ledger::ledgerd::testing::Ctl(
      {"verify-anchor", "--vkey", deployment_.P("log.vkey"), "--notary", notary_.Hex(),
       "--manifest", deployment_.P("manifest.bin"), "--tsa-ca", deployment_.P("other-ca.pem"),
       deployment_.P("ts.receipt")});
  EXPECT_EQ(wrong_root.code, 1) << wrong_root.out;

  // The TSA down: the next anchor goes ahead, without a token, and is counted.
  tsa.fail_with_status(503);
  Append(2, "t2-");
  step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kAnchored);
  records = Recorded();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(records[1].timestamp_token.empty());
  EXPECT_EQ(anchord->stats().timestamp_failures.load(), 1u);
}

TEST_F(AnchordTest, ALedgerdRestartIsSurvived) {
  Append(2, "r-");
  auto anchord = NewAnchord(Options());
  ASSERT_NE(anchord, nullptr);
  const int port = port_;
  ledgerd_.reset();  // SIGKILL
  auto step = anchord->Step();
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().reason(), "ledgerd_unavailable") << step.status();
  EXPECT_EQ(Latest().tree_size, 0u);
  // The same anchord, once ledgerd is back (on the same port).
  ASSERT_EQ(StartLedgerd({"--listen", "127.0.0.1:" + std::to_string(port)}), port);
  step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kAnchored);
  EXPECT_EQ(Recorded().size(), 1u);
}

// With two witnesses required: ledgerd releases the ANCHOR_CONFIRMED
// entry's receipt only once both cosigned a checkpoint covering it, and
// anchord records the anchor through that path like any other append.
class WitnessedAnchordTest : public AnchordTest {
 protected:
  int Witnesses() const override { return 2; }
};

TEST_F(WitnessedAnchordTest, AnchorsAndRecordsWithTheWitnessQuorum) {
  Append(3, "w-");
  auto anchord = NewAnchord(Options());
  ASSERT_NE(anchord, nullptr);
  auto step = anchord->Step();
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, StepOutcome::kAnchored);
  EXPECT_EQ(Latest().tree_size, 4u);
  auto records = Recorded();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].statement.tree_size, 4u);
}

}  // namespace
}  // namespace anchor::anchord::testing
