// The directory a publisher writes into: every byte the publisher reads
// back or writes goes through OutDir, so that tests can inject faults by
// wrapping it (tests/ledger/publish/) and another target (an object store
// bucket) can take its place.
//
// Thread-safety: implementations need not be thread-safe; one publisher
// writes at a time.
#pragma once

#include <memory>
#include <string>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"

namespace ledger::publish {

class OutDir {
 public:
  virtual ~OutDir() = default;
  // The bytes at `path` (relative, '/'-separated: "tile/0/x001/002.p/5").
  // NotFound("no_such_file") when absent; other errors as the backend's.
  virtual Result<Bytes> Read(const std::string& path) const = 0;
  // Replaces `path` atomically and durably: once Write returns OK, a crash
  // leaves the new bytes there; a failed or interrupted Write leaves the
  // old bytes (or nothing). Creates the parent directories.
  virtual Status Write(const std::string& path, ByteView data) = 0;
};

// A local directory (created if missing). Write: a temporary file in the
// same directory, fsync, rename, fsync of the directory; new parent
// directories are fsynced into theirs.
// Unavailable("publish_dir_unusable") when `root` cannot be created.
Result<std::unique_ptr<OutDir>> OpenLocalDir(const std::string& root);

}  // namespace ledger::publish
