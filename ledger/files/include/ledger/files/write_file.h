// Replacing a small file atomically and durably: a reader (or the next
// start after a crash) sees the old content or the new, never a torn or
// empty file. The steps: a temporary file in the same directory, write,
// fsync, rename over the target, fsync the directory so that the rename
// itself survives a crash.
#pragma once

#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace ledger::files {

struct WriteOptions {
  // Mode 0600 from the moment the file exists (keys, seeds, tokens);
  // otherwise 0644 (both before the umask).
  bool secret = false;
  // Fail with FailedPrecondition("write_failed") if the target exists,
  // instead of replacing it (a key must never be overwritten).
  bool exclusive = false;
};

// Writes `data` to `path`. On failure the old content, if any, is left as
// it was and no temporary file remains. Failures (reasons are stable):
//   FailedPrecondition write_failed  options.exclusive and path exists
//   Unavailable        write_failed  cannot create, write, sync or rename
Status WriteFile(const std::string& path, std::string_view data, const WriteOptions& options = {});

}  // namespace ledger::files
