// Token files and HTTP Basic authentication (api_tokens.h).
#include "ledger/ledgerd/api_tokens.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/files/read_file.h"
#include "text_file.h"

namespace ledger::ledgerd {
namespace {

// RFC 7617 §2: the user id has no colon; control characters would end up in
// logs and in EXPORT_CREATED actors.
bool IsValidName(std::string_view name) {
  return !name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == ':' || u < 0x20 || u == 0x7f;
  });
}

}  // namespace

Result<ApiTokens> ApiTokens::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, files::ReadFile(path));
  ApiTokens t;
  size_t n = 0;
  for (const std::string& line : TextLines(text)) {
    ++n;
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument("bad_token_file",
                                     path + " line " + std::to_string(n) + ": " + why);
    };
    const size_t colon = line.rfind(':');
    if (colon == std::string::npos) return bad("not <name>:<hex sha256>");
    const std::string name = line.substr(0, colon);
    if (!IsValidName(name)) return bad("not a name (no colon or control character)");
    auto digest = Hash::FromHex(line.substr(colon + 1));
    if (!digest.ok()) return bad("not a hex SHA-256 (the file holds digests, never tokens)");
    if (!t.digests_.emplace(name, *digest).second) return bad("repeated name");
  }
  if (t.digests_.empty()) return Status::InvalidArgument("bad_token_file", path + " is empty");
  return t;
}

std::optional<std::string> ApiTokens::Authenticate(const std::string& authorization) const {
  constexpr std::string_view kBasic = "Basic ";
  if (!authorization.starts_with(kBasic)) return std::nullopt;
  auto decoded = Base64Decode(std::string_view(authorization).substr(kBasic.size()));
  if (!decoded.ok()) return std::nullopt;
  std::string pair(AsString(*decoded));
  OPENSSL_cleanse(decoded->data(), decoded->size());
  const size_t colon = pair.find(':');  // RFC 7617: the user id has no colon
  if (colon == std::string::npos) {
    OPENSSL_cleanse(pair.data(), pair.size());
    return std::nullopt;
  }
  std::string user = pair.substr(0, colon);
  const Hash given = Sha256::Digest(pair.substr(colon + 1));
  OPENSSL_cleanse(pair.data(), pair.size());
  auto it = digests_.find(user);
  // Unknown users are compared against a fixed digest too, so the time does
  // not tell which names exist.
  const Hash expected = it != digests_.end() ? it->second : Hash();
  const bool same = CRYPTO_memcmp(given.bytes.data(), expected.bytes.data(), Hash::kSize) == 0;
  if (it == digests_.end() || !same) return std::nullopt;
  return user;
}

bool ApiTokens::SharesTokenWith(const ApiTokens& other) const {
  return std::any_of(digests_.begin(), digests_.end(), [&](const auto& mine) {
    return std::any_of(other.digests_.begin(), other.digests_.end(),
                       [&](const auto& theirs) { return mine.second == theirs.second; });
  });
}

}  // namespace ledger::ledgerd
