// Reading and writing a bundle as a directory or a POSIX tar file.
//
// Tar goes through libarchive (Debian's libarchive-dev): it writes the
// portable pax/ustar format and reads every tar variant an auditor's tools
// may have produced when they re-packed a bundle. A bundle is untrusted
// input, so reading is bounded (kMaxBundleFiles, kMaxBundleBytes) and refuses
// anything but regular files with plain relative paths: no absolute paths,
// no "..", no links, no duplicates.
//
// Thread-safety: free functions.
#pragma once

#include <string>

#include "ledger/bundle/bundle.h"

namespace ledger::bundle {

// A directory, or a file (read as tar). NotFound("no_such_file"),
// InvalidArgument("bad_archive") / ("bad_path") / ("bundle_too_large").
Result<Files> ReadBundle(const std::string& path);
Result<Files> ReadTar(std::string_view tar_bytes);

// Writes every file under `dir` (created; must not hold a bundle already:
// FailedPrecondition("output_exists")).
Status WriteBundleDir(const Files& files, const std::string& dir);
// A pax-restricted tar with fixed metadata (mode 0644, uid/gid 0, the given
// mtime), so that one bundle always gives the same tar bytes.
Result<std::string> WriteTar(const Files& files, int64_t mtime);

// "a/b.txt" style: non-empty, relative, no "." or ".." parts, no empty parts,
// no NUL or backslash.
bool IsSafeRelativePath(std::string_view path);

}  // namespace ledger::bundle
