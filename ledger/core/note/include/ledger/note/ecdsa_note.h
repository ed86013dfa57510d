// ECDSA signed-note signers and verifiers: NIST P-256 (type 0x02) and
// secp256k1 (type 0xff with a private identifier). Byte layouts:
// schemas/formats/stamp.md §5.
//
// P-256, type 0x02, as c2sp.org/signed-note assigns it ("ECDSA signatures as
// implemented by github.com/transparency-dev/witness"; the code lives in
// transparency-dev/formats/note):
//  - key material: 0x02 || DER SubjectPublicKeyInfo (RFC 5480, named curve
//    P-256, uncompressed point; exactly 91 bytes, other curves are refused);
//  - key ID: SHA-256(SubjectPublicKeyInfo)[:4]: unlike the other types it
//    binds neither the name nor the type byte;
//  - signature: DER ECDSA-Sig-Value (RFC 3279 §2.2.3) over SHA-256(text),
//    DER in its one minimal form. Verify accepts (r, s) and (r, n - s) as
//    transparency-dev does; the signer emits s <= n/2, and formats that need
//    one encoding per signature check CheckP256LowS as well.
//
// secp256k1, type 0xff followed by kSecp256k1Identifier (signed-note reserves
// 0xff for types "without an identifier byte ... followed by a longer
// identifier"):
//  - key material: 0xff || "audit-ledger/secp256k1" || 33-byte SEC1
//    compressed point;
//  - key ID: the signed-note recommendation with the whole identifier as the
//    type: SHA-256(name || 0x0A || 0xff || identifier || point)[:4];
//  - signature: 64-byte compact r || s over SHA-256(text), s <= n/2 (high s is
//    refused, as libsecp256k1 does), signed with RFC 6979 nonces.
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/crypto/p256.h"
#include "ledger/note/note.h"

namespace ledger::note {

inline constexpr uint8_t kAlgECDSA = 0x02;    // signed-note: ECDSA (transparency-dev)
inline constexpr uint8_t kAlgPrivate = 0xff;  // signed-note: a longer identifier follows
inline constexpr std::string_view kSecp256k1Identifier = "audit-ledger/secp256k1";
inline constexpr size_t kSecp256k1SecretSize = 32;
inline constexpr size_t kSecp256k1PublicKeySize = 33;  // SEC1 compressed

// The 91-byte DER SubjectPublicKeyInfo of a P-256 key (RFC 5480 §2).
Bytes P256SubjectPublicKeyInfo(const P256PublicKey& key);

// P-256 (type 0x02). The signer takes ownership of the key.
std::unique_ptr<Signer> NewP256Signer(std::string name, P256PrivateKey key);
std::unique_ptr<Verifier> NewP256Verifier(std::string name, const P256PublicKey& key);

// OK when payload is a minimal DER ECDSA-Sig-Value for P-256 with
// 1 <= s <= n/2; VerificationFailed("bad_signature") otherwise. Says nothing
// about whether the signature verifies.
Status CheckP256LowS(ByteView payload);

// secp256k1 (type 0xff || kSecp256k1Identifier). The signer copies the
// 32-byte secret (1 <= d < n) and cleanses its copy on destruction; callers
// cleanse theirs. InvalidArgument("bad_private_key") /
// ("bad_public_key") on a bad scalar or a point that is not a compressed point
// on the curve.
Result<std::unique_ptr<Signer>> NewSecp256k1Signer(std::string name, ByteView secret_key);
Result<std::unique_ptr<Verifier>> NewSecp256k1Verifier(std::string name,
                                                       ByteView compressed_public_key);
// A fresh secret from OpenSSL's CSPRNG, for key files written by tools.
// Callers must cleanse it.
Result<Bytes> GenerateSecp256k1Secret();

// For ParseVerifierKey: a verifier of type 0x02 or 0xff from the key
// material after the type byte. InvalidArgument("bad_verifier_key") on any
// defect; the caller compares the key ID.
Result<std::unique_ptr<Verifier>> NewEcdsaVerifierFromKey(std::string name, uint8_t alg,
                                                          ByteView material);

}  // namespace ledger::note
