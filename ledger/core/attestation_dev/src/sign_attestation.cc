// Production of Nitro attestation documents, for the simulated NSM and tests
// only: the payload encoder and the COSE_Sign1/ES384 signer.
#include "ledger/attestation_dev/sign_attestation.h"

#include "attestation_internal.h"
#include "ledger/attestation/cbor.h"
#include "ledger/attestation/cose.h"

namespace ledger {
namespace {

using cbor::Item;

Status Bad(std::string what) {
  return Status::InvalidArgument("malformed_attestation", std::move(what));
}

Item OptionalBytes(const Bytes& b) { return b.empty() ? Item::Null() : Item::ByteString(b); }

}  // namespace

Result<Bytes> EncodeAttestationPayload(const AttestationDocument& doc) {
  std::vector<cbor::MapEntry> pcrs;
  for (const auto& [index, value] : doc.pcrs) {
    pcrs.emplace_back(Item::Uint(index), Item::ByteString(value));
  }
  std::vector<Item> bundle;
  for (const Bytes& cert : doc.cabundle) bundle.push_back(Item::ByteString(cert));
  // Same fields as the Nitro hypervisor writes; absent optional ones as null.
  Item map = Item::Map({
      {Item::TextString("module_id"), Item::TextString(doc.module_id)},
      {Item::TextString("digest"), Item::TextString(doc.digest)},
      {Item::TextString("timestamp"), Item::Uint(doc.timestamp_ms)},
      {Item::TextString("pcrs"), Item::Map(std::move(pcrs))},
      {Item::TextString("certificate"), Item::ByteString(doc.certificate)},
      {Item::TextString("cabundle"), Item::Array(std::move(bundle))},
      {Item::TextString("public_key"), OptionalBytes(doc.public_key)},
      {Item::TextString("user_data"), OptionalBytes(doc.user_data)},
      {Item::TextString("nonce"), OptionalBytes(doc.nonce)},
  });
  auto encoded = cbor::Encode(map);
  if (!encoded.ok()) return Bad(encoded.status().message());
  // Produce nothing the parser would refuse.
  RETURN_IF_ERROR(internal::ParseAttestationPayload(*encoded).status());
  return encoded;
}

Result<Bytes> SignAttestation(const AttestationDocument& doc, const P384PrivateKey& leaf_key) {
  ASSIGN_OR_RETURN(Bytes payload, EncodeAttestationPayload(doc));
  auto cert_key = P384PublicKey::FromCertificate(doc.certificate);
  if (!cert_key.ok() || !(*cert_key == leaf_key.public_key())) {
    return Status::InvalidArgument("key_certificate_mismatch",
                                   "the signing key is not the certificate's P-384 key");
  }
  return cose::SignSign1(payload, leaf_key);
}

}  // namespace ledger
