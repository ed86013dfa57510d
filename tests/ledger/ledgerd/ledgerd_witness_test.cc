// ledgerd with a witness quorum (2 of 2), real processes on 127.0.0.1: a
// notary enclave (sim), two witness daemons and ledgerd.
//  - receipts carry the quorum's cosignatures and verify offline;
//  - a witness outage: appends wait, then 503 witness_quorum_unavailable, and
//    the same request succeeds once the witness is back;
//  - rollback across a notary restart: a store restored from an old copy is
//    refused (healthz 503 rollback_detected, nothing appended), also when one
//    witness was itself restored from old data;
//  - an honest notary restart serves again once the quorum confirmed;
//  - fork: a notary asked to sign another entry at a used index refuses;
//  - a lying witness (2 of 3, the third a fake answering 409 with a huge size
//    or 422 without evidence) is marked faulty and left out of the quorum,
//    and a real rollback is still detected with it present;
//  - with 3 witnesses and quorum 2, a host that shows new heads to two of
//    them and confirms an old backup with another two meets the witness
//    they share, and the rollback is refused.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "ledger/codec/event_json.h"
#include "ledger/merkle/merkle.h"
#include "ledger/notary_client/notary_client.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/tlog_proof.h"
#include "ledger/note/witness_time.h"
#include "ledger/record/event.h"
#include "ledger/record/stamp.h"
#include "ledger/store/kv.h"
#include "ledger/store/log_store.h"
#include "ledgerd_fixture.h"
#include "lying_witness.h"

