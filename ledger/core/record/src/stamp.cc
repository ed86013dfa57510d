// Submitter stamps v1 and batch stamps v2 (schemas/formats/stamp.md).
#include "ledger/record/stamp.h"

#include "ledger/base/hash.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/ecdsa_note.h"

namespace ledger {
namespace {
constexpr uint8_t kStampVersion = 0x01;
constexpr uint8_t kBatchStampVersion = 0x02;
constexpr std::string_view kStampDomain = "audit-ledger/stamp/v1\n";
constexpr std::string_view kBatchStampDomain = "audit-ledger/stamp-batch/v1\n";
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

Status CheckPosition(const BatchPosition& b) {
  if (b.count == 0 || b.count > kMaxBatchStampEvents || b.index >= b.count) {
    return Status::InvalidArgument("bad_batch_position",
                                   "batch index " + std::to_string(b.index) + " of " +
                                       std::to_string(b.count) + " events");
  }
  if (b.path.size() != merkle::InclusionProofSize(b.index, b.count)) {
    return Status::InvalidArgument(
        "bad_batch_position", "a path of " + std::to_string(b.path.size()) +
                                  " hashes for event " + std::to_string(b.index) + " of " +
                                  std::to_string(b.count));
  }
  return Status::Ok();
}

// Every perfect subtree of the request's tree, by level, so that each event's
// path is read rather than recomputed: n log n reads, about 2n hashes.
class RequestTree {
 public:
  explicit RequestTree(std::span<const Bytes> events) {
    levels_.emplace_back();
    levels_[0].reserve(events.size());
    for (const Bytes& e : events) levels_[0].push_back(merkle::LeafHash(e));
    while (levels_.back().size() > 1) {
      const std::vector<Hash>& below = levels_.back();
      std::vector<Hash> up;
      up.reserve(below.size() / 2);
      for (size_t i = 0; i + 1 < below.size(); i += 2) up.push_back(merkle::NodeHash(below[i], below[i + 1]));
      levels_.push_back(std::move(up));
    }
  }
  Hash Root() const { return merkle::RootFromLeafHashes(levels_[0]); }
  Result<std::vector<Hash>> Path(uint64_t index) const {
    return merkle::InclusionProof(
        index, levels_[0].size(), [this](uint32_t level, uint64_t i) -> Result<Hash> {
          if (level >= levels_.size() || i >= levels_[level].size()) {
            return Status::Internal("no_node", "not a perfect subtree of the request");
          }
          return levels_[level][i];
        });
  }

