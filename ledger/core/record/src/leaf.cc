// Leaf bytes v1 and the hash chain (schemas/formats/leaf.md).
#include "ledger/record/leaf.h"

namespace ledger {
namespace {
constexpr uint8_t kLeafVersion = 0x01;
constexpr std::string_view kChainDomain = "audit-ledger/chain/v1\n";

Status Malformed(std::string why) {
  return Status::InvalidArgument("malformed_leaf", std::move(why));
}
}  // namespace

Result<Bytes> EncodeLeaf(const Leaf& leaf) {
  if (leaf.event.empty()) return Malformed("the event is empty");
  // Checked before the u16 casts below: each part fits if the sum does.
  size_t size = kLeafOverhead + leaf.event.size() + leaf.stamp.size();
  if (size > kMaxLeafSize) {
    return Status::InvalidArgument("leaf_too_large",
                                   "leaf would be " + std::to_string(size) + " bytes, limit 65535");
  }
  Bytes out;
  out.reserve(size);
  AppendU8(out, kLeafVersion);
  AppendU64BE(out, leaf.index);
  AppendU64BE(out, leaf.recorded_at_us);
  Append(out, leaf.prev_leaf_hash.view());
  AppendU16BE(out, static_cast<uint16_t>(leaf.event.size()));
  Append(out, leaf.event);
  AppendU16BE(out, static_cast<uint16_t>(leaf.stamp.size()));
  Append(out, leaf.stamp);
  return out;
}

Result<Leaf> DecodeLeaf(ByteView bytes) {
  if (bytes.size() > kMaxLeafSize) {
    return Malformed("leaf is " + std::to_string(bytes.size()) + " bytes, limit 65535");
  }
  ByteReader r(bytes, "malformed_leaf");
  ASSIGN_OR_RETURN(uint8_t version, r.U8());
  if (version != kLeafVersion) return Malformed("unknown version " + std::to_string(version));
  Leaf leaf;
  ASSIGN_OR_RETURN(leaf.index, r.U64BE());
  ASSIGN_OR_RETURN(leaf.recorded_at_us, r.U64BE());
  ASSIGN_OR_RETURN(ByteView prev, r.Take(Hash::kSize));
  leaf.prev_leaf_hash = Hash::FromBytes(prev).value();
  ASSIGN_OR_RETURN(uint16_t event_len, r.U16BE());
  if (event_len == 0) return Malformed("the event is empty");
  ASSIGN_OR_RETURN(ByteView event, r.Take(event_len));
  ASSIGN_OR_RETURN(uint16_t stamp_len, r.U16BE());
  ASSIGN_OR_RETURN(ByteView stamp, r.Take(stamp_len));
  RETURN_IF_ERROR(r.ExpectEnd());
  leaf.event.assign(event.begin(), event.end());
  leaf.stamp.assign(stamp.begin(), stamp.end());
  return leaf;
}

Hash ChainGenesis(std::string_view origin) {
  Sha256 h;
  h.Update(kChainDomain).Update(origin).Update(uint8_t{'\n'});
  return h.Final();
}

Status VerifyChainLink(const Leaf& leaf, const Hash& expected_prev_leaf_hash,
                       uint64_t expected_index) {
  if (leaf.index != expected_index) {
    return Status::VerificationFailed("chain_broken", "leaf index " + std::to_string(leaf.index) +
                                                          ", expected " +
                                                          std::to_string(expected_index));
  }
  if (leaf.prev_leaf_hash != expected_prev_leaf_hash) {
    return Status::VerificationFailed("chain_broken", "leaf " + std::to_string(leaf.index) +
                                                          " links to " + leaf.prev_leaf_hash.Hex() +
                                                          ", expected " +
                                                          expected_prev_leaf_hash.Hex());
  }
  return Status::Ok();
}

}  // namespace ledger
