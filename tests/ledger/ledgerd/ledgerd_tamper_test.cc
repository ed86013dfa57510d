// Store tampering: one byte flipped in one record of each kind the store
// keeps (leaves, tiles, checkpoints, metadata, payloads, request ids, search
// indexes, state-map nodes), with ledgerd stopped, then ledgerd restarted on it. Whatever the
// record, ledgerd never serves it as valid: a read that meets it is refused
// with a stable reason, /healthz reports it (503 with that reason, and the
// start-up audit catches the columns no request reads), appends stop, and
// `ledgerctl verify store` fails.
#include <httplib.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "ledger/base/hash.h"
#include "ledger/codec/event_json.h"
#include "ledger/record/event.h"
#include "ledger/record/stamp.h"
#include "ledger/store/kv.h"
#include "ledgerd_fixture.h"

namespace ledger::ledgerd::testing {
namespace {

namespace fs = std::filesystem;
using store::Column;

class LedgerdTamperTest : public ::testing::Test {
 protected:
  // One log with a few batches, one entry with a payload; ledgerd stopped,
  // the store copied to pristine/ for every test to start from. Made by the
  // first test's SetUp (a failure in SetUpTestSuite would make gtest skip
  // the tests instead of failing them).
  static void MakeDeployment() {
    deployment_ = new Deployment();
    deployment_->Create();
    if (HasFatalFailure()) return;
    std::unique_ptr<Process> ledgerd;
    int port = deployment_->StartLedgerd(ledgerd);
    ASSERT_GT(port, 0);
    httplib::Client c("127.0.0.1", port);
    for (int i = 0; i < 6; ++i) {
      auto r = c.Post("/v1/entries", Entry("tamper-" + std::to_string(i)).dump(),
                      "application/json");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body;
    }
    nlohmann::json with_payload = Entry("tamper-payload", kPayload);
    with_payload["payload"] = kPayload;
    auto r = c.Post("/v1/entries", with_payload.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    ledgerd->Kill(SIGTERM);
    fs::copy(deployment_->P("log/store"), deployment_->P("pristine"), fs::copy_options::recursive);
  }
  static void TearDownTestSuite() {
    if (deployment_ != nullptr) deployment_->Destroy();
    delete deployment_;
    deployment_ = nullptr;
  }
  void SetUp() override {
    if (deployment_ == nullptr) MakeDeployment();
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_TRUE(fs::exists(deployment_->P("pristine")));
    fs::remove_all(deployment_->P("log/store"));
    fs::copy(deployment_->P("pristine"), deployment_->P("log/store"), fs::copy_options::recursive);
  }
  void TearDown() override {
    ledgerd_.reset();
    // The audit refuses the tampered store (exit 1: verification failed).
    auto audit = Ctl({"verify", "store", "--data", deployment_->P("log")});
    EXPECT_EQ(audit.code, 1) << audit.out << audit.err;
  }

  static constexpr const char* kPayload = "{\"approvals\": 2}";

  static nlohmann::json Entry(const std::string& id, const std::string& payload = "") {
    nlohmann::json event = {{"kind", "KEY_CREATED"},
                            {"event_id", "evt-" + id},
                            {"request_id", "req-" + id},
                            {"occurred_at", "2024-05-01T09:00:00Z"},
                            {"actor", {{"id", "user/tamper"}}},
                            {"subject", "key/" + id},
                            {"outcome", "SUCCESS"}};
    if (!payload.empty()) event["payload_digest"] = Sha256::Digest(AsBytes(payload)).Hex();
    auto e = codec::EventFromJsonValue(event);
    auto bytes = EncodeEvent(*e);
    auto stamp = MakeStamp(deployment_->origin, *bytes, *deployment_->submitter);
    return {{"event", event}, {"stamp", Base64Encode(*stamp)}};
  }

  // Flips one byte of the value (or, for columns whose values are empty, of
  // the key) of the first record of `column` that `pick` accepts: the byte
  // at `at` when given, else the middle one.
  void Flip(Column column, const std::function<bool(ByteView key)>& pick = nullptr,
            std::optional<size_t> at = std::nullopt) {
    store::RocksDbOptions o;
    auto kv = store::OpenRocksDb(deployment_->P("log/store"), o);
    ASSERT_TRUE(kv.ok()) << kv.status().ToString();
    std::optional<std::pair<Bytes, Bytes>> found;
    ASSERT_TRUE((*kv)->Scan(column, {}, {}, false, [&](ByteView k, ByteView v) {
                      if (pick && !pick(k)) return true;
                      found.emplace(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
                      return false;
                    }).ok());
    ASSERT_TRUE(found) << "no record in " << store::ColumnName(column);
    auto [key, value] = *found;
    store::WriteBatch wb;
    if (value.empty()) {
      wb.Erase(column, key);
      key[at.value_or(key.size() / 2)] ^= 0x01;
      wb.Put(column, key, value);
    } else {
      value[at.value_or(value.size() / 2)] ^= 0x01;
      wb.Put(column, key, value);
    }
    ASSERT_TRUE((*kv)->Write(wb).ok());
  }

  void Start() {
    port_ = deployment_->StartLedgerd(ledgerd_);
    ASSERT_GT(port_, 0) << Slurp(deployment_->P("ledgerd.log"));
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }
  static std::string Reason(const httplib::Result& r) {
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"]["reason"].get<std::string>() : "";
  }

  // /healthz is 503 with a stable reason, appends are refused, the metric
  // says so; returns the reason.
  std::string ExpectUnhealthy() {
    auto h = Client().Get("/healthz");
    EXPECT_TRUE(h);
    if (!h) return "";
    EXPECT_EQ(h->status, 503) << h->body;
    std::string reason = Reason(h);
    EXPECT_FALSE(reason.empty()) << h->body;
    auto r = Client().Post("/v1/entries", Entry("after-tamper").dump(), "application/json");
    EXPECT_TRUE(r);
    if (r) {
      EXPECT_EQ(r->status, 503) << r->body;
    }
    EXPECT_NE(Client().Get("/metrics")->body.find("ledgerd_up 0"), std::string::npos);
    return reason;
  }

  static Deployment* deployment_;
  std::unique_ptr<Process> ledgerd_;
  int port_ = 0;
};

Deployment* LedgerdTamperTest::deployment_ = nullptr;

bool KeyIs(ByteView k, uint64_t index) { return k.size() == 8 && LoadU64BE(k.data()) == index; }

TEST_F(LedgerdTamperTest, ALeafIsRefusedOnReadAndByTheStartupAudit) {
  Flip(Column::kLeaves, [](ByteView k) { return KeyIs(k, 2); });
  Start();
  EXPECT_EQ(ExpectUnhealthy(), "leaf_mismatch");
  // The tampered entry is never served; the others still are, verified.
  auto r = Client().Get("/v1/entries/2/receipt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500) << r->body;
  EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["code"], "corruption") << r->body;
  r = Client().Get("/v1/entries/3/receipt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(LedgerdTamperTest, ALeafMetOnReadMakesLedgerdUnhealthy) {
  // Without the start-up audit, the first read that meets it does.
  Flip(Column::kLeaves, [](ByteView k) { return KeyIs(k, 2); });
  port_ = deployment_->StartLedgerd(ledgerd_, {"--audit-on-start", "off"});
  ASSERT_GT(port_, 0);
  EXPECT_EQ(Client().Get("/healthz")->status, 200);
  auto r = Client().Get("/v1/entries/2/receipt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500) << r->body;
  const std::string reason = Reason(r);
  EXPECT_FALSE(reason.empty());
  EXPECT_EQ(ExpectUnhealthy(), reason);
  EXPECT_NE(Client().Get("/metrics")->body.find("ledgerd_store_corrupt 1"), std::string::npos);
}

TEST_F(LedgerdTamperTest, ATileIsRefusedAtOpen) {
  Flip(Column::kTiles);
  Start();
  ExpectUnhealthy();
  auto r = Client().Get("/v1/entries/0/receipt");
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 500) << r->body;
}

TEST_F(LedgerdTamperTest, TheLatestCheckpointIsRefusedAtOpen) {
  uint64_t latest = 0;
  {
    store::RocksDbOptions o;
    o.mode = store::RocksDbOptions::Mode::kReadOnly;
    auto kv = store::OpenRocksDb(deployment_->P("log/store"), o);
    ASSERT_TRUE(kv.ok());
    ASSERT_TRUE((*kv)->Scan(Column::kCheckpoints, {}, {}, true, [&](ByteView k, ByteView) {
                      latest = LoadU64BE(k.data());
                      return false;
                    }).ok());
  }
  Flip(Column::kCheckpoints, [&](ByteView k) { return KeyIs(k, latest); });
  Start();
  EXPECT_EQ(ExpectUnhealthy(), "bad_checkpoint");
}

TEST_F(LedgerdTamperTest, AnOlderCheckpointIsRefusedByTheAudit) {
  Flip(Column::kCheckpoints);  // the smallest size: not the head
  Start();
  ExpectUnhealthy();
}

TEST_F(LedgerdTamperTest, TheMetadataIsRefusedAtOpen) {
  Flip(Column::kMeta);
  Start();
  ExpectUnhealthy();
}

TEST_F(LedgerdTamperTest, APayloadIsRefusedByTheAudit) {
  const Hash digest = Sha256::Digest(AsBytes(std::string(kPayload)));
  auto is_ours = [&](ByteView k) {
    return std::equal(k.begin(), k.end(), digest.bytes.begin(), digest.bytes.end());
  };
  // In the body itself (the record is digest, body, content type).
  size_t body_at = 0;
  {
    store::RocksDbOptions o;
    o.mode = store::RocksDbOptions::Mode::kReadOnly;
    auto kv = store::OpenRocksDb(deployment_->P("log/store"), o);
    ASSERT_TRUE(kv.ok());
    auto v = (*kv)->Get(Column::kPayloads, digest.view());
    ASSERT_TRUE(v.ok());
    body_at = std::string(AsString(*v)).find(kPayload);
    ASSERT_NE(body_at, std::string::npos);
  }
  Flip(Column::kPayloads, is_ours, body_at + 3);
  Start();
  EXPECT_EQ(ExpectUnhealthy(), "payload_mismatch");
}

TEST_F(LedgerdTamperTest, ARequestIdNeverAnswersWithAnotherEntry) {
  Flip(Column::kRequests, [](ByteView k) { return AsString(k) == "req-tamper-3"; });
  port_ = deployment_->StartLedgerd(ledgerd_, {"--audit-on-start", "off"});
  ASSERT_GT(port_, 0);
  // The retry of an acknowledged request meets the tampered record: refused,
  // never "duplicate" with another entry's receipt, nothing written.
  auto r = Client().Post("/v1/entries", Entry("tamper-3").dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500) << r->body;
  EXPECT_EQ(Reason(r), "request_index_mismatch") << r->body;
  EXPECT_EQ(ExpectUnhealthy(), "request_index_mismatch");
  ledgerd_->Kill(SIGTERM);
  Start();  // and the audit finds it at start
  EXPECT_EQ(ExpectUnhealthy(), "request_index_mismatch");
}

TEST_F(LedgerdTamperTest, AStateMapNodeIsRefusedByTheAudit) {
  Flip(Column::kMapNodes);
  Start();
  EXPECT_EQ(ExpectUnhealthy(), "map_node_corrupt");
}

TEST_F(LedgerdTamperTest, ASearchIndexKeyIsRefusedByTheAudit) {
  for (Column c : {Column::kBySubject, Column::kByActor, Column::kByKind, Column::kByTime}) {
    SetUp();
    Flip(c);
    Start();
    EXPECT_EQ(ExpectUnhealthy(), "index_mismatch") << store::ColumnName(c);
    ledgerd_.reset();
  }
}

}  // namespace
}  // namespace ledger::ledgerd::testing
