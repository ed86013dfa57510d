// Bindings of anchor/contracts/AnchorRegistry.sol: the EIP-712 statement the
// notary signs (schemas/formats/registry-statement.md), the calls, the
// events, the custom errors (as stable reasons) and the committed bytecode.
//
// Thread-safety: pure functions and value types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evm/abi.h"
#include "evm/rpc_answer.h"
#include "evm/types.h"
#include "ledger/trust/registry_statement.h"

namespace anchor::evm::registry {

// The statement and its digest are the core's (ledger/trust/registry_statement.h):
// the notary signs them; this is the contract's side.
using ledger::registry::kDomainName;
using ledger::registry::kDomainVersion;
using ledger::registry::kStatementType;
using ledger::registry::LogIdForOrigin;
using ledger::registry::RekeyStatement;
using ledger::registry::Statement;
using ledger::registry::StatementStructHash;

// Where a statement is valid: one registry contract on one chain.
struct Domain {
  uint64_t chain_id = 0;
  Address contract;
};

inline Hash StatementDigest(const Domain& d, const Statement& s) {
  return ledger::registry::StatementDigest(d.chain_id, d.contract.bytes, s);
}
inline Hash RekeyDigest(const Domain& d, const RekeyStatement& r) {
  return ledger::registry::RekeyDigest(d.chain_id, d.contract.bytes, r);
}

// Calldata.
Bytes RegisterCall(const Hash& log_id, const Address& notary);
// rekey(logId, newNotary, signature): the signature is the current registry
// key's over the RekeyStatement (r.nonce must be the contract's rekeyNonce).
Bytes RekeyCall(const RekeyStatement& r, ByteView signature_rsv);
Bytes RekeyNonceCall(const Hash& log_id);
Bytes LatestCall(const Hash& log_id);
Bytes AnchorCall(const Statement& s, const std::vector<Hash>& consistency_proof,
                 ByteView signature_rsv);

struct AnchoredHead {
  Address notary;  // zero: no such log
  uint64_t tree_size = 0;
  Hash root_hash;
};
Result<AnchoredHead> DecodeLatest(ByteView return_data);

// Anchored(bytes32 indexed logId, uint64 treeSize, bytes32 rootHash, bytes32 mapRoot, address notary)
Hash AnchoredTopic();
Hash LogRegisteredTopic();
Hash NotaryRekeyedTopic();
struct AnchoredEvent {
  Statement statement;
  Address notary;
  rpc::Log log;  // where it was emitted
};
// nullopt when `log` is not an Anchored event; bad_abi when it claims to be
// one but its data is malformed.
Result<std::optional<AnchoredEvent>> DecodeAnchored(const rpc::Log& log);

// The stable reason of a revert: "registry_" + the custom error in snake
// case (registry_wrong_signer, registry_size_not_growing,
// registry_inconsistent_head, ...), or "registry_reverted" when the data
// names no error of the contract.
std::string RevertReason(ByteView revert_data);

// The bytecode compiled by anchor/contracts/compile.sh, embedded at build time.
Bytes CreationCode();
Bytes RuntimeCode();

}  // namespace anchor::evm::registry
