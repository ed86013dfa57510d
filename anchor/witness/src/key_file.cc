#include "witness/key_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ledger/base/bytes.h"

namespace anchor::witness {

using ledger::Ed25519PrivateKey;
using ledger::Result;
using ledger::Status;

namespace {
void Cleanse(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}
void Cleanse(ledger::Bytes& b) {
  if (!b.empty()) OPENSSL_cleanse(b.data(), b.size());
}
}  // namespace

Result<Ed25519PrivateKey> GenerateKeyFile(const std::string& path) {
  ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::Generate());
  ledger::Bytes seed = key.ExportSeed();
  std::string text = ledger::HexEncode(seed) + "\n";
  Cleanse(seed);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    Cleanse(text);
    return Status::FailedPrecondition("write_failed",
                                      "cannot create " + path + ": " + std::strerror(errno));
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  Cleanse(text);
  if (!ok) return Status::FailedPrecondition("write_failed", "cannot write " + path);
  return key;
}

Result<Ed25519PrivateKey> ReadKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("missing_file", path + " does not exist");
    return Status::FailedPrecondition("read_failed",
                                      "cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (st.st_mode & 077) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("bad_key_file",
                                   path + " must be a regular file of mode 0600 or stricter");
  }
  char buf[128];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  ::close(fd);
  std::string text(buf, n > 0 ? static_cast<size_t>(n) : 0);
  OPENSSL_cleanse(buf, sizeof(buf));
  if (text.size() != 2 * Ed25519PrivateKey::kSeedSize + 1 || text.back() != '\n') {
    Cleanse(text);
    return Status::InvalidArgument("bad_key_file", path + ": not a hex Ed25519 seed");
  }
  auto seed = ledger::HexDecode(std::string_view(text).substr(0, text.size() - 1));
  Cleanse(text);
  if (!seed.ok()) return Status::InvalidArgument("bad_key_file", path + ": not a hex Ed25519 seed");
  auto key = Ed25519PrivateKey::FromSeed(*seed);
  Cleanse(*seed);
  return key;
}

}  // namespace anchor::witness
