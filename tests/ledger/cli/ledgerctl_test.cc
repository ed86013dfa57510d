// ledgerctl end to end, in-process: every command, its exit codes, its
// --json shape, and what it does with bad input and a tampered store.
#include "ledger/cli/ledgerctl.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_fixture.h"
#include "ledger/base/bytes.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/tlog_proof.h"
#include "ledger/store/kv.h"
#include "ledger_test_paths.h"

namespace ledger::cli {
namespace {
namespace fs = std::filesystem;

class LedgerctlTest : public testing::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    data_ = P("data");
  }

  static std::string Samples() {
    std::ifstream in(std::string(LEDGER_SOURCE_DIR) + "/ops/samples/events.jsonl");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  void InitAndAppend() {
    ASSERT_EQ(Ctl({"init", "--data", data_, "--origin", "ledger.test/cli"}).code, kExitOk);
    auto r = Ctl({"append", "--data", data_, "--batch-size", "5"}, Samples());
    ASSERT_EQ(r.code, kExitOk) << r.err;
  }
  std::string Vkey() { return data_ + "/log.vkey"; }

  std::string data_;
};

TEST_F(LedgerctlTest, InitAppendGetAndCheckpoint) {
  auto init = Ctl({"init", "--data", data_, "--origin", "ledger.test/cli", "--json"});
  ASSERT_EQ(init.code, kExitOk) << init.out;
  EXPECT_EQ(init.Json()["origin"], "ledger.test/cli");
  auto app = Ctl({"append", "--data", data_, "--json", "-"}, Samples());
  ASSERT_EQ(app.code, kExitOk) << app.out;
  auto entries = app.Json()["entries"];
  ASSERT_EQ(entries.size(), 12u);
  EXPECT_EQ(entries[4]["index"], 4);
  auto get = Ctl({"get", "--data", data_, "4", "--json"});
  ASSERT_EQ(get.code, kExitOk);
  EXPECT_EQ(get.Json()["leaf_hash"], entries[4]["leaf_hash"]);
  EXPECT_EQ(get.Json()["event"]["event_id"], entries[4]["event_id"]);
  EXPECT_TRUE(get.Json()["stamped"].get<bool>());
  auto cp = Ctl({"checkpoint", "--data", data_, "--json"});
  EXPECT_EQ(cp.Json()["size"], 12);
  auto search = Ctl({"get", "--data", data_, "--subject", "key/k-legacy-treasury-07", "--json"});
  ASSERT_EQ(search.code, kExitOk);
  const nlohmann::json found = search.Json();
  for (const auto& e : found["entries"]) {
    EXPECT_EQ(e["event"]["subject"], "key/k-legacy-treasury-07");
  }
  EXPECT_GE(search.Json()["entries"].size(), 3u);
}

// Every verifier requires the deployment's witness quorum (docs/verification.md,
// "The witness quorum"): from --pins (or --manifest, or --witness keys), never from
// the receipt; without any, it refuses to run unless told
// --allow-unwitnessed.
TEST_F(LedgerctlTest, VerifiersRequireTheWitnessQuorumOfThePins) {
  InitAndAppend();
  auto prove = Ctl({"prove", "inclusion", "--data", data_, "7"});
  ASSERT_EQ(prove.code, kExitOk);
  const std::string bare = Write("bare.p", prove.out);
  // The same receipt with one cosignature by a witness.
  auto witness = note::NewCosignatureV1Signer(
      "witness.test/w1", Ed25519PrivateKey::FromSeed(Bytes(32, 0x31)).value());
  auto other = note::NewCosignatureV1Signer(
      "witness.test/w2", Ed25519PrivateKey::FromSeed(Bytes(32, 0x32)).value());
  TlogProof proof = ParseTlogProof(prove.out).value();
  note::Note n = note::Parse(proof.checkpoint).value();
  n.signatures.push_back(note::SignText(n.text, *witness).value());
  proof.checkpoint = note::Format(n);
  const std::string cosigned = Write("cosigned.p", FormatTlogProof(proof));
  const std::string vkey_file = testing::Slurp(Vkey());
  const std::string log_vkey = vkey_file.substr(0, vkey_file.find('\n'));
  auto pins = [&](const std::string& name, nlohmann::json witnesses, int quorum,
                  const std::string& vkey) {
    return Write(name, nlohmann::json{{"log_vkey", vkey},
                                      {"witness_vkeys", witnesses},
                                      {"witness_quorum", quorum}}
                           .dump());
  };
  const std::string one = pins("one.json", {witness->VerifierKey()}, 1, log_vkey);
  const std::string two = pins("two.json", {witness->VerifierKey(), other->VerifierKey()}, 2, log_vkey);
  const std::string none = pins("none.json", nlohmann::json::array(), 0, log_vkey);

  auto missing = Ctl({"verify", "inclusion", "--vkey", Vkey(), bare});
  EXPECT_EQ(missing.code, kExitUsage);
  EXPECT_NE(missing.err.find("witness_pins_missing"), std::string::npos) << missing.err;
  auto unwitnessed = Ctl({"verify", "inclusion", "--vkey", Vkey(), "--pins", one, bare});
  EXPECT_EQ(unwitnessed.code, kExitVerificationFailed);
  EXPECT_NE(unwitnessed.err.find("witness_quorum_not_met"), std::string::npos);
  auto ok = Ctl({"verify", "inclusion", "--vkey", Vkey(), "--pins", one, cosigned});
  EXPECT_EQ(ok.code, kExitOk) << ok.err;
  EXPECT_NE(ok.out.find("cosigned by 1 witnesses (quorum 1 of 1 pinned)"), std::string::npos)
      << ok.out;
  EXPECT_EQ(Ctl({"verify", "inclusion", "--vkey", Vkey(), "--pins", two, cosigned}).code,
            kExitVerificationFailed);
  // A deployment without witnesses says so (quorum 0): no flag needed.
  ok = Ctl({"verify", "inclusion", "--vkey", Vkey(), "--pins", none, bare});
  EXPECT_EQ(ok.code, kExitOk) << ok.err;
  EXPECT_NE(ok.out.find("requires no witnesses"), std::string::npos) << ok.out;
  // --witness keys: every one is required unless --quorum says fewer.
  EXPECT_EQ(Ctl({"verify", "inclusion", "--vkey", Vkey(), "--witness", witness->VerifierKey(),
                 cosigned}).code, kExitOk);
  EXPECT_EQ(Ctl({"verify", "inclusion", "--vkey", Vkey(), "--witness", witness->VerifierKey(),
                 "--witness", other->VerifierKey(), cosigned}).code, kExitVerificationFailed);
  EXPECT_EQ(Ctl({"verify", "inclusion", "--vkey", Vkey(), "--witness", witness->VerifierKey(),
                 "--witness", other->VerifierKey(), "--quorum", "1", cosigned}).code, kExitOk);
  // Bad pins.
  auto check = [&](std::vector<std::string> args, int code, const std::string& reason) {
    args.insert(args.begin(), {"verify", "inclusion", "--vkey", Vkey()});
    args.push_back(cosigned);
    auto r = Ctl(args);
    EXPECT_EQ(r.code, code) << reason << ": " << r.err;
    EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
  };
  check({"--witness", witness->VerifierKey(), "--quorum", "0"}, kExitUsage, "bad_quorum");
  check({"--witness", witness->VerifierKey(), "--quorum", "2"}, kExitUsage, "bad_quorum");
  check({"--quorum", "1"}, kExitUsage, "bad_quorum");
  check({"--pins", one, "--witness", witness->VerifierKey()}, kExitUsage,
        "conflicting_witness_pins");
  check({"--pins", Write("garbage.json", "[1,2]")}, kExitUsage, "bad_pins");
  check({"--pins", Write("noquorum.json", nlohmann::json{{"witness_vkeys", {}}}.dump())},
        kExitUsage, "bad_pins");
  check({"--pins", pins("big.json", {witness->VerifierKey()}, 2, log_vkey)}, kExitUsage,
        "bad_witness_policy");
  check({"--pins", pins("other.json", {witness->VerifierKey()}, 1,
                        witness->VerifierKey())},
        kExitVerificationFailed, "pins_other_log");
  // Explicitly accepted, the pinned witnesses' lines are still checked.
  EXPECT_EQ(Ctl({"verify", "inclusion", "--vkey", Vkey(), "--allow-unwitnessed", bare}).code,
            kExitOk);
  n.signatures.back().payload[9] ^= 1;
  proof.checkpoint = note::Format(n);
  const std::string broken = Write("broken.p", FormatTlogProof(proof));
  EXPECT_EQ(Ctl({"verify", "inclusion", "--vkey", Vkey(), "--pins", one, "--allow-unwitnessed",
                 broken}).code, kExitVerificationFailed);
  // verify consistency requires the quorum on both checkpoints.
  auto old_cp = Ctl({"checkpoint", "--data", data_, "--size", "5"});
  auto new_cp = Ctl({"checkpoint", "--data", data_});
  auto cons = Ctl({"prove", "consistency", "--data", data_, "--from", "5"});
  auto refused = Ctl({"verify", "consistency", "--vkey", Vkey(), "--pins", one, "--old",
                      Write("o.cp", old_cp.out), "--new", Write("n.cp", new_cp.out),
                      Write("c.proof", cons.out)});
  EXPECT_EQ(refused.code, kExitVerificationFailed);
  EXPECT_NE(refused.err.find("old checkpoint"), std::string::npos) << refused.err;
}

TEST_F(LedgerctlTest, InclusionReceiptVerifiesOfflineAndTamperingFails) {
  InitAndAppend();
  auto prove = Ctl({"prove", "inclusion", "--data", data_, "7"});
  ASSERT_EQ(prove.code, kExitOk) << prove.err;
  auto receipt = Write("r.tlog-proof", prove.out);
  auto ok = Ctl({"verify", "inclusion", "--vkey", Vkey(), "--allow-unwitnessed", receipt});
  EXPECT_EQ(ok.code, kExitOk) << ok.err;
  // Proof against an older checkpoint.
  auto old = Ctl({"prove", "inclusion", "--data", data_, "2", "--size", "5"});
  ASSERT_EQ(old.code, kExitOk) << old.err;
  EXPECT_EQ(Ctl({"verify", "inclusion", "--vkey", Vkey(), "--allow-unwitnessed", Write("old.p", old.out)}).code, kExitOk);
  // A proof hash altered: verification fails with exit 1.
  std::string bad = prove.out;
  size_t pos = bad.find("\nindex 7\n") + 9;
  bad[pos] = bad[pos] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Ctl({"verify", "inclusion", "--vkey", Vkey(), "--allow-unwitnessed", Write("bad.p", bad)}).code,
            kExitVerificationFailed);
  // The right receipt against another log's key: exit 1.
  auto other = Ctl({"init", "--data", (dir_ / "other").string(), "--origin", "ledger.test/cli"});
  ASSERT_EQ(other.code, kExitOk);
  auto wrong = Ctl({"verify", "inclusion", "--vkey", (dir_ / "other/log.vkey").string(), "--allow-unwitnessed", receipt});
  EXPECT_EQ(wrong.code, kExitVerificationFailed) << wrong.err;
  // A leaf hash that is not the receipt's leaf.
  auto mismatch = Ctl({"verify", "inclusion", "--vkey", Vkey(), "--allow-unwitnessed", receipt, "--leaf-hash",
                       std::string(64, 'a')});
  EXPECT_EQ(mismatch.code, kExitVerificationFailed);
}

