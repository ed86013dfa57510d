// What the notary signs on a rolled-back head is refused by every verifier.
//
// With witnesses required (2 of 2), a store restored from an old copy and a
// restarted notary: at Restore the notary signs one checkpoint on the old
// head (its new ENCLAVE_BOOTED entry), valid under the log key, which the
// witnesses then refuse to cosign. The host still holds it, and a receipt,
// a state answer and an export bundle built on it check out against the log
// key alone. Every verifier takes the witness quorum from the manifest and
// refuses each with witness_quorum_not_met, while the honest, cosigned ones
// pass; a verifier given no witness pins at all refuses to run; the explorer
// serves only the last witnessed checkpoint.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "ledger/base/hash.h"
#include "ledger/bundle/archive.h"
#include "ledger/bundle/bundle.h"
#include "ledger/bundle/jcs.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "ledger/store/kv.h"
#include "ledger/store/log_store.h"
#include "ledgerd_fixture.h"

namespace ledger::ledgerd::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kToken[] = "s3cret-token-of-the-auditor";

class UnwitnessedCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    d_.dir_prefix = "ledgerd-unwitnessed-test";
    d_.witness_count = 2;
    d_.witness_quorum = 2;
    d_.host_kinds = "EXPORT_CREATED";
    d_.Create();
    ASSERT_FALSE(HasFatalFailure());
    std::ofstream(d_.P("tokens")) << "auditor@example.com:" << Sha256::Digest(kToken).Hex()
                                  << "\n";
  }
  void TearDown() override {
    explorer_.reset();
    ledgerd_.reset();
    d_.Destroy();
  }

  void StartLedgerd() {
    std::vector<std::string> flags = d_.WitnessFlags();
    flags.insert(flags.end(), {"--witness-timeout-ms", "3000", "--host-key", d_.P("host.key"),
                               "--export-tokens", d_.P("tokens")});
    port_ = d_.StartLedgerd(ledgerd_, flags);
    ASSERT_GT(port_, 0) << Slurp(d_.P("ledgerd.log"));
  }
  httplib::Client Client(int port) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);
    return c;
  }
  void AwaitHealth(int status) {
    for (int i = 0; i < 300; ++i) {
      auto r = Client(port_).Get("/healthz");
      if (r && r->status == status) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "healthz never answered " << status << "\n" << Slurp(d_.P("ledgerd.log"));
  }
  void Post(const std::string& tag) {
    auto r = Client(port_).Post("/v1/entries", d_.StampedBatch(tag, 1).dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(d_.P(name), std::ios::binary) << content;
    return d_.P(name);
  }
  // The stored log, read-only (ledgerd stopped).
  std::unique_ptr<store::LogStore> OpenStore() {
    store::RocksDbOptions o;
    o.mode = store::RocksDbOptions::Mode::kReadOnly;
    auto kv = store::OpenRocksDb(d_.P("log/store"), o);
    EXPECT_TRUE(kv.ok()) << kv.status();
    auto s = store::LogStore::Open(std::move(*kv), note::ParseVerifierKey(d_.vkey).value());
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(*s);
  }
  // ledgerctl verify ... with the manifest's witness policy.
  CtlResult Verify(std::vector<std::string> args) {
    args.insert(args.end() - 1, {"--vkey", d_.P("log.vkey"), "--manifest", d_.P("manifest.bin")});
    return Ctl(args);
  }
  CtlResult VerifyUnwitnessed(std::vector<std::string> args) {
    args.insert(args.end() - 1, {"--vkey", d_.P("log.vkey"), "--allow-unwitnessed"});
    return Ctl(args);
  }
  static void ExpectQuorumRefusal(const CtlResult& r) {
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find("witness_quorum_not_met"), std::string::npos)
        << r.out << r.err;
  }

  Deployment d_;
  std::unique_ptr<Process> ledgerd_, explorer_;
  int port_ = 0;
};

