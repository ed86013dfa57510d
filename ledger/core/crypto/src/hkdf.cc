#include "ledger/crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "ledger/crypto/openssl_error.h"

namespace ledger {

Result<Bytes> HkdfSha256(ByteView ikm, ByteView salt, ByteView info, size_t length) {
  if (length == 0 || length > 255 * 32) {  // RFC 5869 §2.3: L <= 255 * HashLen
    return Status::InvalidArgument("bad_hkdf_length", "HKDF output length out of range");
  }
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr;
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return OpenSslError(Code::kInternal, "hkdf_failed", "HKDF is unavailable");
  // OSSL_PARAM takes non-const pointers; OpenSSL only reads these buffers.
  char digest[] = "SHA256";
  auto ptr = [](ByteView v) { return const_cast<uint8_t*>(v.data()); };
  static const uint8_t kEmpty[1] = {0};
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                        ikm.empty() ? const_cast<uint8_t*>(kEmpty) : ptr(ikm),
                                        ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                        salt.empty() ? const_cast<uint8_t*>(kEmpty) : ptr(salt),
                                        salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                        info.empty() ? const_cast<uint8_t*>(kEmpty) : ptr(info),
                                        info.size()),
      OSSL_PARAM_construct_end(),
  };
  Bytes out(length);
  int rc = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (rc != 1) return OpenSslError(Code::kInternal, "hkdf_failed", "HKDF-SHA256 derivation failed");
  return out;
}

}  // namespace ledger
