#include "platform/nsm_codec.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "ledger/attestation/cbor.h"

namespace notary::nsm {
namespace {

using ledger::Bytes;
using ledger::ByteView;
using ledger::Result;
using ledger::Status;
using ledger::cbor::Item;
using ledger::cbor::Type;

// RFC 8949 §3.1 major types.
constexpr uint8_t kMajorUnsigned = 0;
constexpr uint8_t kMajorBytes = 2;
constexpr uint8_t kMajorText = 3;
constexpr uint8_t kMajorMap = 5;
constexpr uint8_t kNull = 0xf6;

// Requests are assembled by hand rather than with cbor::Encode: serde writes
// struct fields in declaration order, while the deterministic encoder would
// sort them, and we want the exact bytes the Rust library sends.
void Text(Bytes& out, std::string_view s) {
  ledger::cbor::AppendHead(out, kMajorText, s.size());
  ledger::Append(out, s);
}

void OptionalBytes(Bytes& out, ByteView b) {
  if (b.empty()) {
    out.push_back(kNull);
    return;
  }
  ledger::cbor::AppendHead(out, kMajorBytes, b.size());
  ledger::Append(out, b);
}

Status BadResponse(std::string what) {
  return Status::InvalidArgument("bad_nsm_response", std::move(what));
}

// Decodes a response and returns the fields map of the expected struct
// variant: {"<variant>": {...}}. {"Error": "<code>"} becomes nsm_error.
Result<Item> VariantFields(ByteView response, std::string_view variant) {
  ASSIGN_OR_RETURN(Item top, ledger::cbor::Decode(response));
  if (top.type != Type::kMap || top.entries.size() != 1 ||
      top.entries[0].first.type != Type::kText) {
    return BadResponse("NSM response is not a one-entry map keyed by the variant name");
  }
  const std::string& name = top.entries[0].first.text;
  Item& value = top.entries[0].second;
  if (name == "Error") {
    if (value.type != Type::kText) return BadResponse("NSM error code is not text");
    return Status::Unavailable("nsm_error", "NSM returned " + value.text);
  }
  if (name != variant) {
    return BadResponse("NSM answered " + name + " to a " + std::string(variant) + " request");
  }
  if (value.type != Type::kMap) return BadResponse(name + " fields are not a map");
  return std::move(value);
}

// Exactly the named fields, each once (the decoder already refused duplicates).
Status ExpectFields(const Item& fields, std::initializer_list<std::string_view> names) {
  if (fields.entries.size() != names.size()) return BadResponse("unexpected NSM response fields");
  for (std::string_view n : names) {
    if (fields.Find(n) == nullptr) return BadResponse("NSM response lacks " + std::string(n));
  }
  return Status::Ok();
}

Result<Bytes> BytesField(const Item& fields, std::string_view name) {
  const Item* v = fields.Find(name);
  if (v == nullptr || v->type != Type::kBytes) {
    return BadResponse(std::string(name) + " is not a byte string");
  }
  return v->bytes;
}

// {"<variant>": {"<field>": non-empty bytes}}, nothing else.
Result<Bytes> OnlyBytesField(ByteView response, std::string_view variant, std::string_view field) {
  ASSIGN_OR_RETURN(Item fields, VariantFields(response, variant));
  RETURN_IF_ERROR(ExpectFields(fields, {field}));
  ASSIGN_OR_RETURN(Bytes value, BytesField(fields, field));
  if (value.empty()) return BadResponse(std::string(variant) + " " + std::string(field) + " is empty");
  return value;
}

}  // namespace

Bytes EncodeAttestationRequest(ByteView user_data, ByteView nonce, ByteView public_key) {
  Bytes out;
  ledger::cbor::AppendHead(out, kMajorMap, 1);
  Text(out, "Attestation");
  ledger::cbor::AppendHead(out, kMajorMap, 3);
  Text(out, "user_data");
  OptionalBytes(out, user_data);
  Text(out, "nonce");
  OptionalBytes(out, nonce);
  Text(out, "public_key");
  OptionalBytes(out, public_key);
  return out;
}

Bytes EncodeGetRandomRequest() {
  Bytes out;
  Text(out, "GetRandom");  // a unit variant is its bare name
  return out;
}

Bytes EncodeDescribePcrRequest(uint16_t index) {
  Bytes out;
  ledger::cbor::AppendHead(out, kMajorMap, 1);
  Text(out, "DescribePCR");
  ledger::cbor::AppendHead(out, kMajorMap, 1);
  Text(out, "index");
  ledger::cbor::AppendHead(out, kMajorUnsigned, index);
  return out;
}

Result<Bytes> ParseAttestationResponse(ByteView response) {
  return OnlyBytesField(response, "Attestation", "document");
}

Result<Bytes> ParseGetRandomResponse(ByteView response) {
  return OnlyBytesField(response, "GetRandom", "random");
}

Result<PcrDescription> ParseDescribePcrResponse(ByteView response) {
  ASSIGN_OR_RETURN(Item fields, VariantFields(response, "DescribePCR"));
  RETURN_IF_ERROR(ExpectFields(fields, {"lock", "data"}));
  const Item* lock = fields.Find("lock");
  if (lock->type != Type::kBool) return BadResponse("lock is not a bool");
  PcrDescription out;
  out.locked = lock->bool_value;
  ASSIGN_OR_RETURN(out.data, BytesField(fields, "data"));
  return out;
}

}  // namespace notary::nsm
