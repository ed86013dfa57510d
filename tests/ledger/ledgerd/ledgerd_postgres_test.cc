// ledgerd on PostgreSQL with a synchronous standby, real processes: a
// notary enclave (sim) and a standby notary provisioned at the same
// ceremony, two witnesses (quorum 2), ledgerd, and PostgreSQL 15 servers.
//  - failover: the primary is killed (kill -9) while ledgerd appends under
//    load, the synchronous standby is promoted (pg_ctl promote), a second
//    ledgerd on another data directory ("the second host", with the standby
//    notary) takes the store: every acknowledged entry is there with the
//    same index and leaf, the log continues, the witnesses cosign, and the
//    old ledgerd is fenced;
//  - the same with the standby lagging (its WAL receiver stopped): commits
//    wait for it, so nothing beyond what it flushed was acknowledged;
//  - ledgerd killed at each crash point of the append path, then the
//    primary: the second host resumes from the journal in the database;
//  - a failover onto a copy that lacks acknowledged entries (as from an
//    asynchronous standby) is refused: rollback_detected, nothing appended;
//  - without a synchronous standby ledgerd serves no append (503
//    not_synchronously_replicated, /metrics ledgerd_store_durable 0).
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <thread>

#include "ledger/record/leaf.h"
#include "pg_cluster.h"
#include "pg_ledgerd_fixture.h"

namespace ledger::ledgerd::testing {
namespace {

using Clock = std::chrono::steady_clock;

class PostgresLedgerdTest : public PgLedgerdTest {
 protected:
  void SetUp() override {
    pg_ = ledger::testing::PgCluster::Start(1);
    ASSERT_NE(pg_, nullptr) << "PostgreSQL 15 did not start (ops/setup installs it)";
    ASSERT_TRUE(pg_->WaitSync(0)) << Slurp(pg_->log());
    ASSERT_TRUE(pg_->CreateDatabase("ledger"));
    d_.dir_prefix = "ledgerd-pg-" + std::to_string(::getpid());
    d_.witness_count = 2;
    d_.witness_quorum = 2;
    // Every server of the cluster, including those added later: libpq
    // connects to whichever one is the primary.
    d_.init_extra = {"--store-postgres", Conninfo()};
    d_.Create();
  }
  void TearDown() override {
    ledgerd_a_.reset();
    ledgerd_b_.reset();
    notary_b_.reset();
    d_.Destroy();
    pg_.reset();
  }

  // The primary, the standby, and the port the second standby will take.
  std::string Conninfo() {
    if (spare_port_ == 0) spare_port_ = ledger::testing::FreeTcpPort();
    return "host=127.0.0.1,127.0.0.1,127.0.0.1 port=" + std::to_string(pg_->node(0).port) + "," +
           std::to_string(pg_->node(1).port) + "," + std::to_string(spare_port_) +
           " dbname=ledger user=ledger target_session_attrs=read-write connect_timeout=2";
  }

  std::unique_ptr<ledger::testing::PgCluster> pg_;
  int spare_port_ = 0;

