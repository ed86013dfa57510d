#include "witness/key_file.h"

#include <openssl/crypto.h>

#include "ledger/base/bytes.h"
#include "ledger/files/read_file.h"
#include "ledger/files/write_file.h"

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
  Status written = ledger::files::WriteFile(path, text, {.secret = true, .exclusive = true});
  Cleanse(text);
  if (!written.ok()) return Status::FailedPrecondition("write_failed", written.message());
  return key;
}

Result<Ed25519PrivateKey> ReadKeyFile(const std::string& path) {
  constexpr size_t kFileSize = 2 * Ed25519PrivateKey::kSeedSize + 1;
  auto read = ledger::files::ReadFile(path, {.max_bytes = kFileSize, .private_only = true});
  if (!read.ok()) {
    const std::string& reason = read.status().reason();
    if (reason == "no_such_file") return Status::NotFound("missing_file", path + " does not exist");
    if (reason == "not_a_file" || reason == "key_file_mode") {
      return Status::InvalidArgument("bad_key_file",
                                     path + " must be a regular file of mode 0600 or stricter");
    }
    if (reason == "file_too_large") {
      return Status::InvalidArgument("bad_key_file", path + ": not a hex Ed25519 seed");
    }
    return Status::FailedPrecondition("read_failed", read.status().message());
  }
  std::string text = std::move(read).value();
  if (text.size() != kFileSize || text.back() != '\n') {
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
