// PgKv against real PostgreSQL 15 servers (a primary and one synchronous
// standby, tests/support/pg_cluster.h) when a second writer, a hand-edited
// head row, a missing or stalled standby, a broken session, a wrong database
// or a server that is not PostgreSQL try to make it lose or invent a write.
// Every refusal is checked by its stable reason.
#include "ledger/store_pg/pg_kv.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "ledger/store/log_store.h"
#include "pg_cluster.h"
#include "test_log.h"

namespace ledger::store {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes U64Key(uint64_t v) {
  Bytes k;
  AppendU64BE(k, v);
  return k;
}

// decode('..', 'hex') of `b`, for psql.
std::string SqlBytes(ByteView b) { return "decode('" + HexEncode(b) + "', 'hex')"; }

class PgKvTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = testing::PgCluster::Start(1).release();
    if (cluster_ != nullptr && !cluster_->WaitSync(0)) {
      delete cluster_;
      cluster_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(cluster_, nullptr) << "PostgreSQL 15 did not start (ops/setup installs it)";
    // A test that failed half-way may have left the standby down.
    ASSERT_TRUE(StandbyUp());
    db_ = "pgkv_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++);
    ASSERT_TRUE(cluster_->CreateDatabase(db_));
  }

  testing::PgCluster& pg() { return *cluster_; }
  std::string Sql(const std::string& sql, size_t node = 0) { return pg().Sql(node, sql, db_); }
  std::string SqlOn(const std::string& db, const std::string& sql) { return pg().Sql(0, sql, db); }

  Result<std::unique_ptr<PgKv>> Open(bool create = false, size_t node = 0,
                                     PgKvOptions::Mode mode = PgKvOptions::Mode::kWriter,
                                     size_t read_connections = 4) {
    PgKvOptions o;
    o.mode = mode;
    o.create_if_missing = create;
    o.read_connections = read_connections;
    return OpenPgKv(pg().Conninfo(node, db_), o);
  }
  std::unique_ptr<PgKv> Writer(size_t read_connections = 4) {
    auto kv = Open(true, 0, PgKvOptions::Mode::kWriter, read_connections);
    EXPECT_TRUE(kv.ok()) << kv.status();
    return kv.ok() ? std::move(kv).value() : nullptr;
  }

  // "epoch/writes" of the head row, read by psql.
  std::string Head() { return Sql("SELECT epoch || '/' || writes FROM ledger_head"); }

