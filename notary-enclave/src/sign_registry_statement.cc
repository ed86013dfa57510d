// SignRegistryStatement (see notary/enclave.h and notary.proto).
//
// The registry contract accepts a head only with the notary's signature over
// the EIP-712 statement (schemas/formats/registry-statement.md); whoever
// submits the transaction only pays gas. The notary therefore signs only
// what it holds itself: its current head (size, root, and the map root its
// checkpoint's "map" line commits to), for the chain and contract the
// operators approved in the manifest. A host asking for any other size or
// root (an old head, a fork) gets head_mismatch, so a compromised host can
// obtain a statement for nothing the notary did not sign as a checkpoint.
#include "ledger/trust/registry_statement.h"
#include "notary/enclave.h"

namespace notary {

using ledger::Result;
using ledger::Status;

Result<pb::RegistryStatementSignature> Enclave::SignRegistryStatement(
    const pb::SignRegistryStatement& request) {
  RETURN_IF_ERROR(RequireServing());
  if (!manifest_->registry_chain_id || !manifest_->registry_address) {
    return Status::FailedPrecondition("registry_not_configured",
                                      "the manifest names no registry chain and contract");
  }
  ASSIGN_OR_RETURN(ledger::Hash root, ledger::Hash::FromBytes(ledger::AsBytes(request.root_hash())));
  const ledger::LogHead& head = sequencer_->head();
  if (request.tree_size() != head.size() || root != head.range.Root()) {
    return Status::FailedPrecondition("head_mismatch",
                                      "the statement asked for (size " +
                                          std::to_string(request.tree_size()) +
                                          ") is not the notary's head (size " +
                                          std::to_string(head.size()) + ")");
  }
  ledger::registry::Statement statement;
  statement.log_id = ledger::registry::LogIdForOrigin(manifest_->origin);
  statement.tree_size = head.size();
  statement.root_hash = root;
  // The sequencer's map root is the one its head's map line carries
  // (Sequencer: Restore takes it from that line, Sequence writes it there).
  if (sequencer_->keeps_state_map()) statement.map_root = head.map_root;
  const uint64_t chain_id = *manifest_->registry_chain_id;
  const ledger::EthAddress& contract = *manifest_->registry_address;
  ASSIGN_OR_RETURN(auto signature,
                   ledger::registry::SignStatement(registry_key_->secret_key, chain_id, contract,
                                                   statement));
  pb::RegistryStatementSignature out;
  out.set_tree_size(statement.tree_size);
  out.set_root_hash(std::string(ledger::AsString(statement.root_hash.view())));
  out.set_map_root(std::string(ledger::AsString(statement.map_root.view())));
  out.set_chain_id(chain_id);
  out.set_contract(std::string(contract.begin(), contract.end()));
  out.set_signature(std::string(signature.begin(), signature.end()));
  out.set_checkpoint_note(head.checkpoint_note);
  return out;
}

}  // namespace notary
