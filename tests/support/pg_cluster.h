// Real PostgreSQL 15 servers for tests: a primary and synchronous standbys
// on 127.0.0.1 with free ports, in a temporary directory, run as the
// `postgres` user when the test runs as root (the server refuses root).
// Every server is a child of the test (killed with it: PR_SET_PDEATHSIG),
// so kill -9 is a real kill of a real postmaster.
//
// The primary asks for `FIRST 1 (s1, s2)`: s1 is the synchronous standby,
// s2 the candidate that takes over the role after a failover.
#pragma once

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace ledger::testing {

inline const std::string kPgBin = "/usr/lib/postgresql/15/bin/";

inline int FreeTcpPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Starts argv as the postgres user (when root), output appended to `log`.
// `wait`: run to completion and return the exit code; else return the pid.
inline int PgSpawn(const std::vector<std::string>& argv, const std::string& log, bool wait) {
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::getuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr || ::setgroups(0, nullptr) != 0 || ::setgid(pw->pw_gid) != 0 ||
          ::setuid(pw->pw_uid) != 0) {
        ::_exit(126);
      }
    }
    // After setuid: a credential change clears the parent-death signal.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (!wait) return pid;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class PgCluster {
 public:
  struct Node {
    std::string name;
    std::string dir;
    int port = 0;
    pid_t pid = -1;
  };

  // A primary and `standbys` streaming standbys (s1, s2, ...), all up.
  // Empty on failure (see log()).
  static std::unique_ptr<PgCluster> Start(int standbys) {
    auto c = std::unique_ptr<PgCluster>(new PgCluster());
    if (!c->StartPrimary()) return nullptr;
    for (int i = 1; i <= standbys; ++i) {
      if (!c->AddStandby("s" + std::to_string(i), 0)) return nullptr;
    }
    return c;
  }

  ~PgCluster() {
    for (auto& n : nodes_) Kill(n);
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  const std::string& root() const { return root_; }
  std::string log() const { return root_ + "/servers.log"; }
  Node& node(size_t i) { return nodes_[i]; }
  size_t nodes() const { return nodes_.size(); }

  std::string Conninfo(size_t i, const std::string& db = "postgres") const {
    return "host=127.0.0.1 port=" + std::to_string(nodes_[i].port) + " dbname=" + db +
           " user=ledger";
  }
  // Every node, whichever is primary (libpq picks the writable one).
  std::string MultiHostConninfo(const std::string& db) const {
    std::string hosts, ports;
    for (const auto& n : nodes_) {
      hosts += (hosts.empty() ? "" : ",") + std::string("127.0.0.1");
      ports += (ports.empty() ? "" : ",") + std::to_string(n.port);
    }
    return "host=" + hosts + " port=" + ports + " dbname=" + db +
           " user=ledger target_session_attrs=read-write connect_timeout=2";
  }

  // psql -Atc on node i; the output (trimmed), or "ERROR" on failure.
  std::string Sql(size_t i, const std::string& sql, const std::string& db = "postgres") const {
    const std::string out = root_ + "/psql.out";
    std::string cmd = kPgBin + "psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " +
                      std::to_string(nodes_[i].port) + " -U ledger -d " + db + " -c \"" + sql +
                      "\" > " + out + " 2>>" + log();
    if (std::system(cmd.c_str()) != 0) return "ERROR";
    std::ifstream f(out);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }

  // A fresh database on the primary (node `primary`).
  bool CreateDatabase(const std::string& db, size_t primary = 0) {
    return Sql(primary, "CREATE DATABASE " + db) != "ERROR";
  }

  // kill -9 of node i's postmaster, reaped.
  void Kill(Node& n) {
    if (n.pid <= 0) return;
    ::kill(n.pid, SIGKILL);
    ::waitpid(n.pid, nullptr, 0);
    n.pid = -1;
    // Its children (backends, walsender) die with it (postmaster death);
    // wait for the port to be free of them.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  bool Promote(size_t i) {
    return PgSpawn({kPgBin + "pg_ctl", "promote", "-w", "-D", nodes_[i].dir}, log(), true) == 0;
  }

  // A standby of node `upstream`, named `name` (its application_name), on
  // `port` (0: a free one).
  bool AddStandby(const std::string& name, size_t upstream, int port = 0) {
    Node n{name, root_ + "/" + name, port != 0 ? port : FreeTcpPort(), -1};
    const std::string source = "host=127.0.0.1 port=" + std::to_string(nodes_[upstream].port) +
                               " user=ledger application_name=" + name;
    if (PgSpawn({kPgBin + "pg_basebackup", "-D", n.dir, "-R", "-c", "fast", "-X", "stream", "--no-sync",
                 "-d", source},
                log(), true) != 0) {
      return false;
    }
    std::ofstream(n.dir + "/postgresql.conf", std::ios::app) << "port = " << n.port << "\n";
    if (!StartNode(n)) return false;
    nodes_.push_back(n);
    return true;
  }

  // Waits until node i reports `count` synchronous standbys.
  bool WaitSync(size_t i, int count = 1, int seconds = 30) {
    for (int t = 0; t < seconds * 10; ++t) {
      if (Sql(i, "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") ==
          std::to_string(count)) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

 private:
  PgCluster() {
    char tmpl[] = "/tmp/ledger-pg-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    if (::getuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      if (pw != nullptr && ::chown(root_.c_str(), pw->pw_uid, pw->pw_gid) != 0) root_.clear();
    }
  }

  bool StartPrimary() {
    Node n{"primary", root_ + "/primary", FreeTcpPort(), -1};
    if (PgSpawn({kPgBin + "initdb", "-D", n.dir, "-U", "ledger", "--auth=trust", "--no-sync",
                 "-E", "UTF8", "--locale=C"},
                log(), true) != 0) {
      return false;
    }
    std::ofstream conf(n.dir + "/postgresql.conf", std::ios::app);
    conf << "port = " << n.port << "\n"
         << "listen_addresses = '127.0.0.1'\n"
         << "unix_socket_directories = '" << root_ << "'\n"
         << "wal_level = replica\nmax_wal_senders = 10\nwal_keep_size = '256MB'\n"
         << "wal_log_hints = on\nfsync = on\nsynchronous_commit = on\n"
         << "synchronous_standby_names = 'FIRST 1 (s1, s2)'\n"
         << "shared_buffers = '64MB'\nmax_connections = 60\n"
         << "hot_standby = on\nhot_standby_feedback = on\n";
    conf.close();
    if (!StartNode(n)) return false;
    nodes_.push_back(n);
    return true;
  }

  bool StartNode(Node& n) {
    n.pid = PgSpawn({kPgBin + "postgres", "-D", n.dir}, log(), false);
    for (int t = 0; t < 300; ++t) {
      const std::string cmd = kPgBin + "pg_isready -q -h 127.0.0.1 -p " + std::to_string(n.port);
      if (std::system(cmd.c_str()) == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  std::string root_;
  std::vector<Node> nodes_;
};

}  // namespace ledger::testing