  static WriteBatch Batch(const std::string& key, const std::string& value) {
    WriteBatch b;
    b.Put(Column::kMeta, B(key), B(value));
    b.Put(Column::kLeaves, U64Key(key.size()), B(value));
    return b;
  }
  // Whether `key` of Batch() is in ledger_meta on `node` (the standby may
  // apply a flushed commit a moment later: wait for it up to 10 s).
  bool RowOn(size_t node, const std::string& key, bool wait = false) {
    for (int i = 0; i < (wait ? 100 : 1); ++i) {
      if (Sql("SELECT count(*) FROM ledger_meta WHERE k = " + SqlBytes(B(key)), node) == "1") {
        return true;
      }
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  // --- the standby (node 1) ---
  bool StandbyUp() {
    testing::PgCluster::Node& s = pg().node(1);
    if (s.pid <= 0) {
      s.pid = testing::PgSpawn({testing::kPgBin + "postgres", "-D", s.dir}, pg().log(), false);
      for (int t = 0; t < 300; ++t) {
        const std::string cmd = testing::kPgBin + "pg_isready -q -h 127.0.0.1 -p " +
                                std::to_string(s.port);
        if (std::system(cmd.c_str()) == 0) break;
        std::this_thread::sleep_for(100ms);
      }
    }
    return pg().WaitSync(0, 1);
  }
  void KillStandby() {
    pg().Kill(pg().node(1));
    // The primary's walsender notices the lost standby a moment later.
    ASSERT_TRUE(pg().WaitSync(0, 0));
  }

  // Stops the standby's walreceiver (SIGSTOP) until the guard is resumed or
  // destroyed: the primary's commits then wait for it (wait_event SyncRep).
  class StalledStandby {
   public:
    explicit StalledStandby(PgKvTest& t) {
      const std::string pid = t.pg().Sql(1, "SELECT pid FROM pg_stat_wal_receiver");
      pid_ = std::atoi(pid.c_str());
      if (pid_ > 0) ::kill(pid_, SIGSTOP);
    }
    ~StalledStandby() { Resume(); }
    bool ok() const { return pid_ > 0; }
    void Resume() {
      if (pid_ > 0) ::kill(pid_, SIGCONT);
      pid_ = 0;
    }

   private:
    pid_t pid_ = 0;
  };

  // The pid of a backend of this test's database waiting for `event`, or ""
  // after 10 s.
  std::string WaitingBackend(const std::string& event) {
    for (int i = 0; i < 200; ++i) {
      std::string pid = pg().Sql(0, "SELECT pid FROM pg_stat_activity WHERE datname = '" + db_ +
                                        "' AND wait_event = '" + event + "' LIMIT 1");
      if (!pid.empty() && pid != "ERROR") return pid;
      std::this_thread::sleep_for(50ms);
    }
    return "";
  }

  // Reverts a cluster-wide setting when the test ends, passed or not.
  struct Revert {
    PgKvTest* t;
    std::string sql;
    ~Revert() {
      t->pg().Sql(0, sql);
      t->pg().Sql(0, "SELECT pg_reload_conf()");
    }
  };
  void Reload() {
    ASSERT_EQ(pg().Sql(0, "SELECT pg_reload_conf()"), "t");
    // Backends pick the file up when they next wait for a command.
    std::this_thread::sleep_for(500ms);
  }

  // A Write that waits in SyncRep for a stalled standby; `interrupt` runs
  // on the waiting backend's pid. The Write must not return before the
  // standby is resumed, and then returns OK with the row on the standby.
  void AmbiguousCommitIsSettledOnlyAfterTheStandby(PgKv& kv, const std::string& interrupt) {
    const std::string key = "ambiguous-" + interrupt;
    StalledStandby stalled(*this);
    ASSERT_TRUE(stalled.ok());
    std::atomic<bool> done{false};
    Clock::time_point done_at;
    Status status = Status::Ok();
    std::thread writer([&] {
      status = kv.Write(Batch(key, "value"));
      done_at = Clock::now();
      done = true;
    });
    const std::string pid = WaitingBackend("SyncRep");
    EXPECT_FALSE(pid.empty()) << "the COMMIT did not wait for the synchronous standby";
    if (!pid.empty()) {
      EXPECT_EQ(pg().Sql(0, "SELECT " + interrupt + "(" + pid + ")"), "t");
    }
    std::this_thread::sleep_for(1500ms);
    EXPECT_FALSE(done) << "Write returned before the standby had the batch: " << status;
    // Committed locally, not yet on the standby.
    EXPECT_TRUE(RowOn(0, key));
    const Clock::time_point resumed_at = Clock::now();
    stalled.Resume();
    writer.join();
    EXPECT_TRUE(status.ok()) << status;
    EXPECT_GE(done_at, resumed_at);
    EXPECT_TRUE(RowOn(1, key, /*wait=*/true));
    EXPECT_EQ(kv.Get(Column::kMeta, B(key)).value(), B("value"));
  }

  static inline testing::PgCluster* cluster_ = nullptr;
  static inline int counter_ = 0;
  std::string db_;
};

// ---------------------------------------------------------------- fencing

TEST_F(PgKvTest, SecondWriterFencesTheFirstForGood) {
  auto a = Writer();
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->Write(Batch("a1", "x")).ok());
  auto b = Writer();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->epoch(), a->epoch() + 1);
  for (int i = 0; i < 3; ++i) {
    Status s = a->Write(Batch("a2", "x"));
    EXPECT_EQ(s.reason(), "fenced") << s;
    EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  }
  EXPECT_EQ(a->CheckDurability().reason(), "fenced");
  EXPECT_EQ(a->Get(Column::kMeta, B("a2")).status().reason(), "missing_key");
  EXPECT_EQ(Sql("SELECT count(*) FROM ledger_meta"), "1");
  EXPECT_EQ(Head(), std::to_string(b->epoch()) + "/1");
  ASSERT_TRUE(b->Write(Batch("b1", "y")).ok());
  EXPECT_EQ(Head(), std::to_string(b->epoch()) + "/2");
  // Still fenced after B wrote; A's batches never land.
  EXPECT_EQ(a->Write(Batch("a3", "x")).reason(), "fenced");
  EXPECT_EQ(Sql("SELECT count(*) FROM ledger_meta"), "2");
}

