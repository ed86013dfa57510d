#include "ledger/attestation/cbor.h"

#include <algorithm>
#include <limits>

namespace ledger::cbor {
namespace {

constexpr uint8_t kMajorUnsigned = 0;
constexpr uint8_t kMajorNegative = 1;
constexpr uint8_t kMajorBytes = 2;
constexpr uint8_t kMajorText = 3;
constexpr uint8_t kMajorArray = 4;
constexpr uint8_t kMajorMap = 5;
constexpr uint8_t kMajorTag = 6;
constexpr uint8_t kMajorSimple = 7;
constexpr uint8_t kBreak = 0xff;
constexpr uint8_t kAiIndefinite = 31;

// A head (RFC 8949 §3): major type, additional information and its argument.
struct Head {
  uint8_t major = 0;
  uint8_t ai = 0;
  uint64_t arg = 0;
  bool indefinite = false;
};

class Decoder {
 public:
  Decoder(ByteView in, const DecodeLimits& limits) : in_(in), limits_(limits) {}

  Result<Item> Top() {
    if (in_.size() > limits_.max_size) return Fail("input larger than the size limit");
    ASSIGN_OR_RETURN(Item item, ReadItem(0));
    if (pos_ != in_.size()) return Fail("trailing bytes after the data item");
    return item;
  }

 private:
  Status Fail(std::string_view what) const {
    return Status::InvalidArgument("malformed_cbor",
                                   std::string(what) + " at offset " + std::to_string(pos_));
  }

  Status Count() {
    if (++items_ > limits_.max_items) return Fail("more data items than the limit");
    return Status::Ok();
  }

  // Reads a head; enforces the shortest argument form (§4.2.1) and rejects the
  // reserved additional-information values 28..30 (§3).
  Result<Head> ReadHead() {
    if (pos_ >= in_.size()) return Fail("unexpected end of input");
    const uint8_t initial = in_[pos_++];
    Head h;
    h.major = static_cast<uint8_t>(initial >> 5);
    h.ai = initial & 0x1f;
    if (h.ai < 24) {
      h.arg = h.ai;
      return h;
    }
    if (h.ai == kAiIndefinite) {
      h.indefinite = true;
      return h;
    }
    if (h.ai > 27) return Fail("reserved additional information value");
    const size_t n = size_t{1} << (h.ai - 24);  // 1, 2, 4 or 8 bytes
    if (in_.size() - pos_ < n) return Fail("truncated argument");
    for (size_t i = 0; i < n; ++i) h.arg = (h.arg << 8) | in_[pos_ + i];
    pos_ += n;
    // Floats (major 7, ai 25..27) carry bits, not an integer: no shortest rule
    // applies, and they are rejected by the caller anyway.
    if (h.major != kMajorSimple) {
      const uint64_t min = n == 1 ? 24 : (uint64_t{1} << (4 * n));  // 24, 2^8, 2^16, 2^32
      if (h.arg < min) return Fail("integer or length not in its shortest form");
    }
    return h;
  }