namespace ledger::ledgerd::testing {
namespace {

namespace fs = std::filesystem;

class WitnessedLedgerdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Short: the notary's socket path must fit sockaddr_un (108 bytes).
    d_.dir_prefix = "ledgerd-witness-" +
                    std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())
                        .substr(0, 24);
    d_.witness_count = 2;
    d_.witness_quorum = 2;
    d_.Create();
  }
  void TearDown() override {
    ledgerd_.reset();
    d_.Destroy();
  }

  // With the witnesses in `which` (default: all) and extra ledgerd flags.
  void StartLedgerd(std::vector<int> which = {}, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> flags = d_.WitnessFlags(std::move(which));
    flags.insert(flags.end(), {"--witness-timeout-ms", "1500", "--witness-request-timeout-ms",
                               "1000"});
    flags.insert(flags.end(), extra.begin(), extra.end());
    port_ = d_.StartLedgerd(ledgerd_, flags);
    ASSERT_GT(port_, 0) << Slurp(d_.P("ledgerd.log"));
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }

  // Polls /healthz until it answers `status` (and `reason` when given).
  nlohmann::json AwaitHealth(int status, const std::string& reason = "") {
    nlohmann::json body;
    for (int i = 0; i < 200; ++i) {
      auto r = Client().Get("/healthz");
      if (r) {
        body = nlohmann::json::parse(r->body, nullptr, false);
        if (r->status == status &&
            (reason.empty() || body["error"]["reason"].get<std::string>() == reason)) {
          return body;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "healthz never answered " << status << " " << reason << ": " << body.dump()
                  << "\n" << Slurp(d_.P("ledgerd.log"));
    return body;
  }

  nlohmann::json Entry(const std::string& id) {
    nlohmann::json event = SampleEvent(id);
    auto e = codec::EventFromJsonValue(event);
    auto bytes = EncodeEvent(*e);
    auto stamp = MakeStamp(d_.origin, *bytes, *d_.submitter);
    return {{"event", event}, {"stamp", Base64Encode(*stamp)}};
  }

  httplib::Result Post(const std::string& id) {
    return Client().Post("/v1/entries", Entry(id).dump(), "application/json");
  }

  // The receipt of a 200 answer, checked offline: the tlog-proof verifies
  // with the log key and its checkpoint carries both witnesses' cosignatures.
  nlohmann::json CheckCosignedReceipt(const httplib::Result& r) {
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    auto body = nlohmann::json::parse(r->body, nullptr, false);
    nlohmann::json receipt = body.contains("results") ? body["results"][0]["receipt"] : body;
    ExpectQuorum(receipt["checkpoint"].get<std::string>());
    auto proof = ParseTlogProof(receipt["tlog_proof"].get<std::string>());
    EXPECT_TRUE(proof.ok());
    if (!proof.ok()) return receipt;
    auto log_key = note::ParseVerifierKey(d_.vkey).value();
    auto verified = VerifyTlogProof(*proof, merkle::LeafHash(*proof->extra), *log_key);
    EXPECT_TRUE(verified.ok()) << verified.status().ToString();
    ExpectQuorum(proof->checkpoint);
    return receipt;
  }

  void ExpectQuorum(const std::string& checkpoint) {
    auto log_key = note::ParseVerifierKey(d_.vkey).value();
    std::vector<std::unique_ptr<note::Verifier>> keys;
    std::vector<const note::Verifier*> ws;
    for (const auto& v : d_.witness_vkeys) {
      keys.push_back(note::ParseVerifierKey(v).value());
      ws.push_back(keys.back().get());
    }
    auto vc = VerifyCheckpoint(checkpoint, *log_key, ws, 2);
    ASSERT_TRUE(vc.ok()) << vc.status().ToString() << "\n" << checkpoint;
    EXPECT_EQ(vc->cosignatures.size(), 2u);
  }

  std::string Metrics() {
    auto r = Client().Get("/metrics");
    return r ? r->body : "";
  }

  // The stored log, read-only (ledgerd stopped).
  Result<std::unique_ptr<store::LogStore>> OpenStore() {
    store::RocksDbOptions o;
    o.mode = store::RocksDbOptions::Mode::kReadOnly;
    ASSIGN_OR_RETURN(auto kv, store::OpenRocksDb(d_.P("log/store"), o));
    return store::LogStore::Open(std::move(kv), note::ParseVerifierKey(d_.vkey).value());
  }
  uint64_t StoreSize() {
    auto s = OpenStore();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? (*s)->size() : 0;
  }

  void RestartNotaryAndLedgerd() {
    ledgerd_.reset();
    d_.notary.reset();
    d_.StartNotary();
    ASSERT_FALSE(HasFatalFailure());
    StartLedgerd();
  }

  Deployment d_;
  std::unique_ptr<Process> ledgerd_;
  int port_ = 0;
};

// Time the host cannot move (ledger/note/witness_time.h): the notary sequences
// only within kMaxClockSkewSeconds of a fresh witness time, so ledgerd hands
// it every cosigned checkpoint and has an idle head cosigned again.
TEST_F(WitnessedLedgerdTest, AnIdleHeadIsCosignedAgainAndTheNotaryKeepsItsWitnessTime) {
  StartLedgerd({}, {"--witness-refresh-ms", "300"});
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  auto first = CheckCosignedReceipt(Post("a"));
  const std::string index = std::to_string(first["index"].get<uint64_t>());
  auto quorum_time = [&](const nlohmann::json& receipt) -> uint64_t {
    auto log_key = note::ParseVerifierKey(d_.vkey).value();
    std::vector<std::unique_ptr<note::Verifier>> keys;
    std::vector<const note::Verifier*> ws;
    for (const auto& v : d_.witness_vkeys) {
      keys.push_back(note::ParseVerifierKey(v).value());
      ws.push_back(keys.back().get());
    }
    auto vc = VerifyCheckpoint(receipt["checkpoint"].get<std::string>(), *log_key, ws, 2);
    return vc.ok() ? QuorumTime(vc->cosignatures, 2).value_or(0) : 0;
  };
  const uint64_t before = quorum_time(first);
  ASSERT_GT(before, 0u);
  // Nothing is appended for a while: the same head is cosigned again.
  uint64_t after = before;
  for (int i = 0; i < 60 && after <= before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = quorum_time(CheckCosignedReceipt(Client().Get("/v1/entries/" + index + "/receipt")));
  }
  EXPECT_GT(after, before);
  CheckCosignedReceipt(Post("b"));
  const std::string log = Slurp(d_.P("ledgerd.log"));
  EXPECT_EQ(log.find("witnesses' time"), std::string::npos) << log;
  EXPECT_EQ(log.find("clock_skew"), std::string::npos) << log;
}

TEST_F(WitnessedLedgerdTest, ReceiptsCarryTheQuorumAndAnOutageWaitsThenRecovers) {
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  auto first = CheckCosignedReceipt(Post("a"));
  const uint64_t index = first["index"].get<uint64_t>();
  // ledgerctl checks the witness policy offline too.
  { std::ofstream(d_.P("receipt.tlog-proof")) << first["tlog_proof"].get<std::string>(); }
  std::vector<std::string> verify = {"verify", "inclusion", "--vkey", d_.vkey, "--quorum", "2",
                                     d_.P("receipt.tlog-proof")};
  verify.insert(verify.end() - 1, {"--witness", d_.witness_vkeys[0]});
  // Another key under witness 1's name: its line does not count.
  auto other = note::NewCosignatureV1Signer(Deployment::WitnessName(1),
                                            Ed25519PrivateKey::Generate().value());
  auto wrong = verify;
  wrong.insert(wrong.end() - 1, {"--witness", other->VerifierKey()});
  auto refused = Ctl(wrong);
  EXPECT_NE(refused.code, 0);
  EXPECT_NE(refused.err.find("witness_quorum_not_met"), std::string::npos) << refused.err;
  verify.insert(verify.end() - 1, {"--witness", d_.witness_vkeys[1]});
  auto verified = Ctl(verify);
  EXPECT_EQ(verified.code, 0) << verified.err;
  EXPECT_NE(verified.out.find("cosigned by 2 witnesses"), std::string::npos) << verified.out;
  auto later = Client().Get("/v1/entries/" + std::to_string(index) + "/receipt");
  CheckCosignedReceipt(later);
  std::string metrics = Metrics();
  EXPECT_NE(metrics.find("\nledgerd_witness_quorum 2\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nledgerd_notary_head_unconfirmed 0\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("ledgerd_witness_up{witness=\"witness-1.test\"} 1"), std::string::npos);

  // One of two witnesses down with quorum 2: the entry is durable, but its
  // receipt is not released; the client gets 503 after the timeout.
  d_.StopWitness(1);
  auto start = std::chrono::steady_clock::now();
  auto waited = Post("b");
  ASSERT_TRUE(waited);
  EXPECT_EQ(waited->status, 503) << waited->body;
  EXPECT_EQ(nlohmann::json::parse(waited->body)["error"]["reason"], "witness_quorum_unavailable");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400));
  auto unreleased = Client().Get("/v1/entries/" + std::to_string(index + 1) + "/receipt");
  ASSERT_TRUE(unreleased);
  EXPECT_EQ(unreleased->status, 503);
  metrics = Metrics();
  EXPECT_NE(metrics.find("ledgerd_witness_up{witness=\"witness-1.test\"} 0"), std::string::npos)
      << metrics;

  // The witness comes back: the same request is answered with the original
  // entry, now cosigned.
  d_.StartWitness(1);
  ASSERT_FALSE(HasFatalFailure());
  auto retried = Post("b");
  auto receipt = CheckCosignedReceipt(retried);
  EXPECT_EQ(receipt["index"].get<uint64_t>(), index + 1);
  EXPECT_TRUE(nlohmann::json::parse(retried->body)["results"][0]["duplicate"].get<bool>());
  CheckCosignedReceipt(Post("c"));
}

TEST_F(WitnessedLedgerdTest, AnHonestNotaryRestartServesAgainOnceTheQuorumConfirmed) {
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  CheckCosignedReceipt(Post("before"));
  RestartNotaryAndLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  auto receipt = CheckCosignedReceipt(Post("after"));
  EXPECT_GT(receipt["index"].get<uint64_t>(), 2u);  // boot, before, boot, after
}

TEST_F(WitnessedLedgerdTest, AStoreRestoredFromAnOldCopyIsRefusedAfterANotaryRestart) {
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  CheckCosignedReceipt(Post("old-1"));
  ledgerd_.reset();
  fs::copy(d_.P("log/store"), d_.P("store-backup"), fs::copy_options::recursive);
  const uint64_t backup_size = StoreSize();
  StartLedgerd();  // the notary still serves this head: no confirmation needed
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  for (const char* id : {"new-1", "new-2", "new-3"}) CheckCosignedReceipt(Post(id));

  ledgerd_.reset();
  d_.notary.reset();
  fs::remove_all(d_.P("log/store"));
  fs::copy(d_.P("store-backup"), d_.P("log/store"), fs::copy_options::recursive);
  d_.StartNotary();
  ASSERT_FALSE(HasFatalFailure());
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(503, "rollback_detected");
  auto refused = Post("after-rollback");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503) << refused->body;
  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("\nledgerd_rollback_detected 1\n"), std::string::npos) << metrics;
  // The restarted notary's head was never confirmed by the quorum.
  EXPECT_NE(metrics.find("\nledgerd_notary_head_unconfirmed 1\n"), std::string::npos) << metrics;
  ledgerd_.reset();
  // Only the new notary's ENCLAVE_BOOTED entry was written; it was never
  // cosigned, released or continued.
  EXPECT_EQ(StoreSize(), backup_size + 1);
}