TEST_F(PgKvTest, HandEditedEpochFencesTheWriter) {
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  ASSERT_TRUE(kv->Write(Batch("k1", "x")).ok());
  ASSERT_NE(Sql("UPDATE ledger_head SET epoch = epoch + 1"), "ERROR");
  EXPECT_EQ(kv->Write(Batch("k2", "x")).reason(), "fenced");
  EXPECT_EQ(kv->Write(Batch("k3", "x")).reason(), "fenced");
  EXPECT_EQ(Sql("SELECT count(*) FROM ledger_meta"), "1");
}

TEST_F(PgKvTest, HandEditedWriteCountIsRefused) {
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  ASSERT_TRUE(kv->Write(Batch("k1", "x")).ok());
  ASSERT_NE(Sql("UPDATE ledger_head SET writes = writes + 5"), "ERROR");
  EXPECT_EQ(kv->Write(Batch("k2", "x")).reason(), "fenced");
  EXPECT_EQ(kv->Write(Batch("k3", "x")).reason(), "fenced");
  EXPECT_EQ(Sql("SELECT count(*) FROM ledger_meta"), "1");
  EXPECT_EQ(Head(), std::to_string(kv->epoch()) + "/6");
}

// ------------------------------------------------ no synchronous standby

TEST_F(PgKvTest, EmptySynchronousStandbyNamesRefusesWrites) {
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  ASSERT_TRUE(kv->Write(Batch("k1", "x")).ok());
  const std::string head = Head();
  {
    Revert revert{this, "ALTER SYSTEM RESET synchronous_standby_names"};
    ASSERT_NE(pg().Sql(0, "ALTER SYSTEM SET synchronous_standby_names = ''"), "ERROR");
    Reload();
    Status s = kv->Write(Batch("k2", "x"));
    EXPECT_EQ(s.reason(), "not_synchronously_replicated") << s;
    EXPECT_EQ(s.code(), Code::kUnavailable);
    EXPECT_EQ(kv->Get(Column::kMeta, B("k2")).status().reason(), "missing_key");
    EXPECT_EQ(Head(), head);
    EXPECT_EQ(Open().status().reason(), "not_synchronously_replicated");
    EXPECT_EQ(kv->CheckDurability().reason(), "not_synchronously_replicated");
  }
  ASSERT_TRUE(pg().WaitSync(0, 1));
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(kv->CheckDurability().ok());
  Status s = kv->Write(Batch("k2", "x"));
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_TRUE(RowOn(1, "k2", true));
}

TEST_F(PgKvTest, KilledStandbyRefusesWritesUntilItIsBack) {
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  ASSERT_TRUE(kv->Write(Batch("k1", "x")).ok());
  const std::string head = Head();
  ASSERT_TRUE(pg().CreateDatabase(db_ + "_new"));  // a commit: needs the standby
  KillStandby();
  Status s = kv->Write(Batch("k2", "x"));
  EXPECT_EQ(s.reason(), "not_synchronously_replicated") << s;
  EXPECT_EQ(kv->Get(Column::kMeta, B("k2")).status().reason(), "missing_key");
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(Open().status().reason(), "not_synchronously_replicated");
  EXPECT_EQ(kv->CheckDurability().reason(), "not_synchronously_replicated");
  auto r = kv->Replication();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->sync_standbys, 0);
  // Creating a store is a write too: refused (not left waiting for a
  // standby), and nothing is created.
  PgKvOptions create;
  create.create_if_missing = true;
  auto fresh = OpenPgKv(pg().Conninfo(0, db_ + "_new"), create);
  EXPECT_EQ(fresh.status().reason(), "not_synchronously_replicated") << fresh.status();
  EXPECT_EQ(SqlOn(db_ + "_new", "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'ledger%'"),
            "0");
  ASSERT_TRUE(StandbyUp());
  EXPECT_TRUE(OpenPgKv(pg().Conninfo(0, db_ + "_new"), create).ok());
  EXPECT_TRUE(kv->CheckDurability().ok());
  s = kv->Write(Batch("k2", "x"));
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_TRUE(RowOn(1, "k2", true));
  EXPECT_TRUE(Open().ok());  // a new writer may open again
}

