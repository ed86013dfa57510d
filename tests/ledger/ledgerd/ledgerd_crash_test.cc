// Crash safety of ledgerd's append path with real processes: concurrent
// clients append with request ids while ledgerd is killed (SIGKILL) at each
// crash point (LEDGER_CRASH_AT, ledger/testing/crash_point.h) or at random moments,
// or the notary is killed at a random moment. A killed ledgerd is restarted
// alone, against the same running notary, and serves appends again at once
// (no operator: a batch the notary signed but the store lacks comes back from
// the journal). After retrying every unacknowledged request with its
// request id:
//   - every acknowledged entry is present at its index with its leaf hash;
//   - every request id is in the log exactly once (nothing half-present, no
//     retry makes a second entry, no gap: the log's size is the count);
//   - the store audits clean (ledgerctl verify store) and appends continue.
// The points and the recovery each needs: docs/crash-safety.md. Every test
// runs on RocksDB and on PostgreSQL (a primary with a synchronous standby).
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "ledger/codec/event_json.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"
#include "ledger/store/kv.h"
#include "ledger/store_open/store_open.h"
#include "ledgerd_fixture.h"
#include "pg_cluster.h"

namespace ledger::ledgerd::testing {
namespace {

struct Acked {
  uint64_t index;
  std::string leaf_hash;
};

enum class Backend { kRocksDb, kPostgres };

class LedgerdCrashTest : public ::testing::TestWithParam<Backend> {
 protected:
  // The deployments are made by the first test's SetUp, not SetUpTestSuite:
  // a failure there would make gtest skip the tests (ctest: "Skipped").
  static void TearDownTestSuite() {
    for (auto& [backend, d] : deployments_) {
      d->Destroy();
      delete d;
    }
    deployments_.clear();
    postgres_.reset();
  }
  void SetUp() override {
    Deployment*& d = deployments_[GetParam()];
    if (d == nullptr) {
      d = new Deployment();
      if (GetParam() == Backend::kPostgres) {
        d->dir_prefix = "ledgerd-crash-pg";
        postgres_ = ledger::testing::PgCluster::Start(1);
        ASSERT_NE(postgres_, nullptr) << "PostgreSQL 15 did not start (ops/setup installs it)";
        ASSERT_TRUE(postgres_->WaitSync(0)) << Slurp(postgres_->log());
        ASSERT_TRUE(postgres_->CreateDatabase("crash"));
        d->init_extra = {"--store-postgres", postgres_->Conninfo(0, "crash")};
      }
      d->Create();
    }
    deployment_ = d;
    ASSERT_FALSE(HasFatalFailure());
  }
  void TearDown() override { ledgerd_.reset(); }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    c.set_connection_timeout(2, 0);
    return c;
  }

  void Start(std::vector<std::string> env = {}) {
    port_ = deployment_->StartLedgerd(ledgerd_, {}, std::move(env));
    ASSERT_GT(port_, 0) << Slurp(deployment_->P("ledgerd.log"));
  }

  nlohmann::json Entry(const std::string& rid) {
    nlohmann::json event = {{"kind", "KEY_CREATED"},
                            {"event_id", "evt-" + rid},
                            {"request_id", rid},
                            {"occurred_at", "2024-05-01T09:00:00Z"},
                            {"actor", {{"id", "user/crash"}}},
                            {"subject", "key/" + rid},
                            {"outcome", "SUCCESS"}};
    auto e = codec::EventFromJsonValue(event);
    auto bytes = EncodeEvent(*e);
    auto stamp = MakeStamp(deployment_->origin, *bytes, *deployment_->submitter);
    return {{"event", event}, {"stamp", Base64Encode(*stamp)}};
  }

  uint64_t HealthySize() {
    auto r = Client().Get("/healthz");
    EXPECT_TRUE(r);
    if (!r) return 0;
    EXPECT_EQ(r->status, 200) << r->body;
    return nlohmann::json::parse(r->body).value("size", uint64_t{0});
  }

  // `clients` threads append single-entry requests (ids prefix-t-k) until
  // one fails to get an answer or `per_client` are sent; acknowledged ones
  // go to acked_, all ids to sent_.
  void Hammer(const std::string& prefix, int clients, int per_client) {
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t) {
      threads.emplace_back([&, t] {
        auto c = Client();
        c.set_keep_alive(true);
        for (int k = 0; k < per_client; ++k) {
          std::string rid = prefix + "-" + std::to_string(t) + "-" + std::to_string(k);
          {
            std::lock_guard<std::mutex> l(mu_);
            sent_.insert(rid);
          }
          auto r = c.Post("/v1/entries", Entry(rid).dump(), "application/json");
          if (!r) return;  // ledgerd is gone
          if (r->status != 200) {
            // A notary killed under it: refused, never acknowledged.
            EXPECT_GE(r->status, 500) << r->body;
            return;
          }
          auto res = nlohmann::json::parse(r->body)["results"][0];
          std::lock_guard<std::mutex> l(mu_);
          acked_[rid] = {res["receipt"]["index"].get<uint64_t>(),
                         res["receipt"]["leaf_hash"].get<std::string>()};
        }
      });
    }
    for (auto& th : threads) th.join();
  }

