// ANCHOR_CONFIRMED verification (see verify/verify_anchor.h).
#include "verify/verify_anchor.h"

#include "evm/registry_client.h"
#include "ledger/note/checkpoint.h"
#include "ledger/record/leaf.h"
#include "ledger/record/state_map.h"
#include "ledger/timestamp/token.h"
#include "ledger/trust/registry_statement.h"

namespace anchor::verify {
namespace {

using anchord::AnchorRecord;
using ledger::Hash;
using ledger::Result;
using ledger::Status;

Status Refuse(std::string reason, std::string message) {
  return Status::VerificationFailed(std::move(reason), std::move(message));
}

}  // namespace

Result<AnchorVerification> VerifyAnchorEntry(ledger::ByteView leaf_bytes,
                                             const VerifyAnchorOptions& options) {
  if (options.log_key == nullptr) {
    return Status::InvalidArgument("missing_vkey", "the log's verifier key is required");
  }
  // Unpinned, the recorded evidence would name its own signer, chain and
  // contract, and anything self-consistent would pass.
  if (!options.notary || !options.chain_id || !options.contract) {
    return Status::InvalidArgument(
        "missing_pins", "pin the notary registry address and the registry's chain id and contract");
  }
  ASSIGN_OR_RETURN(ledger::Leaf leaf, ledger::DecodeLeaf(leaf_bytes));
  ASSIGN_OR_RETURN(ledger::Event event, ledger::DecodeEvent(leaf.event));
  ASSIGN_OR_RETURN(AnchorRecord r, anchord::ParseAnchorEvent(event));
  AnchorVerification out;

  // The recorded checkpoint is the anchored head, signed by the log key.
  ASSIGN_OR_RETURN(ledger::VerifiedCheckpoint cp,
                   ledger::VerifyCheckpoint(r.checkpoint, *options.log_key));
  ASSIGN_OR_RETURN(std::optional<Hash> map_line,
                   ledger::state_map::FindRoot(cp.checkpoint.extensions));
  if (cp.checkpoint.size != r.statement.tree_size || cp.checkpoint.root != r.statement.root_hash ||
      map_line.value_or(Hash{}) != r.statement.map_root) {
    return Refuse("anchor_checkpoint_mismatch",
                  "the recorded checkpoint is not the anchored (size, root, map root)");
  }
  if (evm::registry::LogIdForOrigin(cp.checkpoint.origin) != r.statement.log_id) {
    return Refuse("anchor_wrong_log", "the anchored log id is not this log's");
  }
  if (*options.chain_id != r.chain_id || *options.contract != r.contract) {
    return Refuse("anchor_wrong_registry", "anchored on chain " + std::to_string(r.chain_id) +
                                               " contract " + r.contract.Hex() +
                                               ", not the pinned registry");
  }
  ASSIGN_OR_RETURN(ledger::EthAddress signer,
                   ledger::registry::RecoverStatementSigner(r.chain_id, r.contract.bytes,
                                                            r.statement, r.signature));
  out.signer.bytes = signer;
  if (*options.notary != out.signer) {
    return Refuse("anchor_wrong_signer", "the statement recovers to " + out.signer.Hex() +
                                             ", not the pinned notary " + options.notary->Hex());
  }
  out.record = r;
  if (!r.timestamp_token.empty() && !options.tsa_ca_pem.empty()) {
    ASSIGN_OR_RETURN(auto info, ledger::timestamp::VerifyToken(r.timestamp_token,
                                                               anchord::TimestampDigest(r),
                                                               options.tsa_ca_pem));
    out.timestamp_verified = true;
    out.timestamp_gen_time = info.gen_time_unix;
  }
  if (options.rpc == nullptr) return out;

  evm::rpc::Client& rpc = *options.rpc;
  RETURN_IF_ERROR(rpc.ExpectChainId(r.chain_id));
  RETURN_IF_ERROR(evm::registry::CheckCode(rpc, r.contract));
  ASSIGN_OR_RETURN(auto receipt, rpc.GetTransactionReceipt(r.tx_hash));
  if (!receipt) return Refuse("anchor_not_on_chain", "no receipt for " + r.tx_hash.Hex());
  if (receipt->block_number != r.block_number || receipt->block_hash != r.block_hash) {
    return Refuse("anchor_block_mismatch", "the transaction is in another block than recorded");
  }
  ASSIGN_OR_RETURN(evm::registry::AnchoredEvent ev,
                   evm::registry::FindAnchoredEvent(*receipt, r.contract, r.statement));
  if (ev.notary != out.signer) {
    return Refuse("anchor_wrong_signer", "the contract accepted the head from " + ev.notary.Hex());
  }
  evm::rpc::BlockTag at;
  at.number = r.block_number;
  ASSIGN_OR_RETURN(auto block, rpc.GetBlockByNumber(at));
  if (!block || block->hash != r.block_hash) {
    return Refuse("anchor_reorged", "block " + std::to_string(r.block_number) +
                                        " is no longer the recorded one");
  }
  ASSIGN_OR_RETURN(uint64_t head, rpc.BlockNumber());
  out.online = true;
  out.confirmations = head >= r.block_number ? head - r.block_number + 1 : 0;
  return out;
}

}  // namespace anchor::verify