// A role default of synchronous_commit = local would let a commit return
// before the standby has it; the writer's session sets it back to on.
TEST_F(PgKvTest, RoleDefaultLocalCommitDoesNotWeakenTheWriter) {
  Revert revert{this, "ALTER ROLE ledger RESET synchronous_commit"};
  ASSERT_NE(pg().Sql(0, "ALTER ROLE ledger SET synchronous_commit = 'local'"), "ERROR");
  ASSERT_EQ(Sql("SHOW synchronous_commit"), "local");  // new sessions get it
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  ASSERT_TRUE(kv->Write(Batch("k1", "x")).ok());
  {
    // The write waits for the stalled standby: it is not a local commit.
    StalledStandby stalled(*this);
    ASSERT_TRUE(stalled.ok());
    std::atomic<bool> done{false};
    Status status = Status::Ok();
    std::thread writer([&] {
      status = kv->Write(Batch("k2", "x"));
      done = true;
    });
    EXPECT_FALSE(WaitingBackend("SyncRep").empty());
    std::this_thread::sleep_for(1s);
    EXPECT_FALSE(done);
    stalled.Resume();
    writer.join();
    EXPECT_TRUE(status.ok()) << status;
    EXPECT_TRUE(RowOn(1, "k2", true));
  }
  // A cancelled wait is settled on a new session, which gets the role
  // default too: its barrier must still wait for the standby.
  AmbiguousCommitIsSettledOnlyAfterTheStandby(*kv, "pg_cancel_backend");
}

// ------------------------------------------------------- ambiguous commits

TEST_F(PgKvTest, CancelledSyncWaitIsAcknowledgedOnlyAfterTheStandby) {
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  ASSERT_TRUE(kv->Write(Batch("k1", "x")).ok());
  AmbiguousCommitIsSettledOnlyAfterTheStandby(*kv, "pg_cancel_backend");
  Status s = kv->Write(Batch("after", "x"));
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(Head(), std::to_string(kv->epoch()) + "/3");
}

TEST_F(PgKvTest, TerminatedCommitIsAcknowledgedOnlyAfterTheStandby) {
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  ASSERT_TRUE(kv->Write(Batch("k1", "x")).ok());
  AmbiguousCommitIsSettledOnlyAfterTheStandby(*kv, "pg_terminate_backend");
  Status s = kv->Write(Batch("after", "x"));
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(Head(), std::to_string(kv->epoch()) + "/3");
}

// ------------------------------------------- not committed stays so

TEST_F(PgKvTest, BatchFailingInsideItsTransactionChangesNothing) {
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  ASSERT_TRUE(kv->Write(Batch("k1", "x")).ok());
  const std::string head = Head();
  ASSERT_NE(Sql("ALTER TABLE ledger_meta ADD CONSTRAINT small CHECK (length(v) < 100)"), "ERROR");
  WriteBatch bad;
  bad.Put(Column::kLeaves, U64Key(100), B("leaf"));
  bad.Put(Column::kMeta, B("big"), Bytes(200, 'v'));
  Status s = kv->Write(bad);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kUnavailable) << s;
  EXPECT_EQ(kv->Get(Column::kLeaves, U64Key(100)).status().reason(), "missing_key");
  EXPECT_EQ(Head(), head);
  s = kv->Write(Batch("k2", "x"));
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(Head(), std::to_string(kv->epoch()) + "/2");
}

