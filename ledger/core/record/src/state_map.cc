// Hashing, values and the compare-and-swap rule of the state map
// (state_map.h, schemas/formats/map.md §2, §3, §5, §6).
#include "ledger/record/state_map.h"

#include <array>
#include <cstring>

#include "ledger/record/stamp.h"

namespace ledger::state_map {
namespace {

constexpr std::string_view kLinePrefix = "map ";

}  // namespace

Bytes Value::Encode() const {
  Bytes out;
  out.reserve(kValueSize);
  AppendU64BE(out, index);
  AppendU64BE(out, version);
  Append(out, state.view());
  return out;
}

Result<Value> Value::Decode(ByteView bytes) {
  if (bytes.size() != kValueSize) {
    return Status::InvalidArgument("malformed_map_value", "map value is not 48 bytes");
  }
  Value v;
  v.index = LoadU64BE(bytes.data());
  v.version = LoadU64BE(bytes.data() + 8);
  std::copy(bytes.begin() + 16, bytes.end(), v.state.bytes.begin());
  // map.md §2: a value exists only once an entry named the subject.
  if (v.version == 0) {
    return Status::InvalidArgument("malformed_map_value", "map value with version 0");
  }
  return v;
}

Bytes Node::Encode() const {
  Bytes out;
  if (is_leaf) {
    AppendU8(out, kLeafPrefix);
    Append(out, key.view());
    Append(out, value.Encode());
  } else {
    AppendU8(out, kNodePrefix);
    Append(out, left.view());
    Append(out, right.view());
  }
  return out;
}

Hash Node::Digest() const { return is_leaf ? LeafHash(key, value) : NodeHash(left, right); }

Result<Node> Node::Decode(ByteView bytes) {
  Node n;
  if (bytes.size() == 1 + Hash::kSize + kValueSize && bytes[0] == kLeafPrefix) {
    n.is_leaf = true;
    n.key = Hash::FromBytes(bytes.subspan(1, Hash::kSize)).value();
    auto v = Value::Decode(bytes.subspan(1 + Hash::kSize));
    if (!v.ok()) return Status::InvalidArgument("malformed_map_node", "bad leaf value");
    n.value = *v;
    return n;
  }
  if (bytes.size() == 1 + 2 * Hash::kSize && bytes[0] == kNodePrefix) {
    n.left = Hash::FromBytes(bytes.subspan(1, Hash::kSize)).value();
    n.right = Hash::FromBytes(bytes.subspan(1 + Hash::kSize)).value();
    return n;
  }
  return Status::InvalidArgument("malformed_map_node", "not a map leaf or inner node");
}

Hash KeyOf(std::string_view subject) {
  Sha256 h;
  h.Update(kKeyPrefix).Update(subject);
  return h.Final();
}

Hash StampKeyOf(ByteView event_bytes) {
  const Hash digest = Sha256::Digest(event_bytes);
  Sha256 h;
  h.Update(kStampKeyPrefix).Update(digest.view());
  return h.Final();
}

Value StampValue(uint64_t index) { return Value{index, 1, EmptyHash()}; }

bool RecordsStamp(ByteView stamp, std::string_view log_key_name, uint32_t log_key_id) {
  if (stamp.empty()) return false;
  auto decoded = DecodeStamp(stamp);
  // A stamp the sequencer accepted always decodes; anything else is not the
  // log key's.
  return !decoded.ok() || decoded->key_name != log_key_name || decoded->key_id != log_key_id;
}

// Leaf and node preimages are assembled on the stack and hashed in one call:
// the map hashes about 4 log2(n) of them per update, and a digest context
// per hash (allocation, initialization) cost more than the hashing itself.
Hash LeafHash(const Hash& key, const Value& value) {
  std::array<uint8_t, 1 + Hash::kSize + kValueSize> buf;
  buf[0] = kLeafPrefix;
  std::memcpy(buf.data() + 1, key.bytes.data(), Hash::kSize);
  uint8_t* v = buf.data() + 1 + Hash::kSize;
  for (int i = 0; i < 8; ++i) {
    v[i] = static_cast<uint8_t>(value.index >> (56 - 8 * i));
    v[8 + i] = static_cast<uint8_t>(value.version >> (56 - 8 * i));
  }
  std::memcpy(v + 16, value.state.bytes.data(), Hash::kSize);
  return Sha256::Digest(ByteView(buf.data(), buf.size()));
}

Hash NodeHash(const Hash& left, const Hash& right) {
  std::array<uint8_t, 1 + 2 * Hash::kSize> buf;
  buf[0] = kNodePrefix;
  std::memcpy(buf.data() + 1, left.bytes.data(), Hash::kSize);
  std::memcpy(buf.data() + 1 + Hash::kSize, right.bytes.data(), Hash::kSize);
  return Sha256::Digest(ByteView(buf.data(), buf.size()));
}

std::string ExtensionLine(const Hash& root) { return std::string(kLinePrefix) + root.Hex(); }

Result<Hash> ParseExtensionLine(std::string_view line) {
  // Lowercase only, as ExtensionLine writes it: one line has one spelling,
  // since it is part of the signed checkpoint body.
  if (line.size() != kLinePrefix.size() + 2 * Hash::kSize ||
      line.substr(0, kLinePrefix.size()) != kLinePrefix) {
    return Status::InvalidArgument("malformed_map_line", "not \"map <64 hex digits>\"");
  }
  const std::string_view hex = line.substr(kLinePrefix.size());
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Status::InvalidArgument("malformed_map_line", "map root is not lowercase hex");
    }
  }
  auto root = Hash::FromHex(hex);
  if (!root.ok()) return Status::InvalidArgument("malformed_map_line", "bad map root");
  return *root;
}

