#include "ledger/files/write_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ledger::files {
namespace {

Status WriteFailed(const std::string& what, const std::string& path, int err) {
  return Status::Unavailable("write_failed",
                             "cannot " + what + " " + path + ": " + std::strerror(err));
}

Status Exists(const std::string& path) {
  return Status::FailedPrecondition("write_failed",
                                    "cannot create " + path + ": " + std::strerror(EEXIST));
}

// The folder holding `path` ("." for a bare name).
std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// fsync of the folder: the rename (or link) that made the new name is
// itself durable only once the directory entry is on disk.
Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return WriteFailed("open the folder", dir, errno);
  const bool ok = ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  return ok ? Status::Ok() : WriteFailed("sync the folder", dir, err);
}

}  // namespace

Status WriteFile(const std::string& path, std::string_view data, const WriteOptions& options) {
  if (options.exclusive && ::access(path.c_str(), F_OK) == 0) return Exists(path);
  // The temporary is a sibling of the target: rename is atomic only within
  // one file system. mkstemp creates it 0600; a public file is widened.
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return WriteFailed("create a temporary file for", path, errno);
  int err = 0;
  bool ok = options.secret || ::fchmod(fd, 0644) == 0;
  if (!ok) err = errno;
  if (ok && !(ok = WriteAll(fd, data))) err = errno;
  if (ok && !(ok = ::fsync(fd) == 0)) err = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return WriteFailed("write", path, err);
  }
  if (options.exclusive) {
    // link() refuses an existing target (EEXIST): no check-then-replace race.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      err = errno;
      ::unlink(tmp.c_str());
      if (err == EEXIST) return Exists(path);
      return WriteFailed("create", path, err);
    }
    ::unlink(tmp.c_str());
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    return WriteFailed("replace", path, err);
  }
  return SyncDir(DirOf(path));
}

}  // namespace ledger::files