TEST_F(WitnessedLedgerdTest, OneWitnessRestoredFromItsOwnOldDataDoesNotHelpARollback) {
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  CheckCosignedReceipt(Post("old-1"));
  // Everything stopped; the store and witness 0's data are copied together.
  ledgerd_.reset();
  d_.StopWitness(0);
  fs::copy(d_.P("log/store"), d_.P("store-backup"), fs::copy_options::recursive);
  fs::copy(d_.WitnessDb(0), d_.P("witness0-backup"), fs::copy_options::recursive);
  d_.StartWitness(0);
  ASSERT_FALSE(HasFatalFailure());
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  for (const char* id : {"new-1", "new-2"}) CheckCosignedReceipt(Post(id));

  // Rollback of the store and of witness 0; witness 1 kept its state.
  ledgerd_.reset();
  d_.notary.reset();
  d_.StopWitness(0);
  fs::remove_all(d_.P("log/store"));
  fs::copy(d_.P("store-backup"), d_.P("log/store"), fs::copy_options::recursive);
  fs::remove_all(d_.WitnessDb(0));
  fs::copy(d_.P("witness0-backup"), d_.WitnessDb(0), fs::copy_options::recursive);
  d_.StartWitness(0);
  d_.StartNotary();
  ASSERT_FALSE(HasFatalFailure());
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(503, "rollback_detected");
  auto refused = Post("after-rollback");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
}