TEST_F(PgKvTest, SessionKilledBeforeCommitChangesNothing) {
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  ASSERT_TRUE(kv->Write(Batch("k1", "x")).ok());
  const std::string head = Head();
  // A trigger that holds the batch inside its transaction, before COMMIT.
  const std::string trigger =
      "CREATE FUNCTION hold() RETURNS trigger LANGUAGE plpgsql AS \\$\\$ BEGIN "
      "PERFORM pg_sleep(30); RETURN NEW; END \\$\\$; "
      "CREATE TRIGGER hold BEFORE INSERT ON ledger_meta FOR EACH ROW EXECUTE FUNCTION hold()";
  ASSERT_NE(Sql(trigger), "ERROR");
  Status status = Status::Ok();
  std::thread writer([&] { status = kv->Write(Batch("held", "x")); });
  const std::string pid = WaitingBackend("PgSleep");
  EXPECT_FALSE(pid.empty());
  if (!pid.empty()) {
    EXPECT_EQ(Sql("SELECT pg_terminate_backend(" + pid + ")"), "t");
  }
  writer.join();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Code::kUnavailable) << status;
  ASSERT_NE(Sql("DROP TRIGGER hold ON ledger_meta"), "ERROR");
  EXPECT_EQ(kv->Get(Column::kMeta, B("held")).status().reason(), "missing_key");
  EXPECT_EQ(kv->Get(Column::kLeaves, U64Key(4)).status().reason(), "missing_key");
  EXPECT_EQ(Head(), head);
  // The next batch goes through a new session with a consistent head.
  Status s = kv->Write(Batch("k2", "x"));
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(Head(), std::to_string(kv->epoch()) + "/2");
  EXPECT_EQ(kv->Get(Column::kMeta, B("k2")).value(), B("x"));
}

// ---------------------------------------------------------- bad databases

TEST_F(PgKvTest, DatabaseWithoutSchemaIsRefused) {
  EXPECT_EQ(Open(false).status().reason(), "store_schema_missing");
  EXPECT_EQ(Open(false, 0, PgKvOptions::Mode::kReader).status().reason(), "store_schema_missing");
  // Nothing was created by the refusals.
  EXPECT_EQ(Sql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'ledger%'"), "0");
}

TEST_F(PgKvTest, OtherSchemaVersionIsRefused) {
  ASSERT_NE(Writer(), nullptr);
  ASSERT_NE(Sql("UPDATE ledger_schema SET version = 99"), "ERROR");
  EXPECT_EQ(Open(false).status().reason(), "store_schema_mismatch");
  EXPECT_EQ(Open(true).status().reason(), "store_schema_mismatch");
  EXPECT_EQ(Open(false, 0, PgKvOptions::Mode::kReader).status().reason(),
            "store_schema_mismatch");
}

// A TCP server on 127.0.0.1 that answers every connection with `reply`
// (or with nothing, holding the connection open, when it is empty).
class FakeServer {
 public:
  explicit FakeServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    ::listen(fd_, 16);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~FakeServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  void Run() {
    std::vector<int> held;
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) != 1) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      char buf[512];
      pollfd in{c, POLLIN, 0};
      if (::poll(&in, 1, 1000) == 1) (void)::read(c, buf, sizeof(buf));
      if (reply_.empty()) {
        held.push_back(c);
        continue;
      }
      (void)::write(c, reply_.data(), reply_.size());
      ::close(c);
    }
    for (int c : held) ::close(c);
  }

  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(PgKvTest, ServerThatIsNotPostgresIsUnavailable) {
  const std::string replies[] = {
      std::string("HTTP/1.1 400 Bad Request\r\n\r\n"),
      // Refuses SSL, then garbage where the authentication request belongs.
      std::string("N") + std::string("\xff\xfe\x00\x01garbage", 11),
      // An error message whose length field claims 2 GiB.
      std::string("E\x7f\xff\xff\xff", 5),
      // An authentication request of a method nobody knows.
      std::string("R\x00\x00\x00\x08\x00\x00\x00\x63", 9),
  };
  for (const std::string& reply : replies) {
    FakeServer server(reply);
    for (const char* ssl : {"prefer", "disable"}) {
      const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(server.port()) +
                                   " dbname=ledger user=ledger sslmode=" + ssl;
      PgKvOptions o;
      EXPECT_EQ(OpenPgKv(conninfo, o).status().reason(), "store_unavailable") << ssl;
      o.mode = PgKvOptions::Mode::kReader;
      EXPECT_EQ(OpenPgKv(conninfo, o).status().reason(), "store_unavailable") << ssl;
    }
  }
  // One that accepts and never answers: refused after the connect timeout.
  FakeServer silent("");
  PgKvOptions o;
  o.connect_timeout_s = 2;
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(OpenPgKv("host=127.0.0.1 port=" + std::to_string(silent.port()) +
                         " dbname=ledger user=ledger sslmode=disable",
                     o)
                .status()
                .reason(),
            "store_unavailable");
  EXPECT_LT(Clock::now() - start, 10s);
  // Nobody listening at all.
  const int closed = testing::FreeTcpPort();
  EXPECT_EQ(OpenPgKv("host=127.0.0.1 port=" + std::to_string(closed) + " dbname=x user=ledger", o)
                .status()
                .reason(),
            "store_unavailable");
}

