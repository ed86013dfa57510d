#include "ledger/base/hash.h"

#include <openssl/evp.h>

#include <cstring>

namespace ledger {

Result<Hash> Hash::FromBytes(ByteView b) {
  if (b.size() != kSize) {
    return Status::InvalidArgument("bad_hash_length",
                                   "hash must be 32 bytes, got " + std::to_string(b.size()));
  }
  Hash h;
  std::memcpy(h.bytes.data(), b.data(), kSize);
  return h;
}

Result<Hash> Hash::FromHex(std::string_view hex) {
  ASSIGN_OR_RETURN(Bytes b, HexDecode(hex));
  return FromBytes(b);
}

Result<Hash> Hash::FromBase64(std::string_view b64) {
  ASSIGN_OR_RETURN(Bytes b, Base64Decode(b64));
  return FromBytes(b);
}

namespace {

// Fetched once: with EVP_sha256() every digest initialization fetches the
// implementation from the provider store again (OpenSSL 3), which costs more
// than hashing a 65-byte map node (schemas/formats/map.md §3).
const EVP_MD* FetchedSha256() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    LEDGER_CHECK(fetched != nullptr);
    return fetched;
  }();
  return md;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  LEDGER_CHECK(ctx_ != nullptr);
  LEDGER_CHECK(EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), FetchedSha256(), nullptr) == 1);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

Sha256& Sha256::Update(ByteView data) {
  LEDGER_CHECK(EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) == 1);
  return *this;
}

Hash Sha256::Final() {
  Hash h;
  unsigned int len = 0;
  LEDGER_CHECK(EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), h.bytes.data(), &len) == 1);
  LEDGER_CHECK(len == Hash::kSize);
  return h;
}

Hash Sha256::Digest(ByteView data) {
  Hash h;
  unsigned int len = 0;
  LEDGER_CHECK(EVP_Digest(data.data(), data.size(), h.bytes.data(), &len, FetchedSha256(),
                          nullptr) == 1);
  return h;
}

}  // namespace ledger
