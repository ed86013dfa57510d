// ECDSA over NIST P-384 with SHA-384 (ES384, RFC 9053 §2.1) through OpenSSL:
// the signature scheme of AWS Nitro attestation documents and their
// certificates.
//
// Signatures are the COSE form: r || s, each a 48-byte big-endian integer
// (RFC 9053 §2.1), never DER. Private keys live in OpenSSL's EVP_PKEY; the
// exported scalar is the caller's to cleanse.
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"

namespace ledger {

class P384PublicKey {
 public:
  static constexpr size_t kSignatureSize = 96;  // r || s
  static constexpr size_t kScalarSize = 48;

  // InvalidArgument("bad_public_key") unless a P-384 point on the curve.
  // From a DER SubjectPublicKeyInfo:
  static Result<P384PublicKey> FromSpki(ByteView der);
  // From the affine coordinates, 48 bytes each:
  static Result<P384PublicKey> FromAffine(ByteView x, ByteView y);
  // From the subject public key of a DER X.509 certificate:
  static Result<P384PublicKey> FromCertificate(ByteView cert_der);

  P384PublicKey(const P384PublicKey&);
  P384PublicKey& operator=(const P384PublicKey&);
  P384PublicKey(P384PublicKey&&) noexcept;
  P384PublicKey& operator=(P384PublicKey&&) noexcept;
  ~P384PublicKey();

  // OK, or VerificationFailed("bad_signature"): SHA-384 of message, r || s.
  Status Verify(ByteView message, ByteView signature) const;
  // DER SubjectPublicKeyInfo.
  Bytes Spki() const;
  bool operator==(const P384PublicKey& other) const { return Spki() == other.Spki(); }

  // The EVP_PKEY*, for code that hands the key to other OpenSSL calls.
  void* evp_pkey() const { return pkey_; }

 private:
  explicit P384PublicKey(void* pkey) : pkey_(pkey) {}
  friend class P384PrivateKey;
  void* pkey_ = nullptr;  // EVP_PKEY*, opaque to keep OpenSSL out of headers
};

class P384PrivateKey {
 public:
  // A fresh key from OpenSSL's CSPRNG.
  static Result<P384PrivateKey> Generate();
  // From the 48-byte big-endian private scalar d (1 <= d < n).
  static Result<P384PrivateKey> FromScalar(ByteView d);
  // From PKCS#8 / "EC PRIVATE KEY" PEM text.
  static Result<P384PrivateKey> FromPem(std::string_view pem);

  P384PrivateKey(P384PrivateKey&&) noexcept;
  P384PrivateKey& operator=(P384PrivateKey&&) noexcept;
  ~P384PrivateKey();

  const P384PublicKey& public_key() const { return public_; }
  // ES384 signature r || s (96 bytes) over message.
  Result<Bytes> Sign(ByteView message) const;
  // PKCS#8 PEM of the private key, for development tools. Callers cleanse it.
  Result<std::string> ToPem() const;

  void* evp_pkey() const { return pkey_; }

 private:
  P384PrivateKey(void* pkey, P384PublicKey pub) : pkey_(pkey), public_(std::move(pub)) {}
  void* pkey_ = nullptr;  // EVP_PKEY*
  P384PublicKey public_;
};

}  // namespace ledger
