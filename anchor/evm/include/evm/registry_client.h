// Talking to a deployed AnchorRegistry: deploy, check the code at an
// address, register and re-key a log, read the last anchored head, anchor.
// Nothing is reported as anchored unless a successful receipt from the
// expected contract carries the Anchored event for exactly the statement
// sent.
//
// Thread-safety: as Payer and rpc::Client (one per thread).
#pragma once

#include <vector>

#include "evm/payer.h"
#include "evm/registry.h"
#include "evm/rpc_client.h"

namespace anchor::evm::registry {

// Deploys the committed bytecode; the new contract's address.
Result<Address> Deploy(Payer& payer);

// FailedPrecondition("registry_code_mismatch") unless the code at `contract`
// is exactly the committed runtime bytecode (a wrong address, another
// contract, or nothing deployed there).
Status CheckCode(rpc::Client& rpc, const Address& contract);

Result<rpc::Receipt> Register(Payer& payer, const Address& contract, const Hash& log_id,
                              const Address& notary);
// Sends rekey(...) with the current registry key's signature over `r`.
Result<rpc::Receipt> Rekey(Payer& payer, const Address& contract, const RekeyStatement& r,
                           ByteView signature_rsv);
// The nonce the log's next RekeyStatement must carry.
Result<uint32_t> RekeyNonce(rpc::Client& rpc, const Address& contract, const Hash& log_id);

Result<AnchoredHead> Latest(rpc::Client& rpc, const Address& contract, const Hash& log_id,
                            const rpc::BlockTag& at = {});

struct Anchoring {
  rpc::Receipt receipt;
  AnchoredEvent event;
};
// Sends anchor(...) and waits for the receipt. Reverts come back with the
// contract's custom error as the reason (RevertReason).
Result<Anchoring> Anchor(Payer& payer, const Address& contract, const Statement& statement,
                         const std::vector<Hash>& consistency_proof, ByteView signature_rsv);
// Checks a receipt of an anchor transaction: success, emitted by `contract`,
// and an Anchored event equal to `statement`
// (VerificationFailed("anchor_event_missing") otherwise).
Result<AnchoredEvent> FindAnchoredEvent(const rpc::Receipt& receipt, const Address& contract,
                                        const Statement& statement);

}  // namespace anchor::evm::registry
