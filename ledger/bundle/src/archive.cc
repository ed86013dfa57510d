// Bundle I/O (archive.h). libarchive calls are converted to Status here only.
#include "ledger/bundle/archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

namespace ledger::bundle {
namespace fs = std::filesystem;
namespace {

Status BadArchive(const std::string& why) { return Status::InvalidArgument("bad_archive", why); }

struct ReadCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

Status AddFile(Files& files, uint64_t& total, std::string path, std::string content) {
  if (!IsSafeRelativePath(path)) return Status::InvalidArgument("bad_path", "unsafe path " + path);
  if (files.size() >= kMaxBundleFiles) {
    return Status::InvalidArgument("bundle_too_large", "too many files");
  }
  total += content.size();
  if (total > kMaxBundleBytes) return Status::InvalidArgument("bundle_too_large", "too many bytes");
  if (!files.emplace(std::move(path), std::move(content)).second) {
    return Status::InvalidArgument("bad_path", "a file appears twice");
  }
  return Status::Ok();
}

}  // namespace

bool IsSafeRelativePath(std::string_view path) {
  if (path.empty() || path.size() > 1024 || path.front() == '/') return false;
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                                                : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

Result<Files> ReadTar(std::string_view tar_bytes) {
  std::unique_ptr<archive, ReadCloser> a(archive_read_new());
  if (!a) return Status::Internal("libarchive", "archive_read_new failed");
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), tar_bytes.data(), tar_bytes.size()) != ARCHIVE_OK) {
    return BadArchive(archive_error_string(a.get()) ? archive_error_string(a.get()) : "not a tar");
  }
  Files files;
  uint64_t total = 0;
  for (;;) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK) {
      const char* msg = archive_error_string(a.get());
      return BadArchive(msg ? msg : "unreadable tar header");
    }
    const char* name = archive_entry_pathname(e);
    if (name == nullptr) return BadArchive("entry without a name");
    std::string path = name;
    if (archive_entry_filetype(e) == AE_IFDIR) continue;
    if (archive_entry_filetype(e) != AE_IFREG) {
      return Status::InvalidArgument("bad_path", "not a regular file: " + path);
    }
    la_int64_t size = archive_entry_size(e);
    if (size < 0 || static_cast<uint64_t>(size) > kMaxBundleBytes - total) {
      return Status::InvalidArgument("bundle_too_large", "entry too large: " + path);
    }
    std::string content(static_cast<size_t>(size), '\0');
    la_ssize_t got = archive_read_data(a.get(), content.data(), content.size());
    if (got < 0 || static_cast<size_t>(got) != content.size()) return BadArchive("truncated entry");
    RETURN_IF_ERROR(AddFile(files, total, std::move(path), std::move(content)));
  }
  return files;
}

Result<Files> ReadBundle(const std::string& path) {
  std::error_code ec;
  auto st = fs::symlink_status(path, ec);
  if (ec || !fs::exists(st)) return Status::NotFound("no_such_file", "cannot read " + path);
  if (!fs::is_directory(st)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound("no_such_file", "cannot read " + path);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return ReadTar(bytes);
  }
  Files files;
  uint64_t total = 0;
  fs::recursive_directory_iterator it(path, ec), end;
  if (ec) return Status::NotFound("no_such_file", "cannot list " + path);
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::Unavailable("read_failed", ec.message());
    auto s = it->symlink_status();
    if (fs::is_directory(s)) continue;
    std::string rel = fs::relative(it->path(), path).generic_string();
    if (!fs::is_regular_file(s)) {
      return Status::InvalidArgument("bad_path", "not a regular file: " + rel);
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return Status::Unavailable("read_failed", "cannot read " + rel);
    RETURN_IF_ERROR(AddFile(files, total, std::move(rel), std::move(content)));
  }
  return files;
}

Status WriteBundleDir(const Files& files, const std::string& dir) {
  std::error_code ec;
  if (fs::exists(fs::path(dir) / kBagitTxt)) {
    return Status::FailedPrecondition("output_exists", dir + " already holds a bundle");
  }
  for (const auto& [rel, content] : files) {
    if (!IsSafeRelativePath(rel)) return Status::Internal("bad_path", rel);
    fs::path p = fs::path(dir) / rel;
    fs::create_directories(p.parent_path(), ec);
    if (ec) return Status::Unavailable("write_failed", "cannot create " + p.parent_path().string());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) return Status::Unavailable("write_failed", "cannot write " + p.string());
  }
  return Status::Ok();
}

Result<std::string> WriteTar(const Files& files, int64_t mtime) {
  std::unique_ptr<archive, WriteCloser> a(archive_write_new());
  if (!a) return Status::Internal("libarchive", "archive_write_new failed");
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_per_block(a.get(), 0);  // no padding to 10 KiB blocks
  std::string out;
  auto open_cb = [](archive*, void*) -> int { return ARCHIVE_OK; };
  auto write_cb = [](archive*, void* client, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  auto close_cb = [](archive*, void*) -> int { return ARCHIVE_OK; };
  if (archive_write_open(a.get(), &out, open_cb, write_cb, close_cb) != ARCHIVE_OK) {
    return Status::Internal("libarchive", archive_error_string(a.get()));
  }
  for (const auto& [rel, content] : files) {
    std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), rel.c_str());
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_mtime(e.get(), mtime, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK ||
        archive_write_data(a.get(), content.data(), content.size()) !=
            static_cast<la_ssize_t>(content.size())) {
      return Status::Internal("libarchive", archive_error_string(a.get()));
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return Status::Internal("libarchive", archive_error_string(a.get()));
  }
  return out;
}

}  // namespace ledger::bundle
