// ledgerctl retention / hold / dispose: requests checked against the log's
// history; refusals recorded as DENIED entries; the store audit and an
// export of the records agree with the history.
#include "cli_fixture.h"
#include "ledger/base/hash.h"
#include "ledger/store/kv.h"

namespace ledger::cli {
namespace {

class RetentionCliTest : public testing::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    data_ = P("data");
    ASSERT_EQ(Ctl({"init", "--data", data_, "--origin", "ledger.test/retention"}).code, kExitOk);
    // Entry 0: a record with a payload under SEC-17a-4-6y.
    const std::string line =
        R"({"event": {"kind": "SIGNATURE_PRODUCED", "event_id": "e-1", "occurred_at": "2024-05-01T00:00:00Z", )"
        R"("actor": {"id": "svc/signer"}, "subject": "record/r-1", "outcome": "SUCCESS", )"
        R"("retention_class": "SEC-17a-4-6y"}, "payload": "the signed message"})";
    ASSERT_EQ(Ctl({"append", "--data", data_}, line + "\n").code, kExitOk);
  }
  nlohmann::json Entry(int index) {
    auto r = Ctl({"get", "--data", data_, std::to_string(index), "--json"});
    EXPECT_EQ(r.code, kExitOk) << r.out;
    return r.Json()["event"];
  }
  std::string data_;
};

TEST_F(RetentionCliTest, RefusalsAreRecordedAndTheAuditAgrees) {
  // Below the SEC minimum: refused, and the refusal is entry 1.
  auto cls = Ctl({"retention", "class", "--data", data_, "--class", "SEC-17a-4-6y", "--days", "30",
                  "--actor", "cco", "--json"});
  EXPECT_EQ(cls.code, kExitFailed);
  EXPECT_EQ(cls.Json()["error"]["reason"], "below_regulatory_minimum");
  EXPECT_EQ(Entry(1)["kind"], "RETENTION_SET");
  EXPECT_EQ(Entry(1)["outcome"], "DENIED");

  // Early disposal: refused and recorded; the body stays.
  auto early = Ctl({"dispose", "--data", data_, "--index", "0", "--actor", "ops"});
  EXPECT_EQ(early.code, kExitFailed) << early.out;
  EXPECT_NE(early.err.find("retention_not_expired"), std::string::npos) << early.err;
  EXPECT_NE(early.err.find("recorded as DENIED RECORD_DISPOSED entry #2"), std::string::npos);
  nlohmann::json refused = Entry(2);
  EXPECT_EQ(refused["kind"], "RECORD_DISPOSED");
  EXPECT_EQ(refused["outcome"], "DENIED");
  EXPECT_EQ(refused["attributes"]["record_index"], "0");
  auto get = Ctl({"get", "--data", data_, "0", "--json"});
  EXPECT_EQ(get.Json()["payload"]["base64"], Base64Encode(ToBytes("the signed message")))
      << get.out;

  // Legal hold: the key that placed it cannot release it, whatever --role
  // says; another key the policy admits can.
  EXPECT_EQ(Ctl({"hold", "place", "--data", data_, "--subject", "record/r-1", "--hold-id", "case-7",
                 "--role", "legal"})
                .code,
            kExitOk);
  auto same = Ctl({"hold", "release", "--data", data_, "--subject", "record/r-1", "--hold-id",
                   "case-7", "--role", "compliance", "--json"});
  EXPECT_EQ(same.code, kExitFailed);
  EXPECT_EQ(same.Json()["error"]["reason"], "same_stamper_release") << same.out;
  auto key = Ctl({"submitter-key", "--name", "compliance.test", "--out", P("compliance.key"),
                  "--json"});
  ASSERT_EQ(key.code, kExitOk) << key.err;
  {
    // The development log's policy is ledger.json's submitter list.
    std::ifstream in(data_ + "/ledger.json");
    nlohmann::json config = nlohmann::json::parse(in);
    config["submitters"].push_back(key.Json()["vkey"]);
    std::ofstream(data_ + "/ledger.json") << config.dump(2) << "\n";
  }
  auto other = Ctl({"hold", "release", "--data", data_, "--subject", "record/r-1", "--hold-id",
                    "case-7", "--role", "legal", "--submitter-key", P("compliance.key")});
  EXPECT_EQ(other.code, kExitOk) << other.err;
  // Retain-until: extend, never shorten.
  EXPECT_EQ(Ctl({"retention", "extend", "--data", data_, "--subject", "record/r-1", "--until",
                 "2040-01-01T00:00:00Z"})
                .code,
            kExitOk);
  EXPECT_EQ(Ctl({"retention", "extend", "--data", data_, "--subject", "record/r-1", "--until",
                 "2035-01-01T00:00:00Z"})
                .code,
            kExitFailed);

  auto audit = Ctl({"verify", "store", "--data", data_});
  EXPECT_EQ(audit.code, kExitOk) << audit.err;

  // The export of the record carries its retention history and verifies.
  ASSERT_EQ(Ctl({"export", "--data", data_, "--subject", "record/r-1", "--out", P("b")}).code,
            kExitOk);
  auto v = Ctl({"verify-bundle", "--vkey", data_ + "/log.vkey", "--allow-unwitnessed", P("b")});
  EXPECT_EQ(v.code, kExitOk) << v.out;
  EXPECT_NE(v.out.find("PASS  retention"), std::string::npos) << v.out;
}

// A body the store received with its entry and lost without a disposal is
// reported as missing, not as absent: by `verify store` and, through the
// export, by `verify-bundle`.
TEST_F(RetentionCliTest, ABodyDeletedWithoutDisposalIsReportedMissing) {
  ASSERT_EQ(Ctl({"verify", "store", "--data", data_}).code, kExitOk);
  {
    store::RocksDbOptions o;
    o.mode = store::RocksDbOptions::Mode::kReadWrite;
    auto kv = store::OpenRocksDb(data_ + "/store", o);
    ASSERT_TRUE(kv.ok()) << kv.status();
    const Hash digest = Sha256::Digest("the signed message");
    store::WriteBatch wb;
    wb.Erase(store::Column::kPayloads, Bytes(digest.bytes.begin(), digest.bytes.end()));
    ASSERT_TRUE((*kv)->Write(wb).ok());
  }
  auto audit = Ctl({"verify", "store", "--data", data_, "--json"});
  EXPECT_EQ(audit.code, kExitVerificationFailed) << audit.out;  // corruption
  EXPECT_EQ(audit.Json()["error"]["reason"], "payload_missing") << audit.out;

  ASSERT_EQ(Ctl({"export", "--data", data_, "--subject", "record/r-1", "--out", P("b")}).code,
            kExitOk);
  EXPECT_NE(testing::Slurp(P("b") + "/data/payloads.json").find("\"missing\""), std::string::npos);
  auto v = Ctl({"verify-bundle", "--vkey", data_ + "/log.vkey", "--allow-unwitnessed", P("b")});
  EXPECT_NE(v.code, kExitOk) << v.out;
  EXPECT_NE(v.out.find("payload_missing"), std::string::npos) << v.out;
}

}  // namespace
}  // namespace ledger::cli
