// ledgerd on the cluster ops/ha runs (Patroni 3.0.2 with etcd, pg1 and pg2
// synchronous candidates, pg3 an asynchronous replica): Patroni, not the
// test, promotes the synchronous standby after the leader's host is killed
// (kill -9 of its Patroni and PostgreSQL) under load; a second ledgerd with
// the standby notary takes the store; every acknowledged entry is there, the
// old ledgerd is fenced, and the explorer, reading the asynchronous replica,
// follows the new leader and serves the entries appended after the failover.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "ledger_test_paths.h"
#include "pg_ledgerd_fixture.h"

namespace ledger::ledgerd::testing {
namespace {

using Clock = std::chrono::steady_clock;

class PatroniLedgerdTest : public PgLedgerdTest {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ledger-ha-XXXXXX";
    const std::string parent = ::mkdtemp(tmpl);
    // ops/ha runs the servers as the postgres user: it must reach DIR.
    ::chmod(parent.c_str(), 0711);
    ha_dir_ = parent + "/ha";
    ASSERT_EQ(Ha("up"), 0) << Slurp(ha_dir_ + ".log");
    env_ = ReadEnv(ha_dir_ + "/ha.env");
    ASSERT_FALSE(env_["HA_WRITER"].empty());
    d_.dir_prefix = "ledgerd-patroni-" + std::to_string(::getpid());
    d_.witness_count = 2;
    d_.witness_quorum = 2;
    d_.init_extra = {"--store-postgres", env_["HA_WRITER"], "--store-postgres-replica",
                     env_["HA_READER"]};
    d_.Create();
  }
  void TearDown() override {
    explorer_.reset();
    ledgerd_a_.reset();
    ledgerd_b_.reset();
    notary_b_.reset();
    d_.Destroy();
    Ha("down");
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(ha_dir_).parent_path(), ec);
  }

  int Ha(const std::string& args) {
    const std::string cmd = std::string(LEDGER_SOURCE_DIR) + "/ops/ha " + args + " " + ha_dir_ +
                            " >> " + ha_dir_ + ".log 2>&1";
    return std::system(cmd.c_str());
  }
  int HaWith(const std::string& command, const std::string& rest) {
    const std::string cmd = std::string(LEDGER_SOURCE_DIR) + "/ops/ha " + command + " " +
                            ha_dir_ + " " + rest + " >> " + ha_dir_ + ".log 2>&1";
    return std::system(cmd.c_str());
  }

  // KEY='value' lines (ops/ha's ha.env).
  static std::map<std::string, std::string> ReadEnv(const std::string& path) {
    std::map<std::string, std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      const size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string value = line.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
        value = value.substr(1, value.size() - 2);
      }
      out[line.substr(0, eq)] = value;
    }
    return out;
  }

  std::string ha_dir_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<Process> explorer_;
};

TEST_F(PatroniLedgerdTest, PatroniFailoverLosesNoAcknowledgedEntry) {
  d_.StartNotaryAt(notary_b_, "notary-b.sock");
  ASSERT_FALSE(HasFatalFailure());
  const int port_a = StartLedgerd(ledgerd_a_, d_.P("log"), "ledgerd-a.log");
  ASSERT_GT(port_a, 0) << Slurp(d_.P("ledgerd-a.log"));

  Load load(this, port_a, 2);
  for (int i = 0; i < 600 && load.batches() < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(load.batches(), 10) << Slurp(d_.P("ledgerd-a.log"));

  // The leader's host dies; Patroni elects the synchronous standby once the
  // leader key expires. The old leader comes back as a standby (pg_rewind),
  // the synchronous copy the new leader needs.
  const auto killed_at = Clock::now();
  std::string old_leader;
  {
    const std::string out = ha_dir_ + ".leader";
    std::system((std::string(LEDGER_SOURCE_DIR) + "/ops/ha leader " + ha_dir_ + " > " + out +
                 " 2>/dev/null")
                    .c_str());
    old_leader = Slurp(out);
    while (!old_leader.empty() && (old_leader.back() == '\n' || old_leader.back() == ' ')) {
      old_leader.pop_back();
    }
  }
  ASSERT_FALSE(old_leader.empty());
  ASSERT_EQ(Ha("kill-leader"), 0) << Slurp(ha_dir_ + ".log");
  load.Stop();
  ASSERT_EQ(HaWith("wait-leader", "60 --not " + old_leader), 0) << Slurp(ha_dir_ + ".log");
  ASSERT_EQ(HaWith("rejoin", old_leader), 0) << Slurp(ha_dir_ + ".log");
  ASSERT_EQ(HaWith("wait-sync", "90"), 0) << Slurp(ha_dir_ + ".log");

  const int port_b = StartLedgerd(ledgerd_b_, SecondHost(), "ledgerd-b.log");
  ASSERT_GT(port_b, 0) << Slurp(d_.P("ledgerd-b.log"));
  const auto first = AppendWhenServing(port_b, "after", 1, 60);
  ASSERT_FALSE(first.empty()) << Health(port_b).dump() << Slurp(d_.P("ledgerd-b.log"));
  std::printf("Patroni failover: kill -9 of the leader's host to the first acknowledged "
              "append: %.1f s\n",
              std::chrono::duration<double>(Clock::now() - killed_at).count());

  const std::map<uint64_t, std::string> acknowledged = load.Join();
  ASSERT_FALSE(acknowledged.empty());
  ExpectAcknowledgedAt(port_b, acknowledged);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_GT(first[0].first, acknowledged.rbegin()->first);

  // The old ledgerd is fenced.
  nlohmann::json health;
  for (int i = 0; i < 100; ++i) {
    health = Health(port_a);
    if (health.contains("error") && health["error"]["reason"] == "fenced") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(health["error"]["reason"], "fenced") << health.dump();

  // The explorer reads the asynchronous replica, which now follows the new
  // leader: the entry appended after the failover shows up there.
  explorer_ = std::make_unique<Process>(
      std::vector<std::string>{EXPLORER_BIN, "--data", d_.P("log-b"), "--listen", "127.0.0.1:0",
                               "--refresh-ms", "200"},
      d_.P("explorer.log"));
  const std::string line = explorer_->ReadLine();
  const std::string prefix = "listening on 127.0.0.1:";
  ASSERT_EQ(line.rfind(prefix, 0), 0u) << line << Slurp(d_.P("explorer.log"));
  const int explorer_port = std::stoi(line.substr(prefix.size()));
  int status = 0;
  for (int i = 0; i < 300 && status != 200; ++i) {
    auto r = Client(explorer_port).Get("/v1/entries/" + std::to_string(first[0].first));
    status = r ? r->status : 0;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, 200) << Slurp(d_.P("explorer.log"));
}

}  // namespace
}  // namespace ledger::ledgerd::testing