  // Retries every unacknowledged request id, then checks the whole log.
  void RetryAndCheck(uint64_t first_index) {
    nlohmann::json retry = {{"entries", nlohmann::json::array()}};
    for (const auto& rid : sent_) {
      if (!acked_.contains(rid)) retry["entries"].push_back(Entry(rid));
    }
    if (!retry["entries"].empty()) {
      auto r = Client().Post("/v1/entries", retry.dump(), "application/json");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body;
    }
    // A retry of an acknowledged request returns its original receipt.
    for (const auto& [rid, ack] : acked_) {
      auto r = Client().Post("/v1/entries", Entry(rid).dump(), "application/json");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body;
      auto res = nlohmann::json::parse(r->body)["results"][0];
      EXPECT_TRUE(res["duplicate"].get<bool>());
      EXPECT_EQ(res["receipt"]["index"].get<uint64_t>(), ack.index) << rid;
      EXPECT_EQ(res["receipt"]["leaf_hash"].get<std::string>(), ack.leaf_hash) << rid;
      break;  // one suffices here: every entry is read back below
    }
    const uint64_t size = HealthySize();
    std::map<std::string, uint64_t> seen;
    for (uint64_t i = first_index; i < size; ++i) {
      auto r = Client().Get("/v1/entries/" + std::to_string(i) + "/receipt");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body;
      auto receipt = nlohmann::json::parse(r->body);
      auto leaf = DecodeLeaf(*Base64Decode(receipt["leaf"].get<std::string>()));
      ASSERT_TRUE(leaf.ok());
      auto event = DecodeEvent(leaf->event);
      ASSERT_TRUE(event.ok());
      if (event->kind == EventKind::kEnclaveBooted) continue;  // a restarted notary's boot
      EXPECT_TRUE(sent_.contains(event->request_id)) << event->request_id;
      EXPECT_TRUE(seen.emplace(event->request_id, i).second)
          << event->request_id << " at " << seen[event->request_id] << " and " << i;
      auto ack = acked_.find(event->request_id);
      if (ack != acked_.end()) {
        EXPECT_EQ(ack->second.index, i);
        EXPECT_EQ(ack->second.leaf_hash, receipt["leaf_hash"].get<std::string>());
      }
    }
    EXPECT_EQ(seen.size(), sent_.size()) << "requests missing from the log";
    // The store audits clean with ledgerd stopped, and appends continue.
    ledgerd_->Kill(SIGTERM);
    auto audit = Ctl({"verify", "store", "--data", deployment_->P("log")});
    EXPECT_EQ(audit.code, 0) << audit.out << audit.err;
    Start();
    auto r = Client().Post("/v1/entries", Entry("after-" + std::to_string(size)).dump(),
                           "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }

  // Kills ledgerd at `point` on its `nth` hit under concurrent load (request
  // ids "<tag>-t-k", unique in the suite); returns the log's size before.
  uint64_t KillAt(const std::string& point, int nth, const std::string& tag) {
    Start();
    const uint64_t first = HealthySize();
    ledgerd_->Kill(SIGTERM);
    Start({"LEDGER_CRASH_AT=" + point + ":" + std::to_string(nth)});
    Hammer(tag, 6, 40);
    EXPECT_EQ(ledgerd_->Wait(), -1) << "ledgerd did not die at " << point;
    EXPECT_LT(acked_.size(), sent_.size());
    return first;
  }

  // Restarts ledgerd alone (the notary keeps running) and appends one entry:
  // healthy at once, no operator. Returns the milliseconds from the restart
  // to that entry's receipt.
  int64_t RestartAndAppend(const std::string& rid) {
    const auto t0 = std::chrono::steady_clock::now();
    Start();
    if (HasFatalFailure()) return -1;
    {
      std::lock_guard<std::mutex> l(mu_);
      sent_.insert(rid);
    }
    auto r = Client().Post("/v1/entries", Entry(rid).dump(), "application/json");
    EXPECT_TRUE(r);
    if (!r) return -1;
    EXPECT_EQ(r->status, 200) << r->body << "\n" << Slurp(deployment_->P("ledgerd.log"));
    if (r->status != 200) return -1;
    auto res = nlohmann::json::parse(r->body)["results"][0];
    std::lock_guard<std::mutex> l(mu_);
    acked_[rid] = {res["receipt"]["index"].get<uint64_t>(),
                   res["receipt"]["leaf_hash"].get<std::string>()};
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 t0)
        .count();
  }

  // Kills ledgerd at `point`, restarts it alone and checks the log.
  void CrashAt(const std::string& point, int nth) {
    const uint64_t first = KillAt(point, nth, point);
    const int64_t ms = RestartAndAppend("probe-" + point);
    EXPECT_GE(ms, 0);
    EXPECT_LT(ms, 10'000) << "appending again took " << ms << " ms";
    RetryAndCheck(first);
  }

  // How often ledgerd wrote the notary's answer to a re-sent journaled
  // request at start-up (its log line), over the whole suite.
  size_t Resends() const {
    const std::string log = Slurp(deployment_->P("ledgerd.log"));
    size_t n = 0;
    for (size_t at = 0; (at = log.find("journaled batch re-sent", at)) != std::string::npos; ++at) {
      ++n;
    }
    return n;
  }

  static inline std::map<Backend, Deployment*> deployments_;
  static inline std::unique_ptr<ledger::testing::PgCluster> postgres_;
  Deployment* deployment_ = nullptr;
  std::unique_ptr<Process> ledgerd_;
  int port_ = 0;
  std::mutex mu_;
  std::set<std::string> sent_;
  std::map<std::string, Acked> acked_;
};

TEST_P(LedgerdCrashTest, BeforeTheNotaryAppend) { CrashAt("ledgerd.before_notary_append", 3); }

TEST_P(LedgerdCrashTest, AfterTheJournalBeforeTheNotaryCall) {
  const size_t before = Resends();
  CrashAt("host.after_journal", 3);
  // The notary never saw the journaled request: nothing to re-send.
  EXPECT_EQ(Resends(), before);
}

// The notary signed a batch the store never got. The restarted ledgerd finds
// the notary one batch ahead, re-sends the journaled request, gets the same
// answer and writes it: the same running notary serves on.
TEST_P(LedgerdCrashTest, AfterTheNotarySignedBeforeTheWriteBatch) {
  const size_t before = Resends();
  CrashAt("host.after_notary_append", 3);
  EXPECT_EQ(Resends(), before + 1) << Slurp(deployment_->P("ledgerd.log"));
}

// Killed again while recovering (the re-sent answer not yet written): the
// notary's slot still holds it, the next start writes it.
TEST_P(LedgerdCrashTest, KilledAgainWhileWritingTheResentAnswer) {
  const size_t before = Resends();
  const uint64_t first = KillAt("host.after_notary_append", 2, "killed-again");
  EXPECT_EQ(deployment_->StartLedgerd(ledgerd_, {}, {"LEDGER_CRASH_AT=host.after_notary_resend"}), 0)
      << "ledgerd did not die while re-sending";
  EXPECT_EQ(ledgerd_->Wait(), -1);
  EXPECT_GE(RestartAndAppend("probe-resend-crash"), 0);
  EXPECT_EQ(Resends(), before + 1);
  RetryAndCheck(first);
}

TEST_P(LedgerdCrashTest, AfterTheWriteBatchBeforeReplying) { CrashAt("host.after_write_batch", 3); }

TEST_P(LedgerdCrashTest, BeforeTheBatchersReply) { CrashAt("ledgerd.before_reply", 3); }

// A restarted notary appends its ENCLAVE_BOOTED entry at Restore; ledgerd
// killed before writing it restarts against the same notary, sends the same
// Restore and gets the same entry, which is then in the log exactly once.
TEST_P(LedgerdCrashTest, AfterTheNotaryRestoredBeforeWritingTheBootEntry) {
  Start();
  const uint64_t first = HealthySize();
  ledgerd_->Kill(SIGTERM);
  deployment_->notary->Kill(SIGKILL);
  deployment_->StartNotary();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(deployment_->StartLedgerd(ledgerd_, {}, {"LEDGER_CRASH_AT=host.after_notary_restore"}),
            0)
      << "ledgerd did not die at host.after_notary_restore";
  EXPECT_EQ(ledgerd_->Wait(), -1);
  EXPECT_GE(RestartAndAppend("probe-restore"), 0);
  const uint64_t size = HealthySize();
  int booted = 0;
  for (uint64_t i = first; i < size; ++i) {
    auto r = Client().Get("/v1/entries/" + std::to_string(i) + "/receipt");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto leaf = DecodeLeaf(*Base64Decode(nlohmann::json::parse(r->body)["leaf"].get<std::string>()));
    ASSERT_TRUE(leaf.ok());
    auto event = DecodeEvent(leaf->event);
    ASSERT_TRUE(event.ok());
    if (event->kind == EventKind::kEnclaveBooted) ++booted;
  }
  EXPECT_EQ(booted, 1);
  RetryAndCheck(first);
}

// A host that lost the journal (only a hostile one can: it is written before
// the notary call) cannot bring the store to the notary's head: ledgerd stays
// off (rollback) until the notary is restarted and re-provisioned, as the
// notary must not trust it.
TEST_P(LedgerdCrashTest, WithoutTheJournalTheNotaryStaysAhead) {
  const uint64_t first = KillAt("host.after_notary_append", 2, "no-journal");
  {
    auto config = store::ReadStoreConfig(deployment_->P("log"));
    ASSERT_TRUE(config.ok()) << config.status();
    store::StoreOpenOptions open;
    open.access = store::StoreAccess::kWriter;
    auto kv = store::OpenStore(deployment_->P("log"), *config, open);
    ASSERT_TRUE(kv.ok()) << kv.status();
    store::WriteBatch wb;
    wb.Erase(store::Column::kMeta, ToBytes("pending_append"));
    ASSERT_TRUE((*kv)->Write(wb).ok());
  }
  Start();
  auto h = Client().Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 503) << h->body;
  auto error = nlohmann::json::parse(h->body)["error"];
  EXPECT_EQ(error["reason"], "rollback") << h->body;
  EXPECT_NE(error["message"].get<std::string>().find("no_pending_append"), std::string::npos)
      << h->body;
  ledgerd_->Kill(SIGTERM);
  deployment_->notary->Kill(SIGKILL);
  deployment_->StartNotary();
  ASSERT_FALSE(HasFatalFailure());
  Start();
  RetryAndCheck(first);
}

// ledgerd killed at random moments under load (LEDGERD_CRASH_KILLS times,
// default 8) and restarted alone each time: every restart serves appends at
// once, and the log holds every acknowledged entry, once, where it was.
TEST_P(LedgerdCrashTest, LedgerdKilledAtRandomMomentsUnderLoad) {
  const char* env = std::getenv("LEDGERD_CRASH_KILLS");
  const int kills = env != nullptr ? std::atoi(env) : 8;
  Start();
  const uint64_t first = HealthySize();
  const size_t resends_before = Resends();
  std::mt19937 rng(std::random_device{}());
  int64_t slowest_ms = 0;
  for (int k = 0; k < kills; ++k) {
    const int delay_ms = std::uniform_int_distribution<int>(20, 300)(rng);
    std::thread killer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      ledgerd_->Kill(SIGKILL);
    });
    Hammer("random-" + std::to_string(k), 6, 200);
    killer.join();
    const int64_t ms = RestartAndAppend("probe-random-" + std::to_string(k));
    ASSERT_GE(ms, 0) << "kill " << k << " after " << delay_ms << " ms";
    slowest_ms = std::max(slowest_ms, ms);
  }
  EXPECT_LT(slowest_ms, 10'000);
  std::printf("%d kills: %zu needed the journaled batch re-sent; slowest restart to receipt %lld ms\n",
              kills, Resends() - resends_before, static_cast<long long>(slowest_ms));
  RetryAndCheck(first);
}

// The notary dies (SIGKILL) at a random moment under load: ledgerd stops
// appending and says why; after the notary restarts and ledgerd with it,
// the retried requests converge.
TEST_P(LedgerdCrashTest, NotaryKilledAtARandomMoment) {
  Start();
  const uint64_t first = HealthySize();
  std::mt19937 rng(std::random_device{}());
  const int delay_ms = std::uniform_int_distribution<int>(20, 300)(rng);
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    deployment_->notary->Kill(SIGKILL);
  });
  Hammer("notary-kill", 6, 200);
  killer.join();
  auto h = Client().Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 503) << "delay " << delay_ms << " ms: " << h->body;
  ledgerd_->Kill(SIGKILL);
  deployment_->StartNotary();
  ASSERT_FALSE(HasFatalFailure());
  Start();
  RetryAndCheck(first);
}

INSTANTIATE_TEST_SUITE_P(Stores, LedgerdCrashTest,
                         ::testing::Values(Backend::kRocksDb, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return p.param == Backend::kRocksDb ? "RocksDb" : "Postgres";
                         });

}  // namespace
}  // namespace ledger::ledgerd::testing
