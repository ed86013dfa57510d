// Ed25519 keys (RFC 8032) through OpenSSL.
//
// Private key material is held in OpenSSL's EVP_PKEY and the seed copy is
// cleansed on destruction. Shipped daemons never construct a private key from
// a file; only tools and tests call FromSeed.
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <array>
#include <memory>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/crypto/pkey_handle.h"

namespace ledger {

class Ed25519PublicKey {
 public:
  static constexpr size_t kSize = 32;
  static constexpr size_t kSignatureSize = 64;

  Ed25519PublicKey() = default;
  // InvalidArgument("bad_public_key") unless 32 bytes.
  static Result<Ed25519PublicKey> FromBytes(ByteView raw);

  ByteView view() const { return {raw_.data(), raw_.size()}; }
  // OK, or VerificationFailed("bad_signature").
  Status Verify(ByteView message, ByteView signature) const;
  bool operator==(const Ed25519PublicKey&) const = default;

 private:
  std::array<uint8_t, kSize> raw_{};
};

class Ed25519PrivateKey {
 public:
  static constexpr size_t kSeedSize = 32;

  // A fresh key from OpenSSL's CSPRNG.
  static Result<Ed25519PrivateKey> Generate();
  // Deterministic key from a 32-byte seed (RFC 8032 §5.1.5).
  static Result<Ed25519PrivateKey> FromSeed(ByteView seed);

  Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept = default;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&&) noexcept = default;
  ~Ed25519PrivateKey() = default;

  const Ed25519PublicKey& public_key() const { return public_; }
  // 64-byte signature over message (pure Ed25519, no prehash).
  Bytes Sign(ByteView message) const;
  // The seed, for export by key-management tools. Callers must cleanse it.
  Bytes ExportSeed() const;

 private:
  Ed25519PrivateKey() = default;
  PkeyHandle pkey_;
  Ed25519PublicKey public_;
};

}  // namespace ledger
