// OutDir on a local file system (out_dir.h).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ledger/files/read_file.h"
#include "ledger/files/write_file.h"
#include "ledger/publish/out_dir.h"

namespace ledger::publish {
namespace {

namespace fs = std::filesystem;

// Makes a new directory entry durable: fsync of the directory holding it.
Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Status::Unavailable("write_failed", dir.string() + ": " + std::strerror(errno));
  }
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::Unavailable("write_failed", dir.string() + ": " + std::strerror(err));
  return Status::Ok();
}

// Creates every missing directory from `root` down to `dir`, each synced
// into its parent, so that a file renamed into `dir` survives a crash.
Status MakeDirs(const fs::path& root, const fs::path& dir) {
  fs::path at = root;
  for (const auto& part : dir.lexically_relative(root)) {
    if (part == ".") continue;
    fs::path next = at / part;
    std::error_code ec;
    if (fs::create_directory(next, ec)) {
      RETURN_IF_ERROR(SyncDir(at));
    } else if (ec) {
      return Status::Unavailable("write_failed", next.string() + ": " + ec.message());
    }
    at = next;
  }
  return Status::Ok();
}

class LocalDir : public OutDir {
 public:
  explicit LocalDir(fs::path root) : root_(std::move(root)) {}

  Result<Bytes> Read(const std::string& path) const override {
    ASSIGN_OR_RETURN(std::string text, files::ReadFile((root_ / path).string()));
    return ToBytes(text);
  }

  Status Write(const std::string& path, ByteView data) override {
    const fs::path target = root_ / path;
    RETURN_IF_ERROR(MakeDirs(root_, target.parent_path()));
    // files::WriteFile: temporary file, fsync, rename, fsync of the directory.
    return files::WriteFile(target.string(), AsString(data));
  }

 private:
  fs::path root_;
};

}  // namespace

Result<std::unique_ptr<OutDir>> OpenLocalDir(const std::string& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec || !fs::is_directory(root)) {
    return Status::Unavailable("publish_dir_unusable",
                               root + ": " + (ec ? ec.message() : "not a directory"));
  }
  return std::unique_ptr<OutDir>(new LocalDir(fs::path(root)));
}

}  // namespace ledger::publish
