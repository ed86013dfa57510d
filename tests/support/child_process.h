// A child process for tests that drive the real binaries: stdout to a pipe
// (ReadLine), stderr to a log file or inherited, killed (SIGKILL) and reaped
// when the object goes away, and with PR_SET_PDEATHSIG so that it never
// outlives a crashed test either.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace ledger::testing {

class ChildProcess {
 public:
  // argv[0] is the executable's path. `stderr_log` empty: inherit stderr.
  // `env`: extra "NAME=VALUE" variables for the child only.
  explicit ChildProcess(std::vector<std::string> argv, const std::string& stderr_log = "",
                        std::vector<std::string> env = {}) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::dup2(fds[1], STDOUT_FILENO);
      if (!stderr_log.empty()) {
        int err = ::open(stderr_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (err >= 0) ::dup2(err, STDERR_FILENO);
      }
      ::close(fds[0]);
      ::close(fds[1]);
      for (auto& e : env) ::putenv(e.data());
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    Kill(SIGKILL);
    if (out_ != nullptr) std::fclose(out_);
  }

  // The next stdout line, without '\n'; empty at the end of the output.
  std::string ReadLine() {
    std::string line;
    if (out_ == nullptr) return line;
    for (int c; (c = std::fgetc(out_)) != EOF && c != '\n';) line.push_back(static_cast<char>(c));
    return line;
  }
  // Exit status once the process ends by itself (-1 if killed by a signal).
  int Wait() {
    int status = 0;
    if (pid_ > 0) ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void Kill(int sig = SIGKILL) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

}  // namespace ledger::testing
