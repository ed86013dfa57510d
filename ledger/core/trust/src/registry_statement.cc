// registry-statement.md §3-§4, byte for byte: abi.encode of static values is
// the concatenation of 32-byte big-endian words (Solidity ABI spec, "Formal
// Specification of the Encoding"), so no ABI library is needed here.
#include "ledger/trust/registry_statement.h"

#include <algorithm>

#include "ledger/crypto/keccak.h"

namespace ledger::registry {
namespace {

Word AddressWord(const EthAddress& a) {
  Word w{};
  std::copy(a.begin(), a.end(), w.begin() + 12);  // left-padded with zeros
  return w;
}

}  // namespace

Word WordFromU64(uint64_t v) {
  Word w{};
  for (size_t i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  return w;
}

Hash LogIdForOrigin(std::string_view origin) { return Sha256::Digest(origin); }

Hash StatementStructHash(const Statement& s) {
  static const Hash kTypeHash = Keccak256::Digest(kStatementType);
  Word size = WordFromU64(s.tree_size);
  Keccak256 k;
  k.Update(kTypeHash.view()).Update(s.log_id.view()).Update(ByteView(size.data(), size.size()));
  k.Update(s.root_hash.view()).Update(s.map_root.view());
  return k.Final();
}

Hash Eip712DomainSeparator(std::string_view name, std::string_view version, const Word& chain_id,
                           const EthAddress& verifying_contract) {
  static const Hash kDomainTypeHash = Keccak256::Digest(
      "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
  Word contract = AddressWord(verifying_contract);
  Keccak256 k;
  k.Update(kDomainTypeHash.view());
  k.Update(Keccak256::Digest(name).view());
  k.Update(Keccak256::Digest(version).view());
  k.Update(ByteView(chain_id.data(), chain_id.size()));
  k.Update(ByteView(contract.data(), contract.size()));
  return k.Final();
}

Hash Eip712Digest(const Hash& domain_separator, const Hash& struct_hash) {
  Keccak256 k;
  k.Update("\x19\x01");
  k.Update(domain_separator.view());
  k.Update(struct_hash.view());
  return k.Final();
}

Hash StatementDigest(uint64_t chain_id, const EthAddress& contract, const Statement& s) {
  return Eip712Digest(
      Eip712DomainSeparator(kDomainName, kDomainVersion, WordFromU64(chain_id), contract),
      StatementStructHash(s));
}

Result<std::array<uint8_t, 65>> SignStatement(ByteView registry_secret_key, uint64_t chain_id,
                                              const EthAddress& contract, const Statement& s) {
  ASSIGN_OR_RETURN(RecoverableSignature sig,
                   SignRecoverable(registry_secret_key, StatementDigest(chain_id, contract, s)));
  // libsecp256k1 signs with low s already; the contract refuses anything else.
  if (!sig.IsLowS()) return Status::Internal("high_s", "secp256k1 produced a high-s signature");
  return sig.Rsv();
}

Hash RekeyDigest(uint64_t chain_id, const EthAddress& contract, const RekeyStatement& r) {
  static const Hash kTypeHash = Keccak256::Digest(kRekeyType);
  Word address = AddressWord(r.new_notary);
  Word nonce = WordFromU64(r.nonce);
  Keccak256 k;
  k.Update(kTypeHash.view()).Update(r.log_id.view());
  k.Update(ByteView(address.data(), address.size())).Update(ByteView(nonce.data(), nonce.size()));
  return Eip712Digest(
      Eip712DomainSeparator(kDomainName, kDomainVersion, WordFromU64(chain_id), contract),
      k.Final());
}

Result<std::array<uint8_t, 65>> SignRekey(ByteView registry_secret_key, uint64_t chain_id,
                                          const EthAddress& contract, const RekeyStatement& r) {
  ASSIGN_OR_RETURN(RecoverableSignature sig,
                   SignRecoverable(registry_secret_key, RekeyDigest(chain_id, contract, r)));
  if (!sig.IsLowS()) return Status::Internal("high_s", "secp256k1 produced a high-s signature");
  return sig.Rsv();
}

Result<EthAddress> RecoverStatementSigner(uint64_t chain_id, const EthAddress& contract,
                                          const Statement& s, ByteView signature_rsv) {
  ASSIGN_OR_RETURN(RecoverableSignature sig, RecoverableSignature::FromRsv(signature_rsv));
  return RecoverEthAddress(StatementDigest(chain_id, contract, s), sig);
}

}  // namespace ledger::registry
