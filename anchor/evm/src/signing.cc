// The EVM client's view of secp256k1 and EIP-191/712: thin adapters from the
// core's primitives (ledger/crypto/eth_signature.h, ledger/trust/registry_statement.h) to
// the client's Address and U256 types.
#include "evm/signing.h"

#include <string>

#include "evm/keccak.h"

namespace anchor::evm {

Result<Address> RecoverAddress(const Hash& digest, const RecoverableSignature& sig) {
  ASSIGN_OR_RETURN(ledger::EthAddress a, ledger::RecoverEthAddress(digest, sig));
  return Address::FromBytes(a);
}

Result<Address> AddressFromPublicKey(ByteView sec1) {
  ASSIGN_OR_RETURN(ledger::EthAddress a, ledger::EthAddressFromPublicKey(sec1));
  return Address::FromBytes(a);
}

Result<Address> AddressFromSecretKey(ByteView secret_key) {
  ASSIGN_OR_RETURN(ledger::EthAddress a, ledger::EthAddressFromSecretKey(secret_key));
  return Address::FromBytes(a);
}

Hash PersonalMessageHash(ByteView message) {
  Keccak256 k;
  k.Update("\x19" "Ethereum Signed Message:\n");
  k.Update(std::to_string(message.size()));
  k.Update(message);
  return k.Final();
}

Hash Eip712DomainSeparator(std::string_view name, std::string_view version, const U256& chain_id,
                           const Address& verifying_contract) {
  return ledger::registry::Eip712DomainSeparator(name, version, chain_id.be,
                                                 verifying_contract.bytes);
}

}  // namespace anchor::evm
