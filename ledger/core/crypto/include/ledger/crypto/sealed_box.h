// Sealed box: public-key encryption of a small secret (a quorum share) to a
// P-256 key. Byte layout and derivation: schemas/formats/sealed-box.md.
//
//   box = 0x01 || E (65, SEC1 uncompressed ephemeral key) || IV (12)
//         || ciphertext (len(plaintext)) || tag (16)
//
// A fresh ephemeral key per box; Z = ECDH(e, R) (SEC1 §3.3.1); the AES key is
// HKDF-SHA256(ikm = Z, salt = "audit-ledger/sealed-box/v1", info = E || R)
// (RFC 5869); AES-256-GCM (NIST SP 800-38D) with AAD = 0x01 || R || context.
// The context (for shares: the manifest digest) is authenticated, never
// transmitted: a box sealed for another context, or to another key, does not
// open.
//
// Thread-safety: free functions.
#pragma once

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/crypto/p256.h"

namespace ledger {

inline constexpr uint8_t kSealedBoxVersion = 0x01;
inline constexpr size_t kSealedBoxIvSize = 12;   // SP 800-38D §8.2 recommended length
inline constexpr size_t kSealedBoxTagSize = 16;  // full-length tag
inline constexpr size_t kSealedBoxOverhead = 1 + P256PublicKey::kSize + kSealedBoxIvSize +
                                             kSealedBoxTagSize;
inline constexpr size_t kSealedBoxMaxPlaintext = 64 * 1024;

// Seals plaintext to recipient_public_key (SEC1 uncompressed, 65 bytes).
// InvalidArgument("bad_public_key") for a bad recipient key,
// InvalidArgument("plaintext_too_large") above kSealedBoxMaxPlaintext.
Result<Bytes> Seal(ByteView recipient_public_key, ByteView plaintext, ByteView context);

// Opens a box sealed to `recipient` under `context`. Errors:
//   InvalidArgument("malformed_sealed_box")    wrong version, too short, too
//                                               long, or a bad ephemeral key;
//   VerificationFailed("sealed_box_open_failed") the tag does not verify:
//      tampered, sealed to another key, or sealed under another context.
// The caller must cleanse the returned plaintext.
Result<Bytes> Open(const P256PrivateKey& recipient, ByteView box, ByteView context);

// Seal with the ephemeral key and IV given: for the worked example and tests
// only. Reusing an ephemeral key breaks confidentiality; production code calls Seal.
Result<Bytes> SealDeterministic(ByteView recipient_public_key, ByteView plaintext,
                                ByteView context, const P256PrivateKey& ephemeral, ByteView iv);

}  // namespace ledger
