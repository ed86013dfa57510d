// A small strict CBOR (RFC 8949) decoder and a deterministic encoder.
//
// Why hand-written: the notary's trusted computing base links only ledger::core
// and OpenSSL (docs/architecture.md §5). A general CBOR library (libcbor, tinycbor)
// would add a second, larger parser of host-supplied bytes to it. This one
// understands exactly what AWS Nitro attestation documents, COSE_Sign1
// (RFC 9052) and the NSM request/response messages use, and nothing more.
//
// Decoding is strict: a well-formed (RFC 8949 §5.3.1) and valid (§5.3.2) data
// item with no trailing bytes, integers and lengths in their shortest form
// (§4.2.1: every genuine Nitro document is already encoded that way), no
// duplicate map keys, text that is valid UTF-8, and only the simple values
// false, true and null (no floats, no undefined). Indefinite-length strings,
// arrays and maps ARE accepted (§3.2): the Nitro hypervisor emits an
// indefinite-length map for the attestation document. Every defect is
// InvalidArgument("malformed_cbor") whose message gives the byte offset.
//
// Each decoded item remembers where it was in the input (offset, size), so a
// caller can use the exact received bytes of a sub-item: COSE signs the
// payload bytes as received, never a re-encoding (RFC 9052 §4.4).
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"

namespace ledger::cbor {

enum class Type {
  kUnsigned,  // major type 0
  kNegative,  // major type 1: the value is -1 - uint_value
  kBytes,     // major type 2
  kText,      // major type 3 (valid UTF-8)
  kArray,     // major type 4
  kMap,       // major type 5
  kTag,       // major type 6: tag number in uint_value, content in items[0]
  kBool,      // major type 7, simple values 20/21
  kNull,      // major type 7, simple value 22
};

struct MapEntry;  // a key and its value, defined after Item

// One decoded (or to-be-encoded) data item.
struct Item {
  Type type = Type::kNull;
  uint64_t uint_value = 0;  // kUnsigned, kNegative (argument), kTag (tag number)
  bool bool_value = false;  // kBool
  Bytes bytes;              // kBytes content (chunks concatenated)
  std::string text;         // kText content (chunks concatenated)
  std::vector<Item> items;  // kArray elements; kTag: exactly one content item
  std::vector<MapEntry> entries;  // kMap, in received order

  // Set by Decode: where the item's encoding starts in the decoded input and
  // how many bytes it spans (head, content, chunks and break byte included).
  size_t offset = 0;
  size_t size = 0;
  bool indefinite = false;  // received with indefinite length (§3.2)

  // Constructors for the encoder.
  static Item Uint(uint64_t v);
  static Item Int(int64_t v);
  static Item ByteString(ByteView b);
  static Item TextString(std::string_view s);
  static Item Array(std::vector<Item> elements);
  static Item Map(std::vector<MapEntry> entries);
  static Item Tag(uint64_t tag, Item content);
  static Item Bool(bool v);
  static Item Null();

  bool is_null() const { return type == Type::kNull; }
  // The value as a signed integer, if it is an integer that fits in int64_t.
  bool AsInt64(int64_t* out) const;
  // For a map: the value of the entry whose key is the text `key` / the
  // integer `key`, or nullptr. (Keys are unique in a decoded map.)
  const Item* Find(std::string_view key) const;
  const Item* FindInt(int64_t key) const;
  // The exact bytes this item was decoded from. REQUIRES: `input` is the
  // buffer that was passed to Decode.
  ByteView RawIn(ByteView input) const { return input.subspan(offset, size); }

  // Equality of values (type and content), ignoring offset/size/indefinite:
  // an indefinite text string equals the definite one with the same content.
  bool SameValue(const Item& other) const;
};

// A map entry. A named struct rather than std::pair<Item, Item>, which
// some standard libraries refuse to instantiate while Item is incomplete;
// `first`/`second` keep pair's spelling for structured bindings.
struct MapEntry {
  MapEntry(Item key, Item value) : first(std::move(key)), second(std::move(value)) {}
  Item first;
  Item second;
};

// Hard limits that keep decoding of hostile input cheap. Defaults suit Nitro
// documents (about 5 KB, about 70 items) with a wide margin.
struct DecodeLimits {
  size_t max_depth = 16;        // nesting of arrays, maps and tags. Default: 16
  size_t max_items = 4096;      // data items in total, chunks counted. Default: 4096
  size_t max_size = 64 * 1024;  // input bytes. Default: 64 KiB (NSM documents are < 16 KiB)
};

// Decodes exactly one data item that must span all of `input`.
Result<Item> Decode(ByteView input, const DecodeLimits& limits = {});

// Deterministic encoding (RFC 8949 §4.2.1 "core deterministic encoding"):
// shortest heads, definite lengths, map entries sorted by the bytewise
// lexicographic order of their encoded keys. InvalidArgument("cbor_duplicate_key")
// if a map has two equal keys, ("cbor_bad_item") for an inconsistent Item
// (e.g. a tag without exactly one content item) or invalid UTF-8 text.
Result<Bytes> Encode(const Item& item);

// Appends a data item head (§3: major type in the top 3 bits, then the
// shortest argument encoding). For callers that splice received bytes, e.g.
// the COSE Sig_structure.
void AppendHead(Bytes& out, uint8_t major_type, uint64_t argument);

// True if `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace ledger::cbor