TEST_F(PgKvTest, WriterOnAStandbyIsRefused) {
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  ASSERT_TRUE(kv->Write(Batch("k1", "x")).ok());
  ASSERT_TRUE(RowOn(1, "k1", true));
  EXPECT_EQ(Open(false, 1).status().reason(), "store_read_only");
  EXPECT_EQ(Open(true, 1).status().reason(), "store_read_only");
  // A reader may use the standby.
  auto reader = Open(false, 1, PgKvOptions::Mode::kReader);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->Get(Column::kMeta, B("k1")).value(), B("x"));
  EXPECT_TRUE((*reader)->Replication()->in_recovery);
}

TEST_F(PgKvTest, LeafFlippedBySqlIsRefusedLikeOnRocksDb) {
  // The same log on RocksDB and on PostgreSQL, the same byte flipped in both.
  Sequencer seq = testing::NewSequencer();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("ledger-pgkv-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  RocksDbOptions ro;
  ro.create_if_missing = true;
  auto rocks_kv = OpenRocksDb(dir.string(), ro);
  ASSERT_TRUE(rocks_kv.ok()) << rocks_kv.status();
  auto rocks = LogStore::Create(std::move(rocks_kv).value(), seq.head().checkpoint_note,
                                testing::LogVerifier());
  ASSERT_TRUE(rocks.ok()) << rocks.status();
  auto pg_kv = Writer();
  ASSERT_NE(pg_kv, nullptr);
  auto pgs = LogStore::Create(std::move(pg_kv), seq.head().checkpoint_note,
                              testing::LogVerifier());
  ASSERT_TRUE(pgs.ok()) << pgs.status();
  auto batch = seq.Sequence(0, seq.head().range.Root(), testing::MakeBatch(0, 40));
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_TRUE((*rocks)->Append(*batch).ok());
  ASSERT_TRUE((*pgs)->Append(*batch).ok());

  Bytes v = (*rocks)->kv().Get(Column::kLeaves, U64Key(17)).value();
  v[50 % v.size()] ^= 0x01;
  WriteBatch wb;
  wb.Put(Column::kLeaves, U64Key(17), v);
  ASSERT_TRUE((*rocks)->kv().Write(wb).ok());
  ASSERT_EQ(Sql("UPDATE ledger_leaves SET v = set_byte(v, " + std::to_string(50 % v.size()) +
                ", get_byte(v, " + std::to_string(50 % v.size()) + ") # 1) WHERE k = " +
                SqlBytes(U64Key(17))),
            "");
  ASSERT_EQ((*pgs)->kv().Get(Column::kLeaves, U64Key(17)).value(), v);

  const Status rocks_leaf = (*rocks)->GetLeaf(17).status();
  ASSERT_EQ(rocks_leaf.code(), Code::kCorruption);
  EXPECT_EQ(rocks_leaf.reason(), "leaf_mismatch");
  EXPECT_EQ((*pgs)->GetLeaf(17).status().code(), Code::kCorruption);
  EXPECT_EQ((*pgs)->GetLeaf(17).status().reason(), rocks_leaf.reason());
  EXPECT_TRUE((*pgs)->GetLeaf(16).ok());
  EXPECT_EQ((*pgs)->ReadEntryBundle(0, 40).status().reason(),
            (*rocks)->ReadEntryBundle(0, 40).status().reason());
  EXPECT_EQ((*pgs)->ReadEntryBundle(0, 40).status().code(), Code::kCorruption);
  EXPECT_EQ((*pgs)->Audit().code(), Code::kCorruption);
  EXPECT_EQ((*pgs)->Audit().reason(), (*rocks)->Audit().reason());
  rocks->reset();
  std::filesystem::remove_all(dir);
}

// --------------------------------------------------------- batch semantics

TEST_F(PgKvTest, LastOpPerKeyWinsAsInRocksDb) {
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  WriteBatch seed;
  seed.Put(Column::kMeta, B("erased"), B("old"));
  seed.Put(Column::kMeta, B("kept"), B("old"));
  ASSERT_TRUE(kv->Write(seed).ok());
  WriteBatch b;
  b.Put(Column::kMeta, B("twice"), B("first"));
  b.Put(Column::kMeta, B("twice"), B("second"));
  b.Put(Column::kMeta, B("put-erase"), B("v"));
  b.Erase(Column::kMeta, B("put-erase"));
  b.Erase(Column::kMeta, B("erase-put"));
  b.Put(Column::kMeta, B("erase-put"), B("back"));
  b.Put(Column::kMeta, B("erased"), B("new"));
  b.Erase(Column::kMeta, B("erased"));
  b.Erase(Column::kMeta, B("kept"));
  b.Put(Column::kMeta, B("kept"), B("new"));
  b.Erase(Column::kMeta, B("never-there"));
  // The same key in another column is another row.
  b.Put(Column::kPayloads, B("twice"), B("payload"));
  b.Put(Column::kMeta, B("empty"), Bytes{});
  b.Put(Column::kMeta, Bytes{}, B("empty key"));
  ASSERT_TRUE(kv->Write(b).ok());

  // The memory backend is the reference for "as RocksDB does".
  MemoryKv ref;
  ASSERT_TRUE(ref.Write(seed).ok());
  ASSERT_TRUE(ref.Write(b).ok());
  for (const char* k : {"twice", "put-erase", "erase-put", "erased", "kept", "never-there",
                        "empty", ""}) {
    auto got = kv->Get(Column::kMeta, B(k));
    auto want = ref.Get(Column::kMeta, B(k));
    EXPECT_EQ(got.ok(), want.ok()) << k;
    if (got.ok() && want.ok()) {
      EXPECT_EQ(*got, *want) << k;
    }
    if (!want.ok()) {
      EXPECT_EQ(got.status().reason(), "missing_key") << k;
    }
  }
  EXPECT_EQ(kv->Get(Column::kMeta, B("twice")).value(), B("second"));
  EXPECT_EQ(kv->Get(Column::kMeta, B("put-erase")).status().reason(), "missing_key");
  EXPECT_EQ(kv->Get(Column::kMeta, B("erase-put")).value(), B("back"));
  EXPECT_TRUE(kv->Get(Column::kMeta, B("empty")).value().empty());
  EXPECT_EQ(kv->Get(Column::kPayloads, B("twice")).value(), B("payload"));

  // An empty batch still counts as a batch, and an all-erase one works.
  EXPECT_TRUE(kv->Write(WriteBatch{}).ok());
  WriteBatch erase;
  erase.Erase(Column::kMeta, B("twice"));
  EXPECT_TRUE(kv->Write(erase).ok());
  EXPECT_EQ(kv->Get(Column::kMeta, B("twice")).status().reason(), "missing_key");
  EXPECT_EQ(Head(), std::to_string(kv->epoch()) + "/4");
}

TEST_F(PgKvTest, LargeValuesAndLargeBatches) {
  auto kv = Writer();
  ASSERT_NE(kv, nullptr);
  Bytes big(1 << 20);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 7919 >> 3);
  WriteBatch b;
  b.Put(Column::kPayloads, B("big1"), big);
  big[12345] ^= 0xff;
  b.Put(Column::kPayloads, B("big2"), big);
  constexpr uint64_t kRows = 6000;
  for (uint64_t i = 0; i < kRows; ++i) {
    b.Put(Column::kLeaves, U64Key(i), U64Key(i * 3));
    b.Put(Column::kByTime, U64Key(i), Bytes{});
  }
  Status s = kv->Write(b);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(kv->Get(Column::kPayloads, B("big2")).value(), big);
  big[12345] ^= 0xff;
  EXPECT_EQ(kv->Get(Column::kPayloads, B("big1")).value(), big);
  EXPECT_EQ(Sql("SELECT count(*) FROM ledger_leaves"), std::to_string(kRows));
  EXPECT_EQ(Sql("SELECT count(*) FROM ledger_by_time WHERE v = ''::bytea"),
            std::to_string(kRows));
  EXPECT_EQ(kv->Get(Column::kLeaves, U64Key(4321)).value(), U64Key(4321 * 3));
  EXPECT_EQ(Head(), std::to_string(kv->epoch()) + "/1");
}

