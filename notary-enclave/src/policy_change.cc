// ChangePolicy (see notary/enclave.h and schemas/formats/policy.md).
#include "internal.h"
#include "ledger/record/event.h"
#include "ledger/record/stamp.h"
#include "ledger/trust/policy.h"
#include "notary/enclave.h"

namespace notary {

using ledger::Bytes;
using ledger::Hash;
using ledger::Result;
using ledger::Status;

Result<pb::Sequenced> Enclave::ChangePolicy(const pb::ChangePolicy& request) {
  RETURN_IF_ERROR(RequireServing());
  ASSIGN_OR_RETURN(Hash expected_root, Hash::FromBytes(ledger::AsBytes(request.expected_root())));
  const ledger::ByteView encoding = ledger::AsBytes(request.policy());
  ASSIGN_OR_RETURN(ledger::Policy policy, ledger::DecodePolicy(encoding));
  // The sequencer's line names the policy in force (set at Restore or by
  // the last change), so the notary needs no other record of it.
  ASSIGN_OR_RETURN(ledger::PolicyRef current,
                   ledger::ParsePolicyExtensionLine(sequencer_->checkpoint_extension()));
  if (policy.version != current.version + 1) {
    return Status::FailedPrecondition(
        "stale_policy_version", "policy version " + std::to_string(policy.version) +
                                    "; the next is " + std::to_string(current.version + 1));
  }
  const Hash digest = ledger::PolicyDigest(encoding);
  std::vector<ledger::Approval> approvals;
  for (const std::string& a : request.approvals()) {
    ASSIGN_OR_RETURN(ledger::Approval approval, ledger::DecodeApproval(ledger::AsBytes(a)));
    approvals.push_back(std::move(approval));
  }
  RETURN_IF_ERROR(ledger::VerifyPolicyApprovals(*manifest_, digest, approvals));
  // Stamps are always required, and the log key is admitted for the
  // notary's own records only (ledger/record/ownership.h), which no policy may grant.
  ASSIGN_OR_RETURN(ledger::SubmitterPolicy enforced, ledger::ToSubmitterPolicy(policy));

  // POLICY_CHANGED (policy.md §5), stamped by the log key.
  ledger::Event e;
  e.kind = ledger::EventKind::kPolicyChanged;
  e.event_id = "policy-changed/" + std::to_string(policy.version) + "/" + digest.Hex();
  e.occurred_at_us = options_.clock();
  e.actor = {"operators", "operator-quorum", "quorum", ""};
  e.source = "notary-enclave/" + std::string(platform_.name());
  e.subject = "notary-policy/" + manifest_->origin;
  e.outcome = ledger::Outcome::kSuccess;
  e.prior_state_hash = current.digest;
  e.new_state_hash = digest;
  e.payload_digest = ledger::Sha256::Digest(encoding);
  std::string approved_by;
  for (const ledger::Approval& a : approvals) {
    approved_by += (approved_by.empty() ? "" : ",") + a.operator_name;
  }
  e.attributes = {{"approved_by", approved_by}, {"policy_version", std::to_string(policy.version)}};
  ASSIGN_OR_RETURN(Bytes event, ledger::EncodeEvent(e));
  ASSIGN_OR_RETURN(Bytes stamp, ledger::MakeStamp(manifest_->origin, event, *stamp_signer_));
  std::vector<ledger::SubmittedEvent> batch{{std::move(event), std::move(stamp)}};
  std::vector<ledger::state_map::Proof> map_proofs;
  if (sequencer_->keeps_state_map()) {
    ASSIGN_OR_RETURN(auto proof, ledger::state_map::Proof::Decode(ledger::AsBytes(request.map_proof())));
    map_proofs.push_back(std::move(proof));
  }

  // The entry's checkpoint already carries the new line; on any failure the
  // old policy stays in force.
  ledger::SubmitterPolicy old_policy = sequencer_->policy();
  std::string old_line = sequencer_->checkpoint_extension();
  sequencer_->SetPolicy(std::move(enforced), ledger::PolicyExtensionLine(policy.version, digest));
  auto sequenced =
      sequencer_->Sequence(request.expected_size(), expected_root, batch, map_proofs);
  if (!sequenced.ok()) {
    sequencer_->SetPolicy(std::move(old_policy), std::move(old_line));
    return sequenced.status();
  }
  return Finish(std::move(sequenced).value());
}

}  // namespace notary