TEST_F(UnwitnessedCheckpointTest, EveryVerifierRefusesWhatTheNotarySignedOnARolledBackHead) {
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  Post("old-");
  ASSERT_FALSE(HasFatalFailure());

  // Honest answers carry the cosigned checkpoint and pass with the manifest.
  auto receipt = Client(port_).Get("/v1/entries/1/receipt");
  ASSERT_TRUE(receipt && receipt->status == 200);
  const std::string honest_receipt =
      Write("honest.tlog-proof",
            nlohmann::json::parse(receipt->body)["tlog_proof"].get<std::string>());
  auto ok = Verify({"verify", "inclusion", honest_receipt});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("cosigned by 2 witnesses (quorum 2 of 2 pinned)"), std::string::npos)
      << ok.out;
  auto state = Client(port_).Get("/v1/state/key%2Fold-0");
  ASSERT_TRUE(state && state->status == 200);
  ok = Verify({"verify-state", Write("honest-state.json", state->body)});
  EXPECT_EQ(ok.code, 0) << ok.err;
  httplib::Client exporter = Client(port_);
  exporter.set_basic_auth("auditor@example.com", kToken);
  auto exported = exporter.Get("/v1/export");
  ASSERT_TRUE(exported);
  ASSERT_EQ(exported->status, 200) << exported->body;
  const std::string honest_bundle = Write("honest.tar", exported->body);
  ok = Verify({"verify-bundle", honest_bundle});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  // No pins at all: the verifiers refuse to run rather than trust the log
  // key alone.
  const std::vector<std::vector<std::string>> commands = {
      {"verify", "inclusion"}, {"verify-state"}, {"verify-bundle"}, {"verify-anchor"}};
  for (std::vector<std::string> bare : commands) {
    bare.insert(bare.end(), {"--vkey", d_.P("log.vkey"), honest_receipt});
    auto refused = Ctl(bare);
    EXPECT_EQ(refused.code, 2) << bare[0];
    EXPECT_NE(refused.err.find("witness_pins_missing"), std::string::npos) << refused.err;
  }

  // The rollback: a backup, three more entries, the backup restored, the
  // notary restarted. The witnesses refuse the notary's restored head.
  ledgerd_.reset();
  fs::copy(d_.P("log/store"), d_.P("store-backup"), fs::copy_options::recursive);
  const uint64_t backup_size = OpenStore()->size();
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(200);
  for (const char* tag : {"new-a", "new-b", "new-c"}) Post(tag);
  ledgerd_.reset();
  d_.notary.reset();
  fs::remove_all(d_.P("log/store"));
  fs::copy(d_.P("store-backup"), d_.P("log/store"), fs::copy_options::recursive);
  d_.StartNotary();
  ASSERT_FALSE(HasFatalFailure());
  StartLedgerd();
  ASSERT_FALSE(HasFatalFailure());
  AwaitHealth(503);
  ledgerd_.reset();

  // What the host holds now: the checkpoint the notary signed at Restore,
  // on the old head plus its ENCLAVE_BOOTED entry, signed by the log key
  // and by no witness.
  auto st = OpenStore();
  const VerifiedCheckpoint forked = st->latest();
  ASSERT_EQ(forked.checkpoint.size, backup_size + 1);
  auto log_key = note::ParseVerifierKey(d_.vkey).value();
  ASSERT_TRUE(VerifyCheckpoint(forked.note, *log_key).ok());

  // A receipt on it.
  auto prove = Ctl({"prove", "inclusion", "--data", d_.P("log"), "1"});
  ASSERT_EQ(prove.code, 0) << prove.err;
  ASSERT_NE(prove.out.find(forked.note), std::string::npos);
  const std::string forked_receipt = Write("forked.tlog-proof", prove.out);
  ExpectQuorumRefusal(Verify({"verify", "inclusion", forked_receipt}));
  EXPECT_EQ(VerifyUnwitnessed({"verify", "inclusion", forked_receipt}).code, 0);
  // A consistency proof from the honest checkpoint to it.
  auto old_cp = Ctl({"checkpoint", "--data", d_.P("log"), "--size", std::to_string(backup_size)});
  ASSERT_EQ(old_cp.code, 0) << old_cp.err;
  auto cons = Ctl({"prove", "consistency", "--data", d_.P("log"), "--from",
                   std::to_string(backup_size)});
  ASSERT_EQ(cons.code, 0) << cons.err;
  auto cons_refused = Ctl({"verify", "consistency", "--vkey", d_.P("log.vkey"), "--manifest",
                           d_.P("manifest.bin"), "--old", Write("old.cp", old_cp.out), "--new",
                           Write("forked.cp", forked.note), Write("cons.proof", cons.out)});
  ExpectQuorumRefusal(cons_refused);

  // A state answer on it.
  auto answer = Ctl({"state", "--data", d_.P("log"), "key/old-0", "--out", d_.P("forked.json")});
  ASSERT_EQ(answer.code, 0) << answer.err;
  ExpectQuorumRefusal(Verify({"verify-state", d_.P("forked.json")}));
  EXPECT_EQ(VerifyUnwitnessed({"verify-state", d_.P("forked.json")}).code, 0);

  // A bundle on it: the honest export (whose EXPORT_CREATED entry is in the
  // restored store) with its receipt re-proven under the forked checkpoint
  // and the tag manifest re-rendered.
  auto files = bundle::ReadTar(exported->body).value();
  auto receipt_json = nlohmann::json::parse(files[bundle::kExportReceipt]);
  auto entry = bundle::ParseEntryLine(receipt_json["entry"].dump()).value();
  const uint64_t bundle_size =
      nlohmann::json::parse(files[bundle::kExportManifest])["tree_size"].get<uint64_t>();
  ASSERT_LT(entry.index, backup_size);
  const uint64_t size = forked.checkpoint.size;
  auto incl = bundle::FormatInclusionLine(
      {entry.index, size, st->InclusionProof(entry.index, size).value()});
  auto cons_line = bundle::FormatConsistencyLine(
      {bundle_size, size, st->ConsistencyProof(bundle_size, size).value()});
  receipt_json["checkpoint"] = forked.note;
  receipt_json["inclusion"] = nlohmann::json::parse(incl.value());
  receipt_json["consistency"] = nlohmann::json::parse(cons_line.value());
  files[bundle::kExportReceipt] = bundle::CanonicalJson(receipt_json).value() + "\n";
  std::vector<std::string> tags = {bundle::kBagitTxt, bundle::kBagInfoTxt,
                                   bundle::kManifestSha256, bundle::kExportManifest,
                                   bundle::kExportReceipt};
  files[bundle::kTagManifestSha256] = bundle::RenderBagManifest(files, tags);
  const std::string forked_bundle = Write("forked.tar", bundle::WriteTar(files, 0).value());
  auto refused = Verify({"verify-bundle", forked_bundle});
  EXPECT_EQ(refused.code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.out.find("FAIL  export.signed"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("witness_quorum_not_met"), std::string::npos) << refused.out;
  // The forgery is otherwise sound: the log key alone accepts it.
  auto accepted = VerifyUnwitnessed({"verify-bundle", forked_bundle});
  EXPECT_EQ(accepted.code, 0) << accepted.out;

  // The explorer, which reads the manifest, serves the last witnessed
  // checkpoint, never the forked one.
  st.reset();
  explorer_ = std::make_unique<Process>(
      std::vector<std::string>{EXPLORER_BIN, "--data", d_.P("log"), "--listen", "127.0.0.1:0",
                               "--refresh-ms", "0"},
      d_.P("explorer.log"));
  const std::string line = explorer_->ReadLine();
  const std::string prefix = "listening on 127.0.0.1:";
  ASSERT_EQ(line.rfind(prefix, 0), 0u) << line << Slurp(d_.P("explorer.log"));
  const int explorer_port = std::stoi(line.substr(prefix.size()));
  auto served = Client(explorer_port).Get("/checkpoint");
  ASSERT_TRUE(served && served->status == 200);
  auto served_cp = VerifyCheckpoint(served->body, *log_key);
  ASSERT_TRUE(served_cp.ok()) << served_cp.status();
  EXPECT_EQ(served_cp->checkpoint.size, backup_size);
  EXPECT_EQ(served_cp->cosignatures.size(), 0u);  // none of the keys given here
  auto policy = WitnessPolicy::FromVkeys(d_.witness_vkeys, 2).value();
  EXPECT_TRUE(VerifyCheckpoint(served->body, *log_key, policy).ok());
  auto served_state = Client(explorer_port).Get("/v1/state/key%2Fold-0");
  ASSERT_TRUE(served_state && served_state->status == 200) << served_state->body;
  ok = Verify({"verify-state", Write("explorer-state.json", served_state->body)});
  EXPECT_EQ(ok.code, 0) << ok.err;
}

}  // namespace
}  // namespace ledger::ledgerd::testing
