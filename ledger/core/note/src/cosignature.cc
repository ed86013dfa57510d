// tlog-cosignature v1.0.1 Ed25519 cosignatures (type 0x04). Byte layouts:
// schemas/formats/checkpoint.md §Cosignatures.
#include "ledger/note/cosignature.h"

#include <chrono>
#include <utility>

#include "ledger/note/checkpoint.h"

namespace ledger::note {
namespace {

Status MalformedCosignature(std::string message) {
  return Status::InvalidArgument("malformed_cosignature", std::move(message));
}

}  // namespace

std::string CosignatureV1Message(std::string_view checkpoint_text, uint64_t timestamp) {
  // tlog-cosignature §Ed25519 signed message: header line, then "time",
  // one space and the timestamp in decimal without leading zeros, then the
  // whole checkpoint body including extension lines.
  std::string msg = "cosignature/v1\ntime ";
  msg += std::to_string(timestamp);
  msg += '\n';
  msg += checkpoint_text;
  return msg;
}

Result<uint64_t> CosignatureV1Timestamp(ByteView payload) {
  if (payload.size() != kCosignatureV1PayloadSize) {
    return MalformedCosignature("cosignature/v1 payload must be " +
                                std::to_string(kCosignatureV1PayloadSize) + " bytes, got " +
                                std::to_string(payload.size()));
  }
  uint64_t timestamp = LoadU64BE(payload.data());
  if (timestamp > kMaxCosignatureTimestamp) {
    return MalformedCosignature("cosignature timestamp exceeds 2^63-1");
  }
  return timestamp;
}

uint64_t SystemClockSeconds() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  return secs < 0 ? 0 : static_cast<uint64_t>(secs);
}

CosignatureV1Signer::CosignatureV1Signer(std::string name, Ed25519PrivateKey key,
                                         CosignatureClock clock)
    : name_(std::move(name)),
      key_(std::move(key)),
      key_id_(KeyId(name_, kAlgCosignatureV1, key_.public_key().view())),
      clock_(std::move(clock)) {}

Result<Bytes> CosignatureV1Signer::Sign(std::string_view text) const {
  if (!clock_) return Status::FailedPrecondition("no_clock", "cosigner has no clock");
  return SignAt(text, clock_());
}

Result<Bytes> CosignatureV1Signer::SignAt(std::string_view text, uint64_t timestamp) const {
  if (timestamp > kMaxCosignatureTimestamp) {
    return Status::InvalidArgument("bad_timestamp", "cosignature timestamp exceeds 2^63-1");
  }
  // Only well-formed checkpoints are cosigned; FromText also rejects texts
  // that could not be the text of a note.
  auto checkpoint = Checkpoint::FromText(text);
  if (!checkpoint.ok()) return checkpoint.status();
  Bytes payload;
  payload.reserve(kCosignatureV1PayloadSize);
  AppendU64BE(payload, timestamp);
  Append(payload, key_.Sign(AsBytes(CosignatureV1Message(text, timestamp))));
  return payload;
}

std::string CosignatureV1Signer::VerifierKey() const {
  return FormatVerifierKey(name_, kAlgCosignatureV1, key_.public_key().view());
}

CosignatureV1Verifier::CosignatureV1Verifier(std::string name, const Ed25519PublicKey& key)
    : name_(std::move(name)), key_(key), key_id_(KeyId(name_, kAlgCosignatureV1, key_.view())) {}

Result<uint64_t> CosignatureV1Verifier::VerifyTimestamped(std::string_view text,
                                                          ByteView payload) const {
  auto timestamp = CosignatureV1Timestamp(payload);
  if (!timestamp.ok()) {
    // A malformed payload under a known (name, key ID) is a failed signature
    // (signed-note §Signatures), not a parse error of the note.
    return Status::VerificationFailed("bad_signature", timestamp.status().message());
  }
  std::string message = CosignatureV1Message(text, *timestamp);
  RETURN_IF_ERROR(key_.Verify(AsBytes(message), payload.subspan(8)));
  return *timestamp;
}

Status CosignatureV1Verifier::Verify(std::string_view text, ByteView payload) const {
  auto timestamp = VerifyTimestamped(text, payload);
  return timestamp.ok() ? Status::Ok() : timestamp.status();
}

std::string CosignatureV1Verifier::VerifierKey() const {
  return FormatVerifierKey(name_, kAlgCosignatureV1, key_.view());
}

std::unique_ptr<CosignatureV1Signer> NewCosignatureV1Signer(std::string name, Ed25519PrivateKey key,
                                                            CosignatureClock clock) {
  return std::make_unique<CosignatureV1Signer>(std::move(name), std::move(key), std::move(clock));
}

std::unique_ptr<CosignatureV1Verifier> NewCosignatureV1Verifier(std::string name,
                                                                const Ed25519PublicKey& key) {
  return std::make_unique<CosignatureV1Verifier>(std::move(name), key);
}

}  // namespace ledger::note
