// NIST P-256 keys (FIPS 186-4, SEC1 v2) through OpenSSL: ECDSA-SHA256
// signatures and ECDH.
//
// Used for the notary's per-boot ephemeral key (it signs app proofs and
// receives quorum shares) and for operator keys (they approve manifests and
// receive their genesis shares).
//
// Encodings, fixed so that formats built on them have one byte form:
//  - a public key is the SEC1 §2.3.3 uncompressed point: 0x04 || X || Y
//    (65 bytes); compressed points and the point at infinity are refused;
//  - a private key is the big-endian scalar d, 32 bytes, 1 <= d < n;
//  - a signature is raw r || s, each 32 bytes big-endian (64 bytes), the
//    form COSE (RFC 9053 §2.1) and WebCrypto use; not DER. As in FIPS 186-4,
//    (r, s) and (r, n - s) both verify: a signature is not an identifier.
//
// Private scalars live in OpenSSL's EVP_PKEY; copies made for export must be
// cleansed by the caller.
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <array>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/crypto/pkey_handle.h"

namespace ledger {

class P256PublicKey {
 public:
  static constexpr size_t kSize = 65;           // SEC1 uncompressed
  static constexpr size_t kSignatureSize = 64;  // r || s

  P256PublicKey() = default;
  // InvalidArgument("bad_public_key") unless 65 bytes, 0x04 prefix, and the
  // point is on the curve (SEC1 §3.2.2 validation).
  static Result<P256PublicKey> FromSec1(ByteView uncompressed);

  ByteView view() const { return {raw_.data(), raw_.size()}; }
  std::string Hex() const { return HexEncode(view()); }
  // ECDSA-SHA256 over message. OK, or VerificationFailed("bad_signature")
  // (including a signature that is not 64 bytes, or r or s out of range).
  Status Verify(ByteView message, ByteView signature) const;
  bool operator==(const P256PublicKey&) const = default;

 private:
  friend class P256PrivateKey;
  std::array<uint8_t, kSize> raw_{};
};

class P256PrivateKey {
 public:
  static constexpr size_t kScalarSize = 32;

  // A fresh key from OpenSSL's CSPRNG.
  static Result<P256PrivateKey> Generate();
  // InvalidArgument("bad_private_key") unless 32 bytes with 1 <= d < n.
  static Result<P256PrivateKey> FromScalar(ByteView scalar);

  P256PrivateKey(P256PrivateKey&&) noexcept = default;
  P256PrivateKey& operator=(P256PrivateKey&&) noexcept = default;
  P256PrivateKey(const P256PrivateKey&) = delete;
  P256PrivateKey& operator=(const P256PrivateKey&) = delete;
  ~P256PrivateKey() = default;

  const P256PublicKey& public_key() const { return public_; }
  // The 32-byte scalar, for key files written by tools. Callers must cleanse it.
  Bytes ExportScalar() const;
  // ECDSA-SHA256 over message (randomized k from OpenSSL), raw r || s.
  Result<Bytes> Sign(ByteView message) const;
  // ECDH (SEC1 §3.3.1): the 32-byte x-coordinate of d * peer. Callers must
  // cleanse it; it is input to a KDF, never a key by itself.
  Result<Bytes> SharedSecret(const P256PublicKey& peer) const;

 private:
  P256PrivateKey() = default;
  PkeyHandle pkey_;
  P256PublicKey public_;
};

}  // namespace ledger
