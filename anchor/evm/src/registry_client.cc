// AnchorRegistry transactions and reads through a Payer and an rpc::Client.
#include "evm/registry_client.h"

namespace anchor::evm::registry {
namespace {

std::string Reason(ByteView data) { return RevertReason(data); }

bool SameStatement(const Statement& a, const Statement& b) {
  return a.log_id == b.log_id && a.tree_size == b.tree_size && a.root_hash == b.root_hash &&
         a.map_root == b.map_root;
}

}  // namespace

Result<Address> Deploy(Payer& payer) {
  ASSIGN_OR_RETURN(rpc::Receipt receipt, payer.SendAndWait(std::nullopt, CreationCode(), Reason));
  if (!receipt.contract_address) {
    return Status::VerificationFailed("rpc_malformed", "a creation receipt without an address");
  }
  return *receipt.contract_address;
}

Status CheckCode(rpc::Client& rpc, const Address& contract) {
  ASSIGN_OR_RETURN(Bytes code, rpc.GetCode(contract, rpc::BlockTag{}));
  if (code != RuntimeCode()) {
    return Status::FailedPrecondition(
        "registry_code_mismatch",
        code.empty() ? "no contract at " + contract.Hex()
                     : "the contract at " + contract.Hex() + " is not this AnchorRegistry");
  }
  return Status::Ok();
}

Result<rpc::Receipt> Register(Payer& payer, const Address& contract, const Hash& log_id,
                              const Address& notary) {
  return payer.SendAndWait(contract, RegisterCall(log_id, notary), Reason);
}

Result<rpc::Receipt> Rekey(Payer& payer, const Address& contract, const RekeyStatement& r,
                           ByteView signature_rsv) {
  return payer.SendAndWait(contract, RekeyCall(r, signature_rsv), Reason);
}

Result<uint32_t> RekeyNonce(rpc::Client& rpc, const Address& contract, const Hash& log_id) {
  ASSIGN_OR_RETURN(Bytes out, rpc.CallContract(contract, RekeyNonceCall(log_id), rpc::BlockTag{}));
  if (out.size() != 32) return Status::InvalidArgument("bad_abi", "rekeyNonce() returns one word");
  abi::Decoder dec(out);
  ASSIGN_OR_RETURN(uint64_t nonce, dec.Uint64(0));
  if (nonce > UINT32_MAX) return Status::InvalidArgument("bad_abi", "rekeyNonce() above uint32");
  return static_cast<uint32_t>(nonce);
}

Result<AnchoredHead> Latest(rpc::Client& rpc, const Address& contract, const Hash& log_id,
                            const rpc::BlockTag& at) {
  ASSIGN_OR_RETURN(Bytes out, rpc.CallContract(contract, LatestCall(log_id), at));
  return DecodeLatest(out);
}

Result<AnchoredEvent> FindAnchoredEvent(const rpc::Receipt& receipt, const Address& contract,
                                        const Statement& statement) {
  for (const rpc::Log& log : receipt.logs) {
    if (log.address != contract) continue;
    ASSIGN_OR_RETURN(auto event, DecodeAnchored(log));
    if (event && SameStatement(event->statement, statement)) return *std::move(event);
  }
  return Status::VerificationFailed("anchor_event_missing",
                                    "the receipt of " + receipt.tx_hash.Hex() +
                                        " carries no Anchored event for this statement");
}

Result<Anchoring> Anchor(Payer& payer, const Address& contract, const Statement& statement,
                         const std::vector<Hash>& consistency_proof, ByteView signature_rsv) {
  ASSIGN_OR_RETURN(rpc::Receipt receipt,
                   payer.SendAndWait(contract, AnchorCall(statement, consistency_proof, signature_rsv),
                                     Reason));
  ASSIGN_OR_RETURN(AnchoredEvent event, FindAnchoredEvent(receipt, contract, statement));
  return Anchoring{std::move(receipt), std::move(event)};
}

}  // namespace anchor::evm::registry
