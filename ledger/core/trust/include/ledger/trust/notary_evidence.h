// The evidence that names the measured code behind an answer (receipt.md §4):
// the app proof of the batch that sequenced an entry, the ENCLAVE_BOOTED
// entry whose ephemeral key signed that app proof, and that boot's
// attestation document. A verifier who pins the attestation root and a PCR0
// checks the chain offline: app proof -> ephemeral key -> boot entry stamped
// by the log key -> attestation document -> pinned root and PCR0.
//
// Everything here comes from the untrusted host; nothing in it is believed
// until a verifier has checked it against an answer's verified checkpoint.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"

namespace ledger {

struct NotaryEvidence {
  // The batch that sequenced the entry: the checkpoint note as the notary
  // returned it (its own signature only, app-proof.md §1), the batch range
  // and the consistency proof from the batch's size to the answer's size
  // (empty when they are equal).
  std::string batch_checkpoint;
  uint64_t first_index = 0;
  uint64_t count = 0;
  std::vector<Hash> batch_consistency;
  // The app proof over that batch (app-proof.md).
  std::string app_proof_payload;
  Bytes app_proof_signature;   // ECDSA P-256, raw r || s
  Bytes app_proof_public_key;  // SEC1 uncompressed: the boot's ephemeral key
  // The boot entry that put that key on the record, its inclusion proof
  // against the answer's checkpoint, and its payload: the attestation
  // document (attestation.md).
  uint64_t boot_index = 0;
  Bytes boot_leaf;
  std::vector<Hash> boot_inclusion;
  Bytes attestation;
  // PCR0 as the document states it, for people; a verifier reads the
  // document and compares it with the PCR0 it pins.
  Bytes pcr0;
};

}  // namespace ledger