 private:
  std::vector<std::vector<Hash>> levels_;
};
}  // namespace

std::string BatchStampText(std::string_view origin, uint64_t event_count, const Hash& root) {
  std::string text(kBatchStampDomain);
  text += origin;
  text += '\n';
  text += std::to_string(event_count);
  text += '\n';
  text += root.Hex();
  text += '\n';
  return text;
}

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
  if (stamp.batch) RETURN_IF_ERROR(CheckPosition(*stamp.batch));
  Bytes out;
  out.reserve(1 + 1 + stamp.key_name.size() + 4 + 2 + stamp.payload.size() +
              (stamp.batch ? 9 + Hash::kSize * stamp.batch->path.size() : 0));
  AppendU8(out, stamp.batch ? kBatchStampVersion : kStampVersion);
  AppendU8(out, static_cast<uint8_t>(stamp.key_name.size()));
  Append(out, stamp.key_name);
  AppendU32BE(out, stamp.key_id);
  AppendU16BE(out, static_cast<uint16_t>(stamp.payload.size()));
  Append(out, stamp.payload);
  if (stamp.batch) {
    AppendU32BE(out, stamp.batch->index);
    AppendU32BE(out, stamp.batch->count);
    AppendU8(out, static_cast<uint8_t>(stamp.batch->path.size()));
    for (const Hash& h : stamp.batch->path) Append(out, h.view());
  }
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

Result<std::vector<Bytes>> MakeBatchStamps(std::string_view origin, std::span<const Bytes> events,
                                           const note::Signer& signer) {
  if (events.empty()) return Status::InvalidArgument("empty_batch", "a batch stamp needs events");
  if (events.size() > kMaxBatchStampEvents) {
    return Status::InvalidArgument("batch_too_large", "a batch stamp covers at most " +
                                                          std::to_string(kMaxBatchStampEvents) +
                                                          " events");
  }
  Stamp stamp;
  stamp.key_name = signer.name();
  stamp.key_id = signer.key_id();
  RETURN_IF_ERROR(CheckParts(stamp.key_name, 1));
  const RequestTree tree(events);
  const auto count = static_cast<uint32_t>(events.size());
  ASSIGN_OR_RETURN(stamp.payload, signer.Sign(BatchStampText(origin, count, tree.Root())));
  std::vector<Bytes> out;
  out.reserve(events.size());
  for (uint32_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(std::vector<Hash> path, tree.Path(i));
    stamp.batch = BatchPosition{i, count, std::move(path)};
    ASSIGN_OR_RETURN(Bytes bytes, EncodeStamp(stamp));
    out.push_back(std::move(bytes));
  }
  return out;
}

Result<Stamp> DecodeStamp(ByteView bytes) {
  auto bad = [](std::string why) {
    return Status::InvalidArgument("malformed_stamp", std::move(why));
  };
  ByteReader r(bytes, "malformed_stamp");
  ASSIGN_OR_RETURN(uint8_t version, r.U8());
  if (version != kStampVersion && version != kBatchStampVersion) {
    return bad("unknown version " + std::to_string(version));
  }
  Stamp stamp;
  ASSIGN_OR_RETURN(uint8_t name_len, r.U8());
  ASSIGN_OR_RETURN(ByteView name, r.Take(name_len));
  stamp.key_name = std::string(AsString(name));
  ASSIGN_OR_RETURN(stamp.key_id, r.U32BE());
  ASSIGN_OR_RETURN(uint16_t payload_len, r.U16BE());
  ASSIGN_OR_RETURN(ByteView payload, r.Take(payload_len));
  if (version == kBatchStampVersion) {
    BatchPosition b;
    ASSIGN_OR_RETURN(b.index, r.U32BE());
    ASSIGN_OR_RETURN(b.count, r.U32BE());
    ASSIGN_OR_RETURN(uint8_t path_len, r.U8());
    // The length is checked against (index, count) below, before anything
    // trusts it; reading first keeps one code path for truncation.
    b.path.resize(path_len);
    for (Hash& h : b.path) {
      ASSIGN_OR_RETURN(ByteView hb, r.Take(Hash::kSize));
      std::copy(hb.begin(), hb.end(), h.bytes.begin());
    }
    Status position = CheckPosition(b);
    if (!position.ok()) return bad(position.message());
    stamp.batch = std::move(b);
  }
  RETURN_IF_ERROR(r.ExpectEnd());
  stamp.payload.assign(payload.begin(), payload.end());
  Status parts = CheckParts(stamp.key_name, stamp.payload.size());
  if (!parts.ok()) return bad(parts.message());
  return stamp;
}

Result<StampClaim> ClaimOf(std::string_view origin, ByteView event_bytes, ByteView stamp_bytes) {
  if (stamp_bytes.empty()) {
    return Status::VerificationFailed("missing_stamp", "the event is not stamped");
  }
  StampClaim claim;
  ASSIGN_OR_RETURN(claim.stamp, DecodeStamp(stamp_bytes));
  if (!claim.stamp.batch) {
    claim.text = StampText(origin, event_bytes);
    return claim;
  }
  // A wrong path, index or count leads to another root, whose text the
  // submitter never signed: VerifyClaim then finds no signature (bad_stamp).
  const BatchPosition& b = *claim.stamp.batch;
  ASSIGN_OR_RETURN(Hash root, merkle::RootFromInclusionProof(b.index, b.count,
                                                             merkle::LeafHash(event_bytes), b.path));
  claim.text = BatchStampText(origin, b.count, root);
  return claim;
}

Result<const note::Verifier*> VerifyClaim(const StampClaim& claim,
                                          std::span<const note::Verifier* const> submitters) {
  const Stamp& stamp = claim.stamp;
  bool known = false;
  // Key IDs are 32 bits, so two keys may share (name, ID): try every match
  // rather than the first, as signed-note verifiers do.
  for (const note::Verifier* v : submitters) {
    if (v == nullptr || !IsStampKeyType(v->alg())) continue;
    if (v->name() != stamp.key_name || v->key_id() != stamp.key_id) continue;
    known = true;
    if (!v->Verify(claim.text, stamp.payload).ok()) continue;
    // stamp.md §3: one encoding per stamp, or (r, n - s) would be a second
    // stamp of the same event that the sequencer's replay check cannot see.
    if (v->alg() == note::kAlgECDSA && !note::CheckP256LowS(stamp.payload).ok()) continue;
    return v;
  }
  if (!known) {
    Bytes key_id;
    AppendU32BE(key_id, stamp.key_id);
    return Status::VerificationFailed("unknown_submitter", "no known submitter key " +
                                                               stamp.key_name.substr(0, 64) + "+" +
                                                               HexEncode(key_id));
  }
  return Status::VerificationFailed("bad_stamp", "stamp by " + stamp.key_name + " does not verify");
}

Result<const note::Verifier*> VerifyStamp(std::string_view origin, ByteView event_bytes,
                                          ByteView stamp_bytes,
                                          std::span<const note::Verifier* const> submitters) {
  ASSIGN_OR_RETURN(StampClaim claim, ClaimOf(origin, event_bytes, stamp_bytes));
  return VerifyClaim(claim, submitters);
}

}  // namespace ledger