Result<std::optional<Hash>> FindRoot(const std::vector<std::string>& extensions) {
  std::optional<Hash> root;
  for (const std::string& line : extensions) {
    if (line.compare(0, kLinePrefix.size(), kLinePrefix) != 0) continue;
    if (root) return Status::InvalidArgument("malformed_map_line", "two map lines");
    ASSIGN_OR_RETURN(root, ParseExtensionLine(line));
  }
  return root;
}

Value NextValue(const std::optional<Value>& previous, uint64_t index,
                const std::optional<Hash>& new_state_hash) {
  Value v;
  v.index = index;
  v.version = previous ? previous->version + 1 : 1;
  v.state = new_state_hash ? *new_state_hash : (previous ? previous->state : EmptyHash());
  return v;
}

Status CheckStateTransition(const std::optional<Value>& current,
                            const std::optional<Hash>& prior_state_hash,
                            const std::optional<Hash>& new_state_hash) {
  if ((new_state_hash && *new_state_hash == EmptyHash()) ||
      (prior_state_hash && *prior_state_hash == EmptyHash())) {
    return Status::InvalidArgument("zero_state_hash",
                                   "a state hash of all zeros is reserved for \"no state\"");
  }
  if (!new_state_hash) {
    return Status::InvalidArgument("missing_state_hash",
                                   "a STATE_NOTARIZED entry needs a new state hash");
  }
  const Hash current_state = current ? current->state : EmptyHash();
  if (prior_state_hash && *prior_state_hash != current_state) {
    return Status::FailedPrecondition(
        "state_conflict", "prior state hash " + prior_state_hash->Hex() +
                              " is not the current one (" +
                              (current_state == EmptyHash() ? std::string("none")
                                                            : current_state.Hex()) +
                              ")");
  }
  if (!prior_state_hash && current_state != EmptyHash()) {
    return Status::FailedPrecondition(
        "state_conflict", "no prior state hash given, the current one is " + current_state.Hex());
  }
  return Status::Ok();
}

}  // namespace ledger::state_map
