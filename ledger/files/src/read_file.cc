#include "ledger/files/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ledger::files {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status Unreadable(const std::string& path, int err) {
  return Status::Unavailable("unreadable", "cannot read " + path + ": " + std::strerror(err));
}

}  // namespace

Result<std::string> ReadFile(const std::string& path, const ReadOptions& options) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound("no_such_file", "cannot read " + path + ": no such file");
    }
    return Unreadable(path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Unreadable(path, errno);
  const bool pipe = S_ISFIFO(st.st_mode) && options.allow_pipe;
  if (!S_ISREG(st.st_mode) && !pipe) {
    return Status::InvalidArgument("not_a_file", "cannot read " + path + ": not a regular file");
  }
  // A pipe is read blocking, to its writer's end.
  if (pipe && ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK) != 0) {
    return Unreadable(path, errno);
  }
  if (options.private_only && (st.st_mode & 077) != 0) {
    return Status::FailedPrecondition("key_file_mode", path + " must be mode 0600 or stricter");
  }
  auto too_large = [&] {
    return Status::InvalidArgument(
        "file_too_large", path + " is larger than " + std::to_string(options.max_bytes) + " bytes");
  };
  if (static_cast<unsigned long long>(st.st_size) > options.max_bytes) return too_large();
  // Read to the end rather than trusting st_size: the file may grow between
  // the fstat and the reads; the cap holds either way.
  // The buffer is wiped afterwards and the string sized up front, so a key
  // read through here leaves no stray copy in freed memory.
  std::string out;
  out.reserve(pipe ? 0 : static_cast<size_t>(st.st_size));
  char buf[16384];
  Status failed;
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      failed = Unreadable(path, errno);
      break;
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > options.max_bytes) {
      failed = too_large();
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::explicit_bzero(buf, sizeof buf);
  if (!failed.ok()) {
    ::explicit_bzero(out.data(), out.size());
    return failed;
  }
  return out;
}

}  // namespace ledger::files