TEST_F(LedgerctlTest, ConsistencyProofVerifiesOffline) {
  InitAndAppend();
  auto c5 = Ctl({"checkpoint", "--data", data_, "--size", "5"});
  ASSERT_EQ(c5.code, kExitOk) << c5.err;
  auto c12 = Ctl({"checkpoint", "--data", data_});
  auto proof = Ctl({"prove", "consistency", "--data", data_, "--from", "5"});
  ASSERT_EQ(proof.code, kExitOk) << proof.err;
  auto old_cp = Write("c5", c5.out), new_cp = Write("c12", c12.out);
  auto ok = Ctl({"verify", "consistency", "--vkey", Vkey(), "--allow-unwitnessed", "--old", old_cp, "--new", new_cp,
                 Write("p", proof.out)});
  EXPECT_EQ(ok.code, kExitOk) << ok.err;
  // Swapping the checkpoints, or a proof for other sizes, fails.
  EXPECT_EQ(Ctl({"verify", "consistency", "--vkey", Vkey(), "--allow-unwitnessed", "--old", new_cp, "--new", old_cp,
                 Write("p2", proof.out)}).code,
            kExitVerificationFailed);
  auto p10 = Ctl({"prove", "consistency", "--data", data_, "--from", "10"});
  EXPECT_EQ(Ctl({"verify", "consistency", "--vkey", Vkey(), "--allow-unwitnessed", "--old", old_cp, "--new", new_cp,
                 Write("p3", p10.out)}).code,
            kExitVerificationFailed);
  EXPECT_EQ(Ctl({"verify", "consistency", "--vkey", Vkey(), "--allow-unwitnessed", "--old", old_cp, "--new", new_cp,
                 Write("p4", "consistency 5\n")}).code,
            kExitUsage);
}

