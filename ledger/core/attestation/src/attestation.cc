// Parsing of Nitro attestation documents. Verification (the certificate chain
// and the policy) is in attestation_verify.cc; production (the simulated NSM)
// in ledger/core/attestation_dev/src/sign_attestation.cc.
#include "ledger/attestation/attestation.h"

#include "attestation_internal.h"
#include "ledger/attestation/cbor.h"
#include "ledger/attestation/cose.h"

namespace ledger {
namespace {

using cbor::Item;
using cbor::Type;

Status Bad(std::string what) {
  return Status::InvalidArgument("malformed_attestation", std::move(what));
}

Result<Bytes> BytesField(const Item& v, std::string_view name, size_t min, size_t max,
                         bool nullable) {
  if (nullable && v.is_null()) return Bytes{};
  if (v.type != Type::kBytes) return Bad(std::string(name) + " must be a byte string");
  if (v.bytes.size() < min || v.bytes.size() > max) {
    return Bad(std::string(name) + " has " + std::to_string(v.bytes.size()) +
               " bytes, outside " + std::to_string(min) + ".." + std::to_string(max));
  }
  return v.bytes;
}

// pcrs: { + index => pcr }, index 0..31, pcr 32/48/64 bytes (AWS §3.2).
Result<std::map<uint32_t, Bytes>> PcrsField(const Item& v) {
  if (v.type != Type::kMap) return Bad("pcrs must be a map");
  if (v.entries.empty() || v.entries.size() > kMaxPcrs) return Bad("pcrs must have 1..32 entries");
  std::map<uint32_t, Bytes> out;
  for (const auto& [k, value] : v.entries) {
    if (k.type != Type::kUnsigned || k.uint_value >= kMaxPcrs) {
      return Bad("pcr index must be an integer in 0..31");
    }
    const size_t n = value.bytes.size();
    if (value.type != Type::kBytes || (n != 32 && n != 48 && n != 64)) {
      return Bad("pcr value must be 32, 48 or 64 bytes");
    }
    out[static_cast<uint32_t>(k.uint_value)] = value.bytes;
  }
  return out;
}

Result<std::vector<Bytes>> CabundleField(const Item& v) {
  if (v.type != Type::kArray || v.items.empty()) return Bad("cabundle must be a non-empty array");
  std::vector<Bytes> out;
  for (const Item& cert : v.items) {
    ASSIGN_OR_RETURN(Bytes der, BytesField(cert, "cabundle entry", 1, kMaxCertSize, false));
    out.push_back(std::move(der));
  }
  return out;
}

// One field of the map; `seen` collects the names for the required-field check.
Status ParseField(const std::string& name, const Item& v, AttestationDocument& doc) {
  if (name == "module_id") {
    if (v.type != Type::kText || v.text.empty()) return Bad("module_id must be non-empty text");
    doc.module_id = v.text;
  } else if (name == "digest") {
    if (v.type != Type::kText || v.text != "SHA384") return Bad("digest must be \"SHA384\"");
    doc.digest = v.text;
  } else if (name == "timestamp") {
    if (v.type != Type::kUnsigned || v.uint_value == 0) return Bad("timestamp must be a uint > 0");
    doc.timestamp_ms = v.uint_value;
  } else if (name == "pcrs") {
    ASSIGN_OR_RETURN(doc.pcrs, PcrsField(v));
  } else if (name == "certificate") {
    ASSIGN_OR_RETURN(doc.certificate, BytesField(v, name, 1, kMaxCertSize, false));
  } else if (name == "cabundle") {
    ASSIGN_OR_RETURN(doc.cabundle, CabundleField(v));
  } else if (name == "public_key") {
    ASSIGN_OR_RETURN(doc.public_key, BytesField(v, name, 1, kMaxPublicKeySize, true));
  } else if (name == "user_data") {
    ASSIGN_OR_RETURN(doc.user_data, BytesField(v, name, 0, kMaxUserDataSize, true));
  } else if (name == "nonce") {
    ASSIGN_OR_RETURN(doc.nonce, BytesField(v, name, 0, kMaxUserDataSize, true));
  } else {
    return Bad("unknown field " + name);
  }
  return Status::Ok();
}

}  // namespace

namespace internal {

Result<AttestationDocument> ParseAttestationPayload(ByteView payload) {
  ASSIGN_OR_RETURN(Item map, cbor::Decode(payload));
  if (map.type != Type::kMap) return Bad("payload is not a map");
  AttestationDocument doc;
  for (const auto& [key, value] : map.entries) {
    if (key.type != Type::kText) return Bad("payload keys must be text");
    RETURN_IF_ERROR(ParseField(key.text, value, doc));
  }
  // Required fields (AWS CDDL); duplicates were already refused by the decoder.
  for (const char* name : {"module_id", "digest", "timestamp", "pcrs", "certificate", "cabundle"}) {
    if (map.Find(name) == nullptr) return Bad(std::string("missing field ") + name);
  }
  return doc;
}

}  // namespace internal

Result<AttestationDocument> ParseAttestation(ByteView cose) {
  ASSIGN_OR_RETURN(cose::Sign1 sign1, cose::ParseSign1(cose));
  return internal::ParseAttestationPayload(sign1.payload);
}

}  // namespace ledger
