// NotaryEvidenceFor (notary_evidence.h).
#include "ledger/store/notary_evidence.h"

#include <algorithm>

#include "ledger/attestation/attestation.h"
#include "ledger/note/note.h"
#include "ledger/record/leaf.h"
#include "ledger/retention/retention.h"

namespace ledger::store {

Result<NotaryEvidence> NotaryEvidenceFor(const LogStore& store, uint64_t index,
                                         uint64_t tree_size) {
  if (index >= tree_size || tree_size > store.size()) {
    return Status::InvalidArgument("index_out_of_range",
                                   "entry " + std::to_string(index) + " is not below size " +
                                       std::to_string(tree_size));
  }
  ASSIGN_OR_RETURN(StoredAppProof ap, store.AppProofFor(index));
  const uint64_t batch_size = ap.first_index + ap.count;
  if (batch_size > tree_size) {
    // The answer's checkpoint predates the end of the entry's batch: no
    // checkpoint of that size can carry the entry (AppProofFor found the
    // batch that holds it), so this only happens on a corrupt record.
    return Status::Corruption("malformed_record", "the entry's batch ends after the answer");
  }
  NotaryEvidence e;
  e.batch_checkpoint = ap.notary_note;
  e.first_index = ap.first_index;
  e.count = ap.count;
  if (batch_size < tree_size) {
    ASSIGN_OR_RETURN(e.batch_consistency, store.ConsistencyProof(batch_size, tree_size));
  }
  e.app_proof_payload = std::move(ap.proof.payload);
  e.app_proof_signature = std::move(ap.proof.signature);
  e.app_proof_public_key = std::move(ap.proof.public_key);

  // The boot that holds the key: the latest boot entry at or before the
  // batch naming it (the boot entry is the first entry of its boot).
  EntryQuery q;
  q.kind = EventKind::kEnclaveBooted;
  q.limit = SIZE_MAX;
  ASSIGN_OR_RETURN(std::vector<uint64_t> boots, store.FindEntries(q));
  const std::string key_hex = HexEncode(e.app_proof_public_key);
  for (auto it = boots.rbegin(); it != boots.rend(); ++it) {
    if (*it > ap.first_index) continue;
    ASSIGN_OR_RETURN(LeafWithProof l, store.GetLeaf(*it, tree_size));
    ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(l.leaf));
    ASSIGN_OR_RETURN(Event event, DecodeEvent(leaf.event));
    const std::string* key = FindAttribute(event, "ephemeral_public_key");
    if (!key || *key != key_hex) continue;
    if (!event.payload_digest) break;
    auto body = store.GetPayload(*event.payload_digest);
    if (!body.ok()) {
      if (body.status().code() == Code::kNotFound) {
        return Status::NotFound("no_attestation", "boot entry " + std::to_string(*it) +
                                                      " has no stored attestation document");
      }
      return body.status();
    }
    e.boot_index = *it;
    e.boot_leaf = std::move(l.leaf);
    e.boot_inclusion = std::move(l.proof);
    e.attestation = std::move(body->body);
    if (auto doc = ParseAttestation(e.attestation); doc.ok() && doc->pcrs.contains(0)) {
      e.pcr0 = doc->pcrs.at(0);
    }
    return e;
  }
  return Status::NotFound("no_boot_entry", "no boot entry records the key of entry " +
                                               std::to_string(index) + "'s app proof");
}

}  // namespace ledger::store
