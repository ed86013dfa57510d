// ledgerctl state / verify-state (map.md §9), in-process: a service that
// restored its database from an old backup finds out, a stale writer is
// refused, and a tampered answer or an old checkpoint is caught offline.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_fixture.h"
#include "ledger/base/hash.h"
#include "ledger/cli/ledgerctl.h"

namespace ledger::cli {
namespace {

class StateCliTest : public testing::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    data_ = P("data");
    ASSERT_EQ(Ctl({"init", "--data", data_, "--origin", "ledger.test/state"}).code, kExitOk);
  }
  static std::string Notarize(int n, const std::optional<Hash>& prior, const Hash& next) {
    nlohmann::json e = {{"kind", "STATE_NOTARIZED"},
                        {"event_id", "db-" + std::to_string(n)},
                        {"occurred_at_us", 1714550400000000 + n},
                        {"actor", {{"id", "svc/billing"}}},
                        {"subject", "billing/db"},
                        {"outcome", "SUCCESS"},
                        {"new_state_hash", next.Hex()}};
    if (prior) e["prior_state_hash"] = prior->Hex();
    return e.dump() + "\n";
  }
  testing::CtlResult Append(const std::string& jsonl) {
    return Ctl({"append", "--data", data_, "--json", "-"}, jsonl);
  }
  std::string Vkey() { return data_ + "/log.vkey"; }

  std::string data_;
  const Hash v1_ = Sha256::Digest("balances v1"), v2_ = Sha256::Digest("balances v2");
};

TEST_F(StateCliTest, RestoredBackupIsDetectedAndStaleWriterRefused) {
  ASSERT_EQ(Append(Notarize(1, std::nullopt, v1_)).code, kExitOk);
  auto cp1 = Ctl({"checkpoint", "--data", data_, "--json"}).Json();
  ASSERT_EQ(Append(Notarize(2, v1_, v2_)).code, kExitOk);

  auto st = Ctl({"state", "--data", data_, "billing/db", "--out", P("answer.json"), "--json"});
  ASSERT_EQ(st.code, kExitOk) << st.err;
  EXPECT_EQ(st.Json()["state"]["state_hash"], v2_.Hex());
  EXPECT_EQ(st.Json()["state"]["version"], 2);

  // The service loads its database and checks what it loaded.
  auto ok = Ctl({"verify-state", "--vkey", Vkey(), "--allow-unwitnessed", P("answer.json"), "--expect-state", v2_.Hex(),
                 "--json"});
  ASSERT_EQ(ok.code, kExitOk) << ok.out << ok.err;
  EXPECT_TRUE(ok.Json()["verified"].get<bool>());
  // ... the database came back from last week's backup: v1.
  auto restored = Ctl({"verify-state", "--vkey", Vkey(), "--allow-unwitnessed", P("answer.json"), "--expect-state",
                       v1_.Hex(), "--json"});
  EXPECT_EQ(restored.code, kExitVerificationFailed);
  EXPECT_NE(restored.out.find("state_not_latest"), std::string::npos) << restored.out;
  // Writing on from the backup is refused when it is notarized.
  auto stale = Append(Notarize(3, v1_, Sha256::Digest("balances v3")));
  EXPECT_NE(stale.code, kExitOk);
  EXPECT_NE((stale.out + stale.err).find("state_conflict"), std::string::npos) << stale.out;

  // An answer as of the older checkpoint verifies but is older than asked.
  const std::string size1 = std::to_string(cp1["size"].get<uint64_t>());
  ASSERT_EQ(Ctl({"state", "--data", data_, "billing/db", "--at", size1, "--out", P("old.json")})
                .code,
            kExitOk);
  EXPECT_EQ(Ctl({"verify-state", "--vkey", Vkey(), "--allow-unwitnessed", P("old.json"), "--expect-state", v1_.Hex()})
                .code,
            kExitOk);
  auto too_old = Ctl({"verify-state", "--vkey", Vkey(), "--allow-unwitnessed", P("old.json"), "--min-size", "2", "--json"});
  EXPECT_EQ(too_old.code, kExitVerificationFailed);
  EXPECT_NE(too_old.out.find("stale_checkpoint"), std::string::npos);
}

TEST_F(StateCliTest, AbsenceAndTamperedAnswers) {
  ASSERT_EQ(Append(Notarize(1, std::nullopt, v1_)).code, kExitOk);
  auto absent = Ctl({"state", "--data", data_, "billing/other", "--out", P("absent.json"),
                     "--json"});
  ASSERT_EQ(absent.code, kExitOk) << absent.err;
  EXPECT_FALSE(absent.Json()["state"]["present"].get<bool>());
  auto v = Ctl({"verify-state", "--vkey", Vkey(), "--allow-unwitnessed", P("absent.json"), "--json"});
  ASSERT_EQ(v.code, kExitOk) << v.out;
  EXPECT_FALSE(v.Json()["present"].get<bool>());
  EXPECT_EQ(Ctl({"verify-state", "--vkey", Vkey(), "--allow-unwitnessed", P("absent.json"), "--subject", "billing/db"})
                .code,
            kExitVerificationFailed);

  ASSERT_EQ(Ctl({"state", "--data", data_, "billing/db", "--out", P("a.json")}).code, kExitOk);
  auto doc = nlohmann::json::parse(testing::Slurp(P("a.json")));
  // Claim absence for a present subject: drop the entry and the leaf.
  auto hidden = doc;
  hidden["entry"] = nullptr;
  Write("hidden.json", hidden.dump());
  EXPECT_EQ(Ctl({"verify-state", "--vkey", Vkey(), "--allow-unwitnessed", P("hidden.json")}).code,
            kExitVerificationFailed);
  // Swap the subject: the map proof is for another key.
  auto swapped = doc;
  swapped["subject"] = "billing/other";
  Write("swapped.json", swapped.dump());
  EXPECT_NE(Ctl({"verify-state", "--vkey", Vkey(), "--allow-unwitnessed", P("swapped.json")}).code, kExitOk);
  // Unknown fields are refused.
  auto extra = doc;
  extra["trust_me"] = true;
  Write("extra.json", extra.dump());
  EXPECT_EQ(Ctl({"verify-state", "--vkey", Vkey(), "--allow-unwitnessed", P("extra.json")}).code, kExitUsage);
}

}  // namespace
}  // namespace ledger::cli
