// LocalLog's side of the submitter policy (schemas/formats/policy.md): the
// change through the notary, and the policy a restarted notary is restored
// with.
#include "ledger/leaf.h"
#include "ledger/policy.h"
#include "local_log.h"

namespace ledger::cli {

inline constexpr char kPolicyContentType[] = "application/vnd.audit-ledger.policy";

Result<SequencedBatch> LocalLog::ChangePolicy(ByteView policy, std::span<const Bytes> approvals) {
  if (!notary_) {
    return Status::FailedPrecondition("not_notary_mode",
                                      "policy changes need a log created with init --notary");
  }
  const Hash digest = PolicyDigest(policy);
  auto head = store_->latest().checkpoint;
  ASSIGN_OR_RETURN(notary_client::Sequenced seq,
                   notary_->ChangePolicy(head.size, head.root, policy, approvals));
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
  std::vector<store::Payload> payloads{{digest, Bytes(policy.begin(), policy.end()),
                                        kPolicyContentType}};
  RETURN_IF_ERROR(PersistFromNotary(seq.batch, seq.app_proof.public_key, seq.app_proof.payload,
                                    seq.app_proof.signature, payloads));
  return std::move(seq.batch);
}

Result<Bytes> LocalLog::HeadPolicy() const {
  const auto& extensions = store_->latest().checkpoint.extensions;
  // A head without a policy line predates policy binding: there is nothing
  // to show, and the notary decides.
  if (extensions.empty()) return Bytes();
  ASSIGN_OR_RETURN(PolicyRef ref, ParsePolicyExtensionLine(extensions.front()));
  if (ref.version == 0) return Bytes();  // the manifest's: the notary has it
  auto payload = store_->GetPayload(ref.digest);
  if (!payload.ok()) {
    return Status::NotFound("missing_policy", "the store lacks policy version " +
                                                  std::to_string(ref.version) + " " +
                                                  ref.digest.Hex());
  }
  if (PolicyDigest(payload->body) != ref.digest) {
    return Status::Corruption("policy_mismatch", "the stored policy does not match its digest");
  }
  return payload->body;
}

}  // namespace ledger::cli