TEST_F(WitnessedLedgerdTest, TheNotaryRefusesAnotherEntryAtAUsedIndex) {
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  CheckCosignedReceipt(Post("x"));
  ledgerd_.reset();  // the notary serves one connection: take it over
  const uint64_t size = StoreSize();
  Hash older_root;
  {
    auto s = OpenStore();
    ASSERT_TRUE(s.ok());
    older_root = (*s)->RootAt(size - 1).value();
  }
  auto client = notary_client::NotaryClient::Connect(d_.P("notary.sock"));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto entry = Entry("fork");
  auto event = EncodeEvent(*codec::EventFromJsonValue(entry["event"]));
  SubmittedEvent submitted{*event, *Base64Decode(entry["stamp"].get<std::string>())};
  auto forked = (*client)->Append(size - 1, older_root, std::span(&submitted, 1));
  ASSERT_FALSE(forked.ok());
  EXPECT_EQ(forked.status().reason(), "head_mismatch") << forked.status().ToString();
  EXPECT_EQ(StoreSize(), size);
}

// Three witnesses, quorum 2; the third is a fake that lies.
class FaultyWitnessLedgerdTest : public WitnessedLedgerdTest {
 protected:
  void SetUp() override {
    // Short: the notary's socket path must fit sockaddr_un (108 bytes).
    d_.dir_prefix = "ledgerd-faulty-" +
                    std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())
                        .substr(0, 24);
    d_.witness_count = 3;
    d_.witness_quorum = 2;
    d_.Create();
    ASSERT_FALSE(HasFatalFailure());
    d_.StopWitness(2);
    d_.witness_ports[2] = liar_.port();
  }

  // Polls /healthz until it names the liar as faulty.
  nlohmann::json AwaitFaulty() {
    nlohmann::json body;
    for (int i = 0; i < 200; ++i) {
      body = AwaitHealth(200);
      if (body.contains("faulty_witnesses") && body["faulty_witnesses"].contains(kLiar)) {
        return body;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "the liar was never reported faulty: " << body.dump();
    return body;
  }

  static constexpr const char* kLiar = "witness-2.test";
  ledger::testing::LyingWitness liar_;
};

TEST_F(FaultyWitnessLedgerdTest, ALyingWitnessIsMarkedFaultyAndTheQuorumComesFromTheOthers) {
  liar_.Answer(409, uint64_t{1} << 62, "");  // a huge size, and nothing to show for it
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  auto first = CheckCosignedReceipt(Post("a"));
  auto health = AwaitFaulty();
  EXPECT_NE(health["faulty_witnesses"][kLiar].get<std::string>().find("without evidence"),
            std::string::npos)
      << health.dump();
  std::string metrics = Metrics();
  EXPECT_NE(metrics.find("ledgerd_witness_faulty{witness=\"witness-2.test\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("ledgerd_witness_faulty{witness=\"witness-0.test\"} 0"),
            std::string::npos);
  EXPECT_NE(metrics.find("ledgerd_rollback_detected 0"), std::string::npos) << metrics;
  // 422, then 422 with a real checkpoint of this log that the head extends:
  // still no evidence of anything.
  liar_.Answer(422, 0, "");
  CheckCosignedReceipt(Post("b"));
  liar_.Answer(422, 0, first["checkpoint"].get<std::string>());
  CheckCosignedReceipt(Post("c"));
  AwaitFaulty();
  // A notary restart is confirmed by the two honest witnesses alone.
  liar_.Answer(409, uint64_t{1} << 62, "");
  RestartNotaryAndLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  CheckCosignedReceipt(Post("d"));
  EXPECT_GT(liar_.latest_asked(), 0);
  EXPECT_NE(Slurp(d_.P("ledgerd.log")).find("witness faulty"), std::string::npos);
}

TEST_F(FaultyWitnessLedgerdTest, ARealRollbackIsStillDetectedWithALyingWitness) {
  liar_.Answer(409, uint64_t{1} << 62, "");
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  CheckCosignedReceipt(Post("old-1"));
  ledgerd_.reset();
  fs::copy(d_.P("log/store"), d_.P("store-backup"), fs::copy_options::recursive);
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  for (const char* id : {"new-1", "new-2"}) CheckCosignedReceipt(Post(id));
  ledgerd_.reset();
  d_.notary.reset();
  fs::remove_all(d_.P("log/store"));
  fs::copy(d_.P("store-backup"), d_.P("log/store"), fs::copy_options::recursive);
  d_.StartNotary();
  ASSERT_FALSE(HasFatalFailure());
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  // The honest witnesses show checkpoints signed by the log key that the
  // restored store does not reach: evidence, whatever the liar says.
  AwaitHealth(503, "rollback_detected");
  auto refused = Post("after-rollback");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_NE(Slurp(d_.P("ledgerd.log")).find("evidence"), std::string::npos);
}

// 3 witnesses, quorum 2: the smallest intersecting quorum with more than two
// witnesses (manifest.md §2.1). 4 witnesses with quorum 2 are refused at
// `manifest create` (quorum_cli_test) and by the notary (enclave_map_test).
class IntersectingQuorumLedgerdTest : public WitnessedLedgerdTest {
 protected:
  void SetUp() override {
    d_.dir_prefix = "ledgerd-quorum-test";
    d_.witness_count = 3;
    d_.witness_quorum = 2;
    d_.Create();
  }
};

// The split view of a quorum that need not intersect: the host sends new
// checkpoints to witnesses 0 and 1 only, then restores an old store, has the
// notary re-provisioned, and asks witnesses 1 and 2 to confirm it. Witness
// 2 never saw the newer head and cosigns; witness 1 did and refuses, so the
// quorum is never met and the old store is not served.
TEST_F(IntersectingQuorumLedgerdTest, AQuorumThatSharesAWitnessRefusesTheRolledBackStore) {
  StartLedgerd({0, 1});
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  CheckCosignedReceipt(Post("old-1"));
  ledgerd_.reset();
  fs::copy(d_.P("log/store"), d_.P("store-backup"), fs::copy_options::recursive);
  const uint64_t backup_size = StoreSize();
  StartLedgerd({0, 1});
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  for (const char* id : {"new-1", "new-2", "new-3"}) CheckCosignedReceipt(Post(id));

  ledgerd_.reset();
  d_.notary.reset();
  fs::remove_all(d_.P("log/store"));
  fs::copy(d_.P("store-backup"), d_.P("log/store"), fs::copy_options::recursive);
  d_.StartNotary();
  ASSERT_FALSE(HasFatalFailure());
  StartLedgerd({1, 2});
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(503, "rollback_detected");
  auto refused = Post("after-rollback");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503) << refused->body;
  ledgerd_.reset();
  // Only the new notary's ENCLAVE_BOOTED entry was written, never released.
  EXPECT_EQ(StoreSize(), backup_size + 1);
  // Witness 2 alone is not a quorum: ledgerd does not even start with it.
  std::unique_ptr<Process> lone;
  EXPECT_EQ(d_.StartLedgerd(lone, d_.WitnessFlags({2})), 0);
}

}  // namespace
}  // namespace ledger::ledgerd::testing