TEST_F(PgKvTest, ScansCrossChunksBothWaysAndStopEarly) {
  auto kv = Writer(/*read_connections=*/1);
  ASSERT_NE(kv, nullptr);
  constexpr uint64_t kRows = 2600;  // more than two chunks of 1024
  WriteBatch b;
  for (uint64_t i = 0; i < kRows; ++i) b.Put(Column::kLeaves, U64Key(i), U64Key(i + 1));
  b.Put(Column::kMeta, B("other column"), B("x"));
  ASSERT_TRUE(kv->Write(b).ok());

  std::vector<uint64_t> seen;
  auto collect = [&](ByteView k, ByteView v) {
    seen.push_back(LoadU64BE(k.data()));
    EXPECT_EQ(LoadU64BE(v.data()), seen.back() + 1);
    return true;
  };
  ASSERT_TRUE(kv->Scan(Column::kLeaves, {}, {}, false, collect).ok());
  ASSERT_EQ(seen.size(), kRows);
  for (uint64_t i = 0; i < kRows; ++i) ASSERT_EQ(seen[i], i);

  seen.clear();
  ASSERT_TRUE(kv->Scan(Column::kLeaves, {}, {}, true, collect).ok());
  ASSERT_EQ(seen.size(), kRows);
  for (uint64_t i = 0; i < kRows; ++i) ASSERT_EQ(seen[i], kRows - 1 - i);

  // Bounded: [100, 2300) both ways.
  seen.clear();
  ASSERT_TRUE(kv->Scan(Column::kLeaves, U64Key(100), U64Key(2300), false, collect).ok());
  ASSERT_EQ(seen.size(), 2200u);
  EXPECT_EQ(seen.front(), 100u);
  EXPECT_EQ(seen.back(), 2299u);
  seen.clear();
  ASSERT_TRUE(kv->Scan(Column::kLeaves, U64Key(100), U64Key(2300), true, collect).ok());
  ASSERT_EQ(seen.size(), 2200u);
  EXPECT_EQ(seen.front(), 2299u);
  EXPECT_EQ(seen.back(), 100u);
  for (size_t i = 1; i < seen.size(); ++i) ASSERT_EQ(seen[i], seen[i - 1] - 1);

  // Early stop in the second chunk, both ways.
  for (bool reverse : {false, true}) {
    size_t visits = 0;
    ASSERT_TRUE(kv->Scan(Column::kLeaves, {}, {}, reverse, [&](ByteView, ByteView) {
                  return ++visits < 1500;
                }).ok());
    EXPECT_EQ(visits, 1500u) << reverse;
  }
}

