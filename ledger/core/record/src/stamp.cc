// Submitter stamps v1 (schemas/formats/stamp.md).
#include "ledger/record/stamp.h"

#include "ledger/base/hash.h"
#include "ledger/note/ecdsa_note.h"

namespace ledger {
namespace {
constexpr uint8_t kStampVersion = 0x01;
constexpr std::string_view kStampDomain = "audit-ledger/stamp/v1\n";
constexpr size_t kMaxKeyName = 255;
constexpr size_t kMaxPayload = 65535;

// stamp.md §1: Ed25519, ECDSA P-256 and secp256k1 (the only 0xff type we
// know). Cosignature keys (0x04) sign a different statement.
bool IsStampKeyType(uint8_t alg) {
  return alg == note::kAlgEd25519 || alg == note::kAlgECDSA || alg == note::kAlgPrivate;
}

Status CheckParts(std::string_view name, size_t payload_size) {
  if (name.empty() || name.size() > kMaxKeyName || !note::IsValidKeyName(name)) {
    return Status::InvalidArgument("bad_key_name",
                                   "stamp key name must be a valid key name of 1..255 bytes");
  }
  if (payload_size == 0 || payload_size > kMaxPayload) {
    return Status::InvalidArgument(
        "bad_stamp_payload",
        "signature payload must be 1..65535 bytes, got " + std::to_string(payload_size));
  }
  return Status::Ok();
}
}  // namespace

std::string StampText(std::string_view origin, ByteView event_bytes) {
  std::string text(kStampDomain);
  text += origin;
  text += '\n';
  text += Sha256::Digest(event_bytes).Hex();
  text += '\n';
  return text;
}

Result<Bytes> EncodeStamp(const Stamp& stamp) {
  RETURN_IF_ERROR(CheckParts(stamp.key_name, stamp.payload.size()));
  Bytes out;
  out.reserve(1 + 1 + stamp.key_name.size() + 4 + 2 + stamp.payload.size());
  AppendU8(out, kStampVersion);
  AppendU8(out, static_cast<uint8_t>(stamp.key_name.size()));
  Append(out, stamp.key_name);
  AppendU32BE(out, stamp.key_id);
  AppendU16BE(out, static_cast<uint16_t>(stamp.payload.size()));
  Append(out, stamp.payload);
  return out;
}

Result<Bytes> MakeStamp(std::string_view origin, ByteView event_bytes, const note::Signer& signer) {
  Stamp stamp;
  stamp.key_name = signer.name();
  stamp.key_id = signer.key_id();
  // Checked before signing so that a misconfigured name never yields a
  // signature that could not be stored.
  RETURN_IF_ERROR(CheckParts(stamp.key_name, 1));
  ASSIGN_OR_RETURN(stamp.payload, signer.Sign(StampText(origin, event_bytes)));
  return EncodeStamp(stamp);
}

Result<Stamp> DecodeStamp(ByteView bytes) {
  auto bad = [](std::string why) {
    return Status::InvalidArgument("malformed_stamp", std::move(why));
  };
  ByteReader r(bytes, "malformed_stamp");
  ASSIGN_OR_RETURN(uint8_t version, r.U8());
  if (version != kStampVersion) return bad("unknown version " + std::to_string(version));
  Stamp stamp;
  ASSIGN_OR_RETURN(uint8_t name_len, r.U8());
  ASSIGN_OR_RETURN(ByteView name, r.Take(name_len));
  stamp.key_name = std::string(AsString(name));
  ASSIGN_OR_RETURN(stamp.key_id, r.U32BE());
  ASSIGN_OR_RETURN(uint16_t payload_len, r.U16BE());
  ASSIGN_OR_RETURN(ByteView payload, r.Take(payload_len));
  RETURN_IF_ERROR(r.ExpectEnd());
  stamp.payload.assign(payload.begin(), payload.end());
  Status parts = CheckParts(stamp.key_name, stamp.payload.size());
  if (!parts.ok()) return bad(parts.message());
  return stamp;
}

Result<const note::Verifier*> VerifyStamp(std::string_view origin, ByteView event_bytes,
                                          ByteView stamp_bytes,
                                          std::span<const note::Verifier* const> submitters) {
  if (stamp_bytes.empty()) {
    return Status::VerificationFailed("missing_stamp", "the event is not stamped");
  }
  ASSIGN_OR_RETURN(Stamp stamp, DecodeStamp(stamp_bytes));
  std::string text = StampText(origin, event_bytes);
  bool known = false;
  // Key IDs are 32 bits, so two keys may share (name, ID): try every match
  // rather than the first, as signed-note verifiers do.
  for (const note::Verifier* v : submitters) {
    if (v == nullptr || !IsStampKeyType(v->alg())) continue;
    if (v->name() != stamp.key_name || v->key_id() != stamp.key_id) continue;
    known = true;
    if (!v->Verify(text, stamp.payload).ok()) continue;
    // stamp.md §3: one encoding per stamp, or (r, n - s) would be a second
    // stamp of the same event that the sequencer's replay check cannot see.
    if (v->alg() == note::kAlgECDSA && !note::CheckP256LowS(stamp.payload).ok()) continue;
    return v;
  }
  if (!known) {
    return Status::VerificationFailed(
        "unknown_submitter", "no known submitter key " + stamp.key_name.substr(0, 64) + "+" +
                                 HexEncode(stamp_bytes.subspan(2 + stamp.key_name.size(), 4)));
  }
  return Status::VerificationFailed("bad_stamp", "stamp by " + stamp.key_name + " does not verify");
}

}  // namespace ledger