TEST_F(LedgerctlTest, BadInputGetsStableErrorsAndWritesNothing) {
  InitAndAppend();
  std::string lines = Samples();
  lines += "{\"kind\":\"KEY_CREATED\",\"bogus\":1}\n";
  auto r = Ctl({"append", "--data", data_, "--json"}, lines);
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.Json()["error"]["code"], "invalid_argument");
  EXPECT_NE(r.Json()["error"]["message"].get<std::string>().find("line 13"), std::string::npos);
  EXPECT_EQ(Ctl({"checkpoint", "--data", data_, "--json"}).Json()["size"], 12);
  EXPECT_EQ(Ctl({"append", "--data", data_}, "not json\n").code, kExitUsage);
  EXPECT_EQ(Ctl({"append", "--data", data_}, "").code, kExitUsage);
  std::string first = Samples().substr(0, Samples().find('\n'));
  std::string huge = "{\"event\":" + first + ",\"payload\":\"" +
                     std::string((1 << 20) + 1, 'x') + "\"}\n";
  auto big = Ctl({"append", "--data", data_, "--json"}, huge);
  EXPECT_EQ(big.code, kExitUsage);
  EXPECT_EQ(big.Json()["error"]["reason"], "payload_too_large");
  std::string dup = "{\"event\":" + first + ",\"event\":" + first + "}\n";
  EXPECT_EQ(Ctl({"append", "--data", data_, "--json"}, dup).Json()["error"]["reason"],
            "duplicate_key");

  auto past = Ctl({"get", "--data", data_, "12", "--json"});
  EXPECT_EQ(past.code, kExitUsage);
  EXPECT_EQ(past.Json()["error"]["reason"], "index_out_of_range");
  EXPECT_EQ(Ctl({"get", "--data", data_, "18446744073709551615"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"get", "--data", data_, "18446744073709551616"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"get", "--data", data_, "-1"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"prove", "consistency", "--data", data_, "--from", "13"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"checkpoint", "--data", data_, "--size", "7"}).code, kExitNotFound);
  EXPECT_EQ(Ctl({"get", "--data", (dir_ / "nowhere").string(), "0"}).code, kExitNotFound);
  EXPECT_EQ(Ctl({"frobnicate"}).code, kExitUsage);
  EXPECT_EQ(Ctl({}).code, kExitUsage);
  EXPECT_EQ(Ctl({"get", "--data", data_, "--bogus", "1"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"init", "--data", data_, "--origin", "ledger.test/cli"}).code, kExitFailed);
  EXPECT_EQ(Ctl({"init", "--data", (dir_ / "x").string(), "--origin", "bad origin"}).code,
            kExitUsage);
  EXPECT_EQ(Ctl({"verify", "inclusion", "--vkey", "nonsense", "--allow-unwitnessed", Write("e", "")}).code, kExitUsage);
  EXPECT_EQ(Ctl({"verify", "inclusion", "--vkey", Vkey(), "--allow-unwitnessed", Write("g", "garbage\n")}).code,
            kExitUsage);
  EXPECT_EQ(Ctl({"verify", "store", "--data", data_}).code, kExitOk);
}

