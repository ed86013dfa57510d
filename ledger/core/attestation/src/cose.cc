#include "ledger/attestation/cose.h"

namespace ledger::cose {
namespace {

constexpr uint8_t kMajorBytes = 2;
constexpr uint8_t kMajorText = 3;
constexpr uint8_t kMajorArray = 4;
constexpr char kContext[] = "Signature1";  // RFC 9052 §4.4, context for COSE_Sign1

Status Malformed(std::string_view what) {
  return Status::InvalidArgument("malformed_cose", std::string(what));
}

// A definite-length byte string. Indefinite strings are refused because the
// Sig_structure must contain the bstr exactly as signed, and every COSE
// implementation we interoperate with signs the definite encoding.
Status CheckBstr(const cbor::Item& item, std::string_view name) {
  if (item.type != cbor::Type::kBytes || item.indefinite) {
    return Malformed(std::string(name) + " must be a definite-length byte string");
  }
  return Status::Ok();
}

// RFC 9052 §3: the protected header is a serialized map; ours must say
// alg = ES384 and carry nothing critical we would not understand (§3.1 crit).
Status CheckProtected(ByteView encoded, const cbor::Item& unprotected) {
  if (encoded.empty()) return Status::InvalidArgument("unsupported_cose_algorithm", "no alg");
  ASSIGN_OR_RETURN(cbor::Item map, cbor::Decode(encoded));
  if (map.type != cbor::Type::kMap) return Malformed("protected header is not a map");
  if (map.FindInt(kHeaderCrit) != nullptr || unprotected.FindInt(kHeaderCrit) != nullptr) {
    return Malformed("critical header parameters are not supported");
  }
  // §3: a label must not appear in both buckets.
  for (const auto& [label, value] : unprotected.entries) {
    for (const auto& [plabel, pvalue] : map.entries) {
      if (label.SameValue(plabel)) return Malformed("header label in both buckets");
    }
  }
  const cbor::Item* alg = map.FindInt(kHeaderAlg);
  int64_t alg_value = 0;
  if (alg == nullptr || !alg->AsInt64(&alg_value) || alg_value != kAlgEs384) {
    return Status::InvalidArgument("unsupported_cose_algorithm",
                                   "protected header alg must be ES384 (-35)");
  }
  return Status::Ok();
}

void AppendBstr(Bytes& out, ByteView content) {
  cbor::AppendHead(out, kMajorBytes, content.size());
  Append(out, content);
}

// Sig_structure with the two bstrs given by their full encodings.
Bytes SigStructureFromEncoded(ByteView protected_bstr, ByteView payload_bstr) {
  Bytes out;
  out.reserve(16 + protected_bstr.size() + payload_bstr.size());
  cbor::AppendHead(out, kMajorArray, 4);
  cbor::AppendHead(out, kMajorText, sizeof(kContext) - 1);
  Append(out, std::string_view(kContext));
  Append(out, protected_bstr);
  AppendBstr(out, {});  // external_aad = h''
  Append(out, payload_bstr);
  return out;
}

}  // namespace

Result<Sign1> ParseSign1(ByteView cose) {
  ASSIGN_OR_RETURN(cbor::Item top, cbor::Decode(cose));
  Sign1 out;
  const cbor::Item* array = &top;
  if (top.type == cbor::Type::kTag) {
    if (top.uint_value != kTagSign1) return Malformed("tag is not COSE_Sign1 (18)");
    out.tagged = true;
    array = &top.items[0];
  }
  if (array->type != cbor::Type::kArray || array->items.size() != 4) {
    return Malformed("COSE_Sign1 must be an array of 4 items");
  }
  const cbor::Item& prot = array->items[0];
  const cbor::Item& unprot = array->items[1];
  const cbor::Item& payload = array->items[2];
  const cbor::Item& sig = array->items[3];
  RETURN_IF_ERROR(CheckBstr(prot, "protected header"));
  if (unprot.type != cbor::Type::kMap) return Malformed("unprotected header must be a map");
  // A nil payload means detached content (RFC 9052 §4.1): not used by Nitro.
  RETURN_IF_ERROR(CheckBstr(payload, "payload"));
  RETURN_IF_ERROR(CheckBstr(sig, "signature"));
  if (sig.bytes.size() != P384PublicKey::kSignatureSize) {
    return Malformed("ES384 signature must be 96 bytes (r || s)");
  }
  RETURN_IF_ERROR(CheckProtected(prot.bytes, unprot));
  out.to_be_signed = SigStructureFromEncoded(prot.RawIn(cose), payload.RawIn(cose));
  out.protected_header = prot.bytes;
  out.unprotected = unprot;
  out.payload = payload.bytes;
  out.signature = sig.bytes;
  return out;
}

Bytes SigStructure(ByteView protected_header, ByteView payload) {
  Bytes prot;
  AppendBstr(prot, protected_header);
  Bytes pay;
  AppendBstr(pay, payload);
  return SigStructureFromEncoded(prot, pay);
}

Status VerifySign1(const Sign1& sign1, const P384PublicKey& key) {
  if (!key.Verify(sign1.to_be_signed, sign1.signature).ok()) {
    return Status::VerificationFailed("bad_cose_signature",
                                      "COSE_Sign1 ES384 signature does not verify");
  }
  return Status::Ok();
}

Result<Bytes> SignSign1(ByteView payload, const P384PrivateKey& key, bool tagged) {
  // Protected header {1: -35} = a1 01 38 22 (RFC 9052 §3.1, deterministic).
  ASSIGN_OR_RETURN(Bytes prot, cbor::Encode(cbor::Item::Map(
                                   {{cbor::Item::Int(kHeaderAlg), cbor::Item::Int(kAlgEs384)}})));
  ASSIGN_OR_RETURN(Bytes signature, key.Sign(SigStructure(prot, payload)));
  Bytes out;
  if (tagged) cbor::AppendHead(out, 6, kTagSign1);
  cbor::AppendHead(out, kMajorArray, 4);
  AppendBstr(out, prot);
  cbor::AppendHead(out, 5, 0);  // unprotected: {}
  AppendBstr(out, payload);
  AppendBstr(out, signature);
  return out;
}

}  // namespace ledger::cose
