// LocalLog's side of the submitter policy (schemas/formats/policy.md): the
// change through the notary, and the policy a restarted notary is restored
// with.
#include "ledger/record/leaf.h"
#include "ledger/trust/policy.h"
#include "local_log.h"

namespace ledger::cli {

Result<SequencedBatch> LocalLog::ChangePolicy(ByteView policy, std::span<const Bytes> approvals) {
  if (!notary_) {
    return Status::FailedPrecondition("not_notary_mode",
                                      "policy changes need a log created with init --notary");
  }
  const Hash digest = PolicyDigest(policy);
  auto head = store_->latest().checkpoint;
  // The POLICY_CHANGED entry's subject, for a log with the state map.
  ASSIGN_OR_RETURN(state_map::Proof map_proof,
                   store_->MapProof(state_map::KeyOf("notary-policy/" + store_->origin())));
  // Journaled like an Append (docs/crash-safety.md): a ledgerctl killed
  // before writing the answer gets it again at its next connect.
  std::vector<store::Payload> payloads{{digest, Bytes(policy.begin(), policy.end()),
                                        notary_host::kPolicyContentType}};
  ASSIGN_OR_RETURN(notary_client::Sequenced seq,
                   notary_->SendJournaled(notary_client::NotaryClient::ChangePolicyRequest(
                                              head.size, head.root, policy, approvals, map_proof),
                                          payloads));
  // The host keeps the policy it will need after a restart: the entry
  // commits to it (payload_digest), so it is stored as the entry's payload.
  bool recorded = false;
  for (const Bytes& bytes : seq.batch.leaves) {
    ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(bytes));
    ASSIGN_OR_RETURN(Event event, DecodeEvent(leaf.event));
    recorded |= event.kind == EventKind::kPolicyChanged && event.payload_digest == digest;
  }
  if (!recorded) {
    return Status::VerificationFailed("policy_not_recorded",
                                      "the notary's batch holds no POLICY_CHANGED entry for it");
  }
  RETURN_IF_ERROR(notary_->Persist(seq, payloads));
  return std::move(seq.batch);
}

}  // namespace ledger::cli