// A notary address is a Unix socket path or vsock:CID:PORT; anything that
// looks like vsock but is not exactly that is refused before any connection,
// and nothing is written.
TEST_F(LedgerctlTest, AMalformedNotaryAddressIsBadUsage) {
  const std::string data = (dir_ / "vsock-log").string();
  for (const char* bad : {"vsock:16", "vsock:16:5005x", "vsock:0:5005", "vsock:-1:1"}) {
    auto r = Ctl({"notary", "status", "--socket", bad, "--json"});
    EXPECT_EQ(r.code, kExitUsage) << bad;
    EXPECT_EQ(r.Json()["error"]["reason"], "bad_notary_address") << bad;
  }
  auto init = Ctl({"init", "--data", data, "--notary", "vsock:16", "--vkey", Vkey(),
                   "--submitter-key", Write("k", "x"), "--json"});
  EXPECT_EQ(init.code, kExitUsage);
  EXPECT_FALSE(std::filesystem::exists(data + "/ledger.json"));
}

TEST_F(LedgerctlTest, TamperedStoreIsReportedNotServed) {
  InitAndAppend();
  // Rewrite one stored leaf the way an attacker with disk access would.
  {
    store::RocksDbOptions o;
    auto kv = store::OpenRocksDb(data_ + "/store", o).value();
    Bytes key;
    AppendU64BE(key, 6);
    Bytes leaf = kv->Get(store::Column::kLeaves, key).value();
    leaf[leaf.size() - 80] ^= 0x20;
    store::WriteBatch wb;
    wb.Put(store::Column::kLeaves, key, leaf);
    ASSERT_TRUE(kv->Write(wb).ok());
  }
  auto get = Ctl({"get", "--data", data_, "6", "--json"});
  EXPECT_EQ(get.code, kExitVerificationFailed);
  EXPECT_EQ(get.Json()["error"]["code"], "corruption");
  EXPECT_EQ(Ctl({"prove", "inclusion", "--data", data_, "6"}).code, kExitVerificationFailed);
  EXPECT_EQ(Ctl({"get", "--data", data_, "5"}).code, kExitOk);
  auto audit = Ctl({"verify", "store", "--data", data_});
  EXPECT_EQ(audit.code, kExitVerificationFailed);
  EXPECT_NE(audit.err.find("leaf_mismatch"), std::string::npos) << audit.err;
}

}  // namespace
}  // namespace ledger::cli
