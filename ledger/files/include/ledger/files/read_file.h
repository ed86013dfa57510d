// Reading a whole small file (a config, manifest, key, token list, pinned
// certificate) into memory: the one copy the daemons and ledgerctl share, so
// that a missing file, a directory or a file far larger than anything they
// keep fails the same way, with the same stable reasons, everywhere.
#pragma once

#include <cstddef>
#include <string>

#include "ledger/base/status.h"

namespace ledger::files {

// The default cap: well above any file the daemons read at start, well
// below what would hurt to hold in memory.
inline constexpr size_t kDefaultMaxFileBytes = size_t{64} << 20;

struct ReadOptions {
  size_t max_bytes = kDefaultMaxFileBytes;
  // Refuse a file whose mode lets the group or others read or write it (a
  // secret: a key or a token file).
  bool private_only = false;
  // Also read a pipe or FIFO to its end (ledgerctl's `<(command)` arguments);
  // otherwise anything but a regular file is refused.
  bool allow_pipe = false;
};

// The file's bytes. Failures (reasons are stable):
//   NotFound           no_such_file    the path does not exist
//   InvalidArgument    not_a_file      a directory, device, FIFO (unless
//                                      allow_pipe), ...
//   InvalidArgument    file_too_large  more than options.max_bytes
//   FailedPrecondition key_file_mode   private_only, and the mode allows
//                                      group or other access
//   Unavailable        unreadable      permission denied, an I/O error
Result<std::string> ReadFile(const std::string& path, const ReadOptions& options = {});

}  // namespace ledger::files
