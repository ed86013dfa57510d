// C2SP tlog-cosignature v1.0.1, Ed25519 "cosignature/v1" (note signature
// type 0x04): a witness's timestamped statement about a checkpoint.
//
// Signed message (tlog-cosignature §Ed25519 signed message), byte-exact:
//   "cosignature/v1\n" "time <decimal timestamp>\n" <checkpoint note text>
// Note signature payload (what follows the 4-byte key ID):
//   u64 big-endian timestamp || 64-byte Ed25519 signature      (72 bytes)
// Key ID = SHA-256(name || 0x0A || 0x04 || 32-byte public key)[:4].
// See schemas/formats/checkpoint.md.
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/note/note.h"

namespace ledger::note {

inline constexpr size_t kCosignatureV1PayloadSize = 8 + Ed25519PublicKey::kSignatureSize;
// tlog-cosignature §Format: the timestamp "MUST NOT exceed 2^63 - 1".
inline constexpr uint64_t kMaxCosignatureTimestamp = (uint64_t{1} << 63) - 1;

// The exact bytes a cosignature/v1 signs over checkpoint_text (the note text,
// final '\n' included, no signature lines).
std::string CosignatureV1Message(std::string_view checkpoint_text, uint64_t timestamp);

// The timestamp of a cosignature/v1 payload, without checking the signature.
// InvalidArgument("malformed_cosignature") unless the payload is 72 bytes
// with a timestamp <= kMaxCosignatureTimestamp.
Result<uint64_t> CosignatureV1Timestamp(ByteView payload);

// Seconds since the epoch; injectable so that tests and the notary's own
// monotonic clock decide what a cosignature claims.
using CosignatureClock = std::function<uint64_t()>;
uint64_t SystemClockSeconds();

class CosignatureV1Signer final : public Signer {
 public:
  // Takes ownership of the key. clock is called once per Sign.
  CosignatureV1Signer(std::string name, Ed25519PrivateKey key,
                      CosignatureClock clock = SystemClockSeconds);

  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  // Cosigns at clock(). See SignAt.
  Result<Bytes> Sign(std::string_view text) const override;
  // The 72-byte payload over CosignatureV1Message(text, timestamp).
  // InvalidArgument("malformed_checkpoint"/"invalid_origin") unless text is a
  // checkpoint: a cosignature is a statement about a checkpoint
  // (tlog-cosignature §Format), never about arbitrary text.
  // InvalidArgument("bad_timestamp") above kMaxCosignatureTimestamp.
  Result<Bytes> SignAt(std::string_view text, uint64_t timestamp) const;
  std::string VerifierKey() const override;

 private:
  std::string name_;
  Ed25519PrivateKey key_;
  uint32_t key_id_;
  CosignatureClock clock_;
};

class CosignatureV1Verifier final : public Verifier {
 public:
  CosignatureV1Verifier(std::string name, const Ed25519PublicKey& key);

  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  uint8_t alg() const override { return kAlgCosignatureV1; }
  // OK or VerificationFailed("bad_signature") (a malformed payload included).
  Status Verify(std::string_view text, ByteView payload) const override;
  // Like Verify, and returns the timestamp the verified cosignature carries.
  Result<uint64_t> VerifyTimestamped(std::string_view text, ByteView payload) const;
  std::string VerifierKey() const override;

 private:
  std::string name_;
  Ed25519PublicKey key_;
  uint32_t key_id_;
};

std::unique_ptr<CosignatureV1Signer> NewCosignatureV1Signer(
    std::string name, Ed25519PrivateKey key, CosignatureClock clock = SystemClockSeconds);
std::unique_ptr<CosignatureV1Verifier> NewCosignatureV1Verifier(std::string name,
                                                                const Ed25519PublicKey& key);

}  // namespace ledger::note