  Result<ByteView> TakeBytes(uint64_t n) {
    if (n > in_.size() - pos_) return Fail("string longer than the remaining input");
    ByteView v = in_.subspan(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return v;
  }

  // Definite or indefinite (§3.2.3: a sequence of definite chunks of the same
  // major type, then a break) byte or text string.
  Status ReadString(const Head& h, Item& item) {
    auto append = [&](ByteView chunk) -> Status {
      if (h.major == kMajorText) {
        // Each chunk must itself be valid UTF-8 (§3.2.3).
        if (!IsValidUtf8(AsString(chunk))) return Fail("text string is not valid UTF-8");
        item.text.append(AsString(chunk));
      } else {
        item.bytes.insert(item.bytes.end(), chunk.begin(), chunk.end());
      }
      return Status::Ok();
    };
    if (!h.indefinite) {
      ASSIGN_OR_RETURN(ByteView content, TakeBytes(h.arg));
      return append(content);
    }
    while (true) {
      if (pos_ >= in_.size()) return Fail("unterminated indefinite-length string");
      if (in_[pos_] == kBreak) {
        ++pos_;
        return Status::Ok();
      }
      RETURN_IF_ERROR(Count());
      ASSIGN_OR_RETURN(Head chunk, ReadHead());
      if (chunk.major != h.major || chunk.indefinite) {
        return Fail("indefinite-length string chunk of the wrong type");
      }
      ASSIGN_OR_RETURN(ByteView content, TakeBytes(chunk.arg));
      RETURN_IF_ERROR(append(content));
    }
  }

  // True (and consumes it) if the next byte is a break; for indefinite containers.
  Result<bool> AtBreak(bool indefinite, uint64_t read, uint64_t count) {
    if (!indefinite) return read == count;
    if (pos_ >= in_.size()) return Fail("unterminated indefinite-length container");
    if (in_[pos_] != kBreak) return false;
    ++pos_;
    return true;
  }

  Status ReadArray(const Head& h, size_t depth, Item& item) {
    for (uint64_t i = 0;; ++i) {
      ASSIGN_OR_RETURN(bool done, AtBreak(h.indefinite, i, h.arg));
      if (done) return Status::Ok();
      ASSIGN_OR_RETURN(Item element, ReadItem(depth + 1));
      item.items.push_back(std::move(element));
    }
  }

  Status ReadMap(const Head& h, size_t depth, Item& item) {
    for (uint64_t i = 0;; ++i) {
      ASSIGN_OR_RETURN(bool done, AtBreak(h.indefinite, i, h.arg));
      if (done) return Status::Ok();
      const size_t key_offset = pos_;
      ASSIGN_OR_RETURN(Item key, ReadItem(depth + 1));
      // §5.6: a map with duplicate keys is not valid CBOR; accepting one would
      // let two parsers disagree on which value counts.
      for (const auto& [k, v] : item.entries) {
        if (k.SameValue(key)) {
          return Status::InvalidArgument(
              "malformed_cbor", "duplicate map key at offset " + std::to_string(key_offset));
        }
      }
      ASSIGN_OR_RETURN(Item value, ReadItem(depth + 1));
      item.entries.emplace_back(std::move(key), std::move(value));
    }
  }

  Result<Item> ReadItem(size_t depth) {
    if (depth > limits_.max_depth) return Fail("nesting deeper than the limit");
    RETURN_IF_ERROR(Count());
    Item item;
    item.offset = pos_;
    if (pos_ < in_.size() && in_[pos_] == kBreak) return Fail("unexpected break");
    ASSIGN_OR_RETURN(Head h, ReadHead());
    item.indefinite = h.indefinite;
    if (h.indefinite && (h.major < kMajorBytes || h.major > kMajorMap)) {
      return Fail("indefinite length on a type that has none");
    }
    switch (h.major) {
      case kMajorUnsigned:
      case kMajorNegative:
        item.type = h.major == kMajorUnsigned ? Type::kUnsigned : Type::kNegative;
        item.uint_value = h.arg;
        break;
      case kMajorBytes:
      case kMajorText:
        item.type = h.major == kMajorBytes ? Type::kBytes : Type::kText;
        RETURN_IF_ERROR(ReadString(h, item));
        break;
      case kMajorArray:
        item.type = Type::kArray;
        RETURN_IF_ERROR(ReadArray(h, depth, item));
        break;
      case kMajorMap:
        item.type = Type::kMap;
        RETURN_IF_ERROR(ReadMap(h, depth, item));
        break;
      case kMajorTag: {
        item.type = Type::kTag;
        item.uint_value = h.arg;
        ASSIGN_OR_RETURN(Item content, ReadItem(depth + 1));
        item.items.push_back(std::move(content));
        break;
      }
      default:  // kMajorSimple, §3.3
        if (h.ai == 20 || h.ai == 21) {
          item.type = Type::kBool;
          item.bool_value = h.ai == 21;
        } else if (h.ai == 22) {
          item.type = Type::kNull;
        } else {
          pos_ = item.offset;
          return Fail("unsupported simple value or float");
        }
    }
    item.size = pos_ - item.offset;
    return item;
  }

  ByteView in_;
  DecodeLimits limits_;
  size_t pos_ = 0;
  size_t items_ = 0;
};

Status EncodeInto(const Item& item, Bytes& out) {
  switch (item.type) {
    case Type::kUnsigned:
      AppendHead(out, kMajorUnsigned, item.uint_value);
      return Status::Ok();
    case Type::kNegative:
      AppendHead(out, kMajorNegative, item.uint_value);
      return Status::Ok();
    case Type::kBytes:
      AppendHead(out, kMajorBytes, item.bytes.size());
      Append(out, item.bytes);
      return Status::Ok();
    case Type::kText:
      if (!IsValidUtf8(item.text)) {
        return Status::InvalidArgument("cbor_bad_item", "text string is not valid UTF-8");
      }
      AppendHead(out, kMajorText, item.text.size());
      Append(out, item.text);
      return Status::Ok();
    case Type::kArray:
      AppendHead(out, kMajorArray, item.items.size());
      for (const Item& e : item.items) RETURN_IF_ERROR(EncodeInto(e, out));
      return Status::Ok();
    case Type::kMap: {
      // §4.2.1: sort by the bytewise lexicographic order of the encoded keys.
      std::vector<std::pair<Bytes, const Item*>> sorted;
      sorted.reserve(item.entries.size());
      for (const auto& [k, v] : item.entries) {
        Bytes key;
        RETURN_IF_ERROR(EncodeInto(k, key));
        sorted.emplace_back(std::move(key), &v);
      }
      std::sort(sorted.begin(), sorted.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      AppendHead(out, kMajorMap, sorted.size());
      for (size_t i = 0; i < sorted.size(); ++i) {
        if (i > 0 && sorted[i].first == sorted[i - 1].first) {
          return Status::InvalidArgument("cbor_duplicate_key", "map has two equal keys");
        }
        Append(out, sorted[i].first);
        RETURN_IF_ERROR(EncodeInto(*sorted[i].second, out));
      }
      return Status::Ok();
    }
    case Type::kTag:
      if (item.items.size() != 1) {
        return Status::InvalidArgument("cbor_bad_item", "a tag needs exactly one content item");
      }
      AppendHead(out, kMajorTag, item.uint_value);
      return EncodeInto(item.items[0], out);
    case Type::kBool:
      out.push_back(item.bool_value ? 0xf5 : 0xf4);
      return Status::Ok();
    case Type::kNull:
      out.push_back(0xf6);
      return Status::Ok();
  }
  return Status::InvalidArgument("cbor_bad_item", "unknown item type");
}

}  // namespace

void AppendHead(Bytes& out, uint8_t major_type, uint64_t argument) {
  const auto initial = static_cast<uint8_t>(major_type << 5);
  if (argument < 24) {
    out.push_back(static_cast<uint8_t>(initial | argument));
  } else if (argument <= 0xff) {
    out.push_back(initial | 24);
    AppendU8(out, static_cast<uint8_t>(argument));
  } else if (argument <= 0xffff) {
    out.push_back(initial | 25);
    AppendU16BE(out, static_cast<uint16_t>(argument));
  } else if (argument <= 0xffffffff) {
    out.push_back(initial | 26);
    AppendU32BE(out, static_cast<uint32_t>(argument));
  } else {
    out.push_back(initial | 27);
    AppendU64BE(out, argument);
  }
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

Item Item::Uint(uint64_t v) {
  Item i;
  i.type = Type::kUnsigned;
  i.uint_value = v;
  return i;
}

Item Item::Int(int64_t v) {
  if (v >= 0) return Uint(static_cast<uint64_t>(v));
  Item i;
  i.type = Type::kNegative;
  i.uint_value = static_cast<uint64_t>(-(v + 1));  // -1 - n = v  =>  n = -1 - v
  return i;
}

Item Item::ByteString(ByteView b) {
  Item i;
  i.type = Type::kBytes;
  i.bytes.assign(b.begin(), b.end());
  return i;
}

Item Item::TextString(std::string_view s) {
  Item i;
  i.type = Type::kText;
  i.text = std::string(s);
  return i;
}

Item Item::Array(std::vector<Item> elements) {
  Item i;
  i.type = Type::kArray;
  i.items = std::move(elements);
  return i;
}

Item Item::Map(std::vector<MapEntry> entries) {
  Item i;
  i.type = Type::kMap;
  i.entries = std::move(entries);
  return i;
}

Item Item::Tag(uint64_t tag, Item content) {
  Item i;
  i.type = Type::kTag;
  i.uint_value = tag;
  i.items.push_back(std::move(content));
  return i;
}

Item Item::Bool(bool v) {
  Item i;
  i.type = Type::kBool;
  i.bool_value = v;
  return i;
}

Item Item::Null() { return Item(); }

bool Item::AsInt64(int64_t* out) const {
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if ((type != Type::kUnsigned && type != Type::kNegative) || uint_value > kMax) return false;
  const auto v = static_cast<int64_t>(uint_value);
  *out = type == Type::kUnsigned ? v : -1 - v;
  return true;
}

const Item* Item::Find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.type == Type::kText && k.text == key) return &v;
  }
  return nullptr;
}

const Item* Item::FindInt(int64_t key) const {
  for (const auto& [k, v] : entries) {
    int64_t n;
    if (k.AsInt64(&n) && n == key) return &v;
  }
  return nullptr;
}

bool Item::SameValue(const Item& o) const {
  if (type != o.type) return false;
  switch (type) {
    case Type::kUnsigned:
    case Type::kNegative:
      return uint_value == o.uint_value;
    case Type::kBytes:
      return bytes == o.bytes;
    case Type::kText:
      return text == o.text;
    case Type::kBool:
      return bool_value == o.bool_value;
    case Type::kNull:
      return true;
    case Type::kTag:
    case Type::kArray:
      if (uint_value != o.uint_value && type == Type::kTag) return false;
      return std::equal(items.begin(), items.end(), o.items.begin(), o.items.end(),
                        [](const Item& a, const Item& b) { return a.SameValue(b); });
    case Type::kMap:
      // Maps are unordered (§5.6); keys are unique, so "every entry of one is
      // in the other" with equal sizes is equality.
      return entries.size() == o.entries.size() &&
             std::all_of(entries.begin(), entries.end(), [&](const auto& a) {
               return std::any_of(o.entries.begin(), o.entries.end(), [&](const auto& b) {
                 return a.first.SameValue(b.first) && a.second.SameValue(b.second);
               });
             });
  }
  return false;
}

Result<Item> Decode(ByteView input, const DecodeLimits& limits) {
  return Decoder(input, limits).Top();
}

Result<Bytes> Encode(const Item& item) {
  Bytes out;
  RETURN_IF_ERROR(EncodeInto(item, out));
  return out;
}

}  // namespace ledger::cbor
