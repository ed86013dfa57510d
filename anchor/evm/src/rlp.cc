// RLP, Yellow Paper appendix B.
#include "evm/rlp.h"

namespace anchor::evm::rlp {
namespace {

Status Bad(std::string message) { return Status::InvalidArgument("bad_rlp", std::move(message)); }

// The header of a string (offset 0x80) or list (0xc0) of `len` bytes.
void AppendHeader(Bytes& out, uint8_t offset, size_t len) {
  if (len <= 55) {
    out.push_back(static_cast<uint8_t>(offset + len));
    return;
  }
  Bytes be;
  for (size_t v = len; v != 0; v >>= 8) be.insert(be.begin(), static_cast<uint8_t>(v & 0xff));
  out.push_back(static_cast<uint8_t>(offset + 55 + be.size()));
  out.insert(out.end(), be.begin(), be.end());
}

Bytes MinimalBe(uint64_t v) {
  Bytes be;
  for (; v != 0; v >>= 8) be.insert(be.begin(), static_cast<uint8_t>(v & 0xff));
  return be;
}

// Decodes one item at data[pos...], advancing pos.
Result<Item> DecodeAt(ByteView data, size_t& pos, int depth) {
  if (depth > kMaxDepth) return Bad("nesting too deep");
  if (pos >= data.size()) return Bad("truncated");
  const uint8_t prefix = data[pos++];
  Item item;
  if (prefix < 0x80) {
    item.bytes.push_back(prefix);
    return item;
  }
  const bool is_list = prefix >= 0xc0;
  const uint8_t offset = is_list ? 0xc0 : 0x80;
  size_t len = 0;
  if (prefix - offset <= 55) {
    len = static_cast<size_t>(prefix - offset);
  } else {
    const size_t len_of_len = static_cast<size_t>(prefix - offset - 55);
    if (len_of_len > 8 || data.size() - pos < len_of_len) return Bad("truncated length");
    if (data[pos] == 0) return Bad("length with a leading zero");
    uint64_t l = 0;
    for (size_t i = 0; i < len_of_len; ++i) l = (l << 8) | data[pos++];
    if (l <= 55) return Bad("long form for a short item");
    if (l > data.size()) return Bad("truncated");
    len = static_cast<size_t>(l);
  }
  if (data.size() - pos < len) return Bad("truncated");
  const size_t end = pos + len;
  item.is_list = is_list;
  if (!is_list) {
    if (len == 1 && data[pos] < 0x80) return Bad("single byte below 0x80 wrapped");
    item.bytes.assign(data.begin() + static_cast<std::ptrdiff_t>(pos),
                      data.begin() + static_cast<std::ptrdiff_t>(end));
    pos = end;
    return item;
  }
  while (pos < end) {
    ASSIGN_OR_RETURN(Item child, DecodeAt(data.first(end), pos, depth + 1));
    item.items.push_back(std::move(child));
  }
  return item;
}

}  // namespace

Bytes EncodeBytes(ByteView data) {
  if (data.size() == 1 && data[0] < 0x80) return Bytes{data[0]};
  Bytes out;
  AppendHeader(out, 0x80, data.size());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes EncodeUint(uint64_t v) { return EncodeBytes(MinimalBe(v)); }

Bytes EncodeU256(const U256& v) { return EncodeBytes(v.Minimal()); }

Bytes EncodeList(const std::vector<Bytes>& encoded_items) {
  size_t total = 0;
  for (const auto& i : encoded_items) total += i.size();
  Bytes out;
  AppendHeader(out, 0xc0, total);
  for (const auto& i : encoded_items) out.insert(out.end(), i.begin(), i.end());
  return out;
}

Result<Item> Decode(ByteView data) {
  size_t pos = 0;
  ASSIGN_OR_RETURN(Item item, DecodeAt(data, pos, 0));
  if (pos != data.size()) return Bad("trailing bytes");
  return item;
}

Result<U256> AsU256(const Item& item) {
  if (item.is_list) return Bad("expected an integer, got a list");
  if (!item.bytes.empty() && item.bytes[0] == 0) return Bad("integer with a leading zero");
  if (item.bytes.size() > 32) return Bad("integer wider than 256 bits");
  return U256::FromBytes(item.bytes);
}

Result<uint64_t> AsUint64(const Item& item) {
  ASSIGN_OR_RETURN(U256 v, AsU256(item));
  auto small = v.ToU64();
  if (!small.ok()) return Bad("integer wider than 64 bits");
  return *small;
}

}  // namespace anchor::evm::rlp
