// The registry statement: what the notary signs so that the AnchorRegistry
// contract accepts a head (schemas/formats/registry-statement.md), as an
// EIP-712 typed-data digest, and the EIP-712 helpers it is built from.
//
// In the core because the notary computes and signs it (and must not depend
// on anchor/); anchor::evm::registry and the verifiers use the same code.
//
// Thread-safety: pure functions and value types.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/crypto/eth_signature.h"

namespace ledger::registry {

inline constexpr std::string_view kDomainName = "AuditLedgerAnchorRegistry";
inline constexpr std::string_view kDomainVersion = "1";
inline constexpr std::string_view kStatementType =
    "AnchorStatement(bytes32 logId,uint64 treeSize,bytes32 rootHash,bytes32 mapRoot)";

// registry-statement.md §6: what a log's current registry key signs to hand
// the log over to another registry address.
inline constexpr std::string_view kRekeyType =
    "Rekey(bytes32 logId,address newNotary,uint32 nonce)";

// A 256-bit big-endian word, as abi.encode writes every static value.
using Word = std::array<uint8_t, 32>;
Word WordFromU64(uint64_t v);

// What the notary signs: a head of the log identified by log_id.
struct Statement {
  Hash log_id;        // SHA-256 of the log's origin (LogIdForOrigin)
  uint64_t tree_size = 0;
  Hash root_hash;     // RFC 9162 root at tree_size
  Hash map_root;      // the verifiable map's root at this head; zero when absent
  bool operator==(const Statement&) const = default;
};

// The registry address of log_id becomes new_notary. nonce: how many times
// the log was re-keyed before (the contract's rekeyNonce), so that each
// statement is valid once.
struct RekeyStatement {
  Hash log_id;
  EthAddress new_notary{};
  uint32_t nonce = 0;
  bool operator==(const RekeyStatement&) const = default;
};

Hash LogIdForOrigin(std::string_view origin);
Hash StatementStructHash(const Statement& s);

// EIP-712 §"Definition of domainSeparator" for the four-field domain
// EIP712Domain(string name,string version,uint256 chainId,address verifyingContract).
Hash Eip712DomainSeparator(std::string_view name, std::string_view version, const Word& chain_id,
                           const EthAddress& verifying_contract);
// keccak256(0x19 0x01 || domainSeparator || hashStruct(message)).
Hash Eip712Digest(const Hash& domain_separator, const Hash& struct_hash);

// registry-statement.md §3: the digest for one registry on one chain.
Hash StatementDigest(uint64_t chain_id, const EthAddress& contract, const Statement& s);

// registry-statement.md §6: the Rekey digest for one registry on one chain,
// and its signature (as SignStatement's).
Hash RekeyDigest(uint64_t chain_id, const EthAddress& contract, const RekeyStatement& r);
Result<std::array<uint8_t, 65>> SignRekey(ByteView registry_secret_key, uint64_t chain_id,
                                          const EthAddress& contract, const RekeyStatement& r);

// registry-statement.md §4: 65 bytes r || s || v (v 27/28, low s).
Result<std::array<uint8_t, 65>> SignStatement(ByteView registry_secret_key, uint64_t chain_id,
                                              const EthAddress& contract, const Statement& s);
// The address the signature recovers to; high s is refused (high_s), a
// malformed signature is bad_signature.
Result<EthAddress> RecoverStatementSigner(uint64_t chain_id, const EthAddress& contract,
                                          const Statement& s, ByteView signature_rsv);

}  // namespace ledger::registry