TEST_F(PgKvTest, VisitorMayReadTheSameStoreWhileScanning) {
  // One read connection: a Scan that held it while visiting would deadlock.
  auto kv = Writer(/*read_connections=*/1);
  ASSERT_NE(kv, nullptr);
  WriteBatch b;
  for (uint64_t i = 0; i < 1500; ++i) {
    b.Put(Column::kByTime, U64Key(i), Bytes{});
    b.Put(Column::kLeaves, U64Key(i), U64Key(i * 5));
  }
  ASSERT_TRUE(kv->Write(b).ok());
  auto done = std::make_shared<std::promise<std::pair<Status, size_t>>>();
  auto result = done->get_future();
  PgKv* raw = kv.get();
  std::thread([raw, done] {
    size_t ok = 0;
    Status s = raw->Scan(Column::kByTime, {}, {}, false, [&](ByteView k, ByteView) {
      auto leaf = raw->Get(Column::kLeaves, k);
      if (leaf.ok() && LoadU64BE(leaf->data()) == LoadU64BE(k.data()) * 5) ++ok;
      // And a nested scan.
      size_t inner = 0;
      (void)raw->Scan(Column::kLeaves, k, {}, false, [&](ByteView, ByteView) {
        return ++inner < 2;
      });
      return true;
    });
    done->set_value({s, ok});
  }).detach();
  if (result.wait_for(60s) != std::future_status::ready) {
    ADD_FAILURE() << "Scan with a visitor that reads the store did not finish (deadlock)";
    std::_Exit(1);  // the scanning thread still uses the store
  }
  auto [status, ok] = result.get();
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(ok, 1500u);
}

}  // namespace
}  // namespace ledger::store