  void Failover(bool lagging);
};

// The failover of the test's name, with the standby's WAL receiver paused
// (a lagging standby) while ledgerd appends when `lagging`.
void PostgresLedgerdTest::Failover(bool lagging) {
  // The standby notary, provisioned by the same operators' shares.
  d_.StartNotaryAt(notary_b_, "notary-b.sock");
  ASSERT_FALSE(HasFatalFailure());
  const int port_a = StartLedgerd(ledgerd_a_, d_.P("log"), "ledgerd-a.log");
  ASSERT_GT(port_a, 0) << Slurp(d_.P("ledgerd-a.log"));

  Load load(this, port_a, 4);
  for (int i = 0; i < 600 && load.batches() < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(load.batches(), 20) << Slurp(d_.P("ledgerd-a.log"));
  pid_t receiver = 0;
  if (lagging) {
    // The standby stops taking WAL: commits wait, so nothing is acknowledged
    // beyond what it flushed, however far the primary gets.
    const std::string pid = pg_->Sql(1, "SELECT pid FROM pg_stat_wal_receiver");
    ASSERT_NE(pid, "ERROR");
    ASSERT_FALSE(pid.empty());
    receiver = std::stoi(pid);
    ASSERT_EQ(::kill(receiver, SIGSTOP), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }

  // The primary's machine dies.
  const auto killed_at = Clock::now();
  pg_->Kill(pg_->node(0));
  // The clients finish on their own (their last requests end with the
  // primary); whatever they were told by then is counted below.
  load.Stop();
  if (lagging) {
    ASSERT_EQ(::kill(receiver, SIGCONT), 0);
  }

  // Failover: promote the synchronous standby and give it a synchronous
  // standby of its own (it inherits FIRST 1 (s1, s2): strict, it commits
  // nothing until one is attached).
  ASSERT_TRUE(pg_->Promote(1)) << Slurp(pg_->log());
  ASSERT_TRUE(pg_->AddStandby("s2", 1, spare_port_)) << Slurp(pg_->log());
  ASSERT_TRUE(pg_->WaitSync(1)) << Slurp(pg_->log());

  // The second host: its ledgerd takes the epoch, brings the standby notary
  // to the stored head (checked against the witnesses) and appends.
  const int port_b = StartLedgerd(ledgerd_b_, SecondHost(), "ledgerd-b.log");
  ASSERT_GT(port_b, 0) << Slurp(d_.P("ledgerd-b.log"));
  const auto first = AppendWhenServing(port_b, "after", 1, 20);
  ASSERT_FALSE(first.empty()) << Health(port_b).dump() << Slurp(d_.P("ledgerd-b.log"));
  const double failover_s =
      std::chrono::duration<double>(Clock::now() - killed_at).count();
  std::printf("failover: kill -9 of the primary to the first acknowledged append: %.1f s\n",
              failover_s);
  EXPECT_LE(failover_s, 30.0);
  const std::map<uint64_t, std::string> acknowledged = load.Join();
  ASSERT_FALSE(acknowledged.empty());
  EXPECT_GT(first[0].first, acknowledged.rbegin()->first);

  // Every acknowledged entry, same index, same leaf.
  ExpectAcknowledgedAt(port_b, acknowledged);
  ASSERT_FALSE(HasFatalFailure());

  // The old ledgerd, resumed on its side of a partition, is fenced: it
  // appends nothing and says why.
  int status = 0;
  EXPECT_TRUE(Append(port_a, "stale", 1, &status).empty());
  EXPECT_EQ(status, 503);
  nlohmann::json health;
  for (int i = 0; i < 100; ++i) {
    health = Health(port_a);
    if (health.contains("error") && health["error"]["reason"] == "fenced") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(health["error"]["reason"], "fenced") << health.dump();
  auto metrics = Client(port_a).Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("ledgerd_store_fenced 1"), std::string::npos);

  // The new one goes on, cosigned by both witnesses.
  auto more = Append(port_b, "more", 3);
  ASSERT_EQ(more.size(), 3u) << Health(port_b).dump();
  EXPECT_EQ(more[0].first, first[0].first + 1);
}

TEST_F(PostgresLedgerdTest, FailoverLosesNoAcknowledgedEntryAndFencesTheOldLedgerd) {
  Failover(false);
}

TEST_F(PostgresLedgerdTest, FailoverWithALaggingStandbyLosesNoAcknowledgedEntry) {
  Failover(true);
}

TEST_F(PostgresLedgerdTest, WithoutASynchronousStandbyNothingIsAppended) {
  const int port = StartLedgerd(ledgerd_a_, d_.P("log"), "ledgerd-a.log");
  ASSERT_GT(port, 0) << Slurp(d_.P("ledgerd-a.log"));
  ASSERT_TRUE(Ready(port)) << Health(port).dump();
  ASSERT_EQ(Append(port, "before", 2).size(), 2u);

  // Made asynchronous by hand: commits would no longer wait for the standby.
  ASSERT_NE(pg_->Sql(0, "ALTER SYSTEM SET synchronous_standby_names = ''"), "ERROR");
  ASSERT_NE(pg_->Sql(0, "SELECT pg_reload_conf()"), "ERROR");
  nlohmann::json health;
  for (int i = 0; i < 100; ++i) {
    health = Health(port);
    if (health.contains("error") && health["error"]["reason"] == "not_synchronously_replicated") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(health["status"], 503);
  EXPECT_EQ(health["error"]["reason"], "not_synchronously_replicated") << health.dump();
  int status = 0;
  EXPECT_TRUE(Append(port, "async", 1, &status).empty());
  EXPECT_EQ(status, 503);
  auto metrics = Client(port).Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("ledgerd_store_durable 0"), std::string::npos);

  // Synchronous again: appends resume.
  ASSERT_NE(pg_->Sql(0, "ALTER SYSTEM RESET synchronous_standby_names"), "ERROR");
  ASSERT_NE(pg_->Sql(0, "SELECT pg_reload_conf()"), "ERROR");
  std::vector<std::pair<uint64_t, std::string>> after;
  for (int i = 0; i < 100 && after.empty(); ++i) {
    after = Append(port, "again", 1);
    if (after.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(after.size(), 1u) << Health(port).dump();
}

// A failover onto a copy that lacks acknowledged entries (what an
// asynchronous standby gives): the witnesses have cosigned a larger head
// than the store holds, so the second host alarms and appends nothing.
TEST_F(PostgresLedgerdTest, AStoreBehindTheWitnessesIsRefusedAfterAFailover) {
  d_.StartNotaryAt(notary_b_, "notary-b.sock");
  ASSERT_FALSE(HasFatalFailure());
  int port = StartLedgerd(ledgerd_a_, d_.P("log"), "ledgerd-a.log");
  ASSERT_GT(port, 0) << Slurp(d_.P("ledgerd-a.log"));
  ASSERT_TRUE(Ready(port)) << Health(port).dump();
  ASSERT_EQ(Append(port, "early", 3).size(), 3u);
  // The copy a lagging asynchronous standby would hold.
  ledgerd_a_->Kill(SIGTERM);
  ASSERT_NE(pg_->Sql(0, "CREATE DATABASE behind TEMPLATE ledger"), "ERROR") << Slurp(pg_->log());
  port = StartLedgerd(ledgerd_a_, d_.P("log"), "ledgerd-a.log");
  ASSERT_GT(port, 0) << Slurp(d_.P("ledgerd-a.log"));
  ASSERT_TRUE(Ready(port)) << Health(port).dump();
  ASSERT_EQ(Append(port, "late", 5).size(), 5u);  // cosigned by both witnesses
  ledgerd_a_->Kill(SIGTERM);

  const std::string dir = SecondHost();
  auto config = nlohmann::json::parse(Slurp(dir + "/ledger.json"));
  std::string conninfo = config["store"]["postgres"].get<std::string>();
  conninfo.replace(conninfo.find("dbname=ledger"), 13, "dbname=behind");
  config["store"]["postgres"] = conninfo;
  std::ofstream(dir + "/ledger.json") << config.dump(2) << "\n";
  const int port_b = StartLedgerd(ledgerd_b_, dir, "ledgerd-b.log");
  ASSERT_GT(port_b, 0) << Slurp(d_.P("ledgerd-b.log"));
  nlohmann::json health;
  for (int i = 0; i < 100; ++i) {
    health = Health(port_b);
    if (health.contains("error") && health["error"]["reason"] == "rollback_detected") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(health["status"], 503);
  EXPECT_EQ(health["error"]["reason"], "rollback_detected") << health.dump();
  int status = 0;
  EXPECT_TRUE(Append(port_b, "forked", 1, &status).empty());
  EXPECT_EQ(status, 503);
  auto metrics = Client(port_b).Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("ledgerd_rollback_detected 1"), std::string::npos);
}

// ledgerd killed at a crash point of the append path (LEDGER_CRASH_AT,
// docs/crash-safety.md), then the primary killed and the standby promoted:
// the second host, with the standby notary, finds the first host's journal
// in the database, brings its notary and the store to one head, and the
// request retried there with its request id is in the log exactly once;
// every acknowledged entry is where it was.
// Crash points exist only in a tree built with LEDGER_TEST_HOOKS.
#ifdef LEDGER_TEST_HOOKS
class PostgresCrashPointFailoverTest : public PostgresLedgerdTest,
                                       public ::testing::WithParamInterface<const char*> {};

TEST_P(PostgresCrashPointFailoverTest, KilledAtTheCrashPointThenFailedOver) {
  d_.StartNotaryAt(notary_b_, "notary-b.sock");
  ASSERT_FALSE(HasFatalFailure());
  int port = StartLedgerd(ledgerd_a_, d_.P("log"), "ledgerd-a.log");
  ASSERT_GT(port, 0) << Slurp(d_.P("ledgerd-a.log"));
  ASSERT_TRUE(Ready(port)) << Health(port).dump();
  const auto acknowledged = Append(port, "acked", 4);
  ASSERT_EQ(acknowledged.size(), 4u);
  ledgerd_a_->Kill(SIGKILL);
  port = StartLedgerd(ledgerd_a_, d_.P("log"), "ledgerd-a.log",
                      {std::string("LEDGER_CRASH_AT=") + GetParam()});
  ASSERT_GT(port, 0) << Slurp(d_.P("ledgerd-a.log"));
  ASSERT_TRUE(Ready(port)) << Health(port).dump();
  int status = 0;
  EXPECT_TRUE(Append(port, "crash", 3, &status).empty());  // ledgerd dies on the way
  EXPECT_EQ(ledgerd_a_->Wait(), -1);                        // killed at the point

  pg_->Kill(pg_->node(0));
  ASSERT_TRUE(pg_->Promote(1)) << Slurp(pg_->log());
  ASSERT_TRUE(pg_->AddStandby("s2", 1, spare_port_)) << Slurp(pg_->log());
  ASSERT_TRUE(pg_->WaitSync(1)) << Slurp(pg_->log());
  const int port_b = StartLedgerd(ledgerd_b_, SecondHost(), "ledgerd-b.log");
  ASSERT_GT(port_b, 0) << Slurp(d_.P("ledgerd-b.log"));

  const auto retried = AppendWhenServing(port_b, "crash", 3, 30);
  ASSERT_EQ(retried.size(), 3u) << Health(port_b).dump() << Slurp(d_.P("ledgerd-b.log"));
  ExpectAcknowledgedAt(port_b, {acknowledged.begin(), acknowledged.end()});
  ASSERT_FALSE(HasFatalFailure());
  // Each event of the crashed request once, at the index its retry names.
  const uint64_t size = Health(port_b).value("size", uint64_t{0});
  std::map<std::string, int> seen;
  for (uint64_t i = 0; i < size; ++i) {
    auto r = Client(port_b).Get("/v1/entries/" + std::to_string(i) + "/receipt");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto leaf = DecodeLeaf(*Base64Decode(nlohmann::json::parse(r->body)["leaf"].get<std::string>()));
    ASSERT_TRUE(leaf.ok());
    auto event = DecodeEvent(leaf->event);
    ASSERT_TRUE(event.ok());
    ++seen[event->event_id];
  }
  for (int k = 0; k < 3; ++k) EXPECT_EQ(seen["evt-crash-" + std::to_string(k)], 1) << k;
  EXPECT_EQ(Append(port_b, "after", 2).size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Points, PostgresCrashPointFailoverTest,
                         ::testing::Values("ledgerd.before_notary_append", "host.after_journal",
                                           "host.after_notary_append", "host.after_write_batch",
                                           "ledgerd.before_reply"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           std::string name;
                           for (const char* c = p.param; *c != 0; ++c) {
                             if (std::isalnum(static_cast<unsigned char>(*c))) name += *c;
                           }
                           return name;
                         });
#endif  // LEDGER_TEST_HOOKS

}  // namespace
}  // namespace ledger::ledgerd::testing
