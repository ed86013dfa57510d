// Ethereum transactions: EIP-1559 (type 0x02), which anchord sends, and the
// EIP-155 legacy form, which only the vectors exercise (it shares RLP and the
// signature rules). Access lists are always empty here.
//
//   EIP-1559 signing hash = keccak256(0x02 || rlp([chainId, nonce,
//     maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, []]))
//   raw = 0x02 || rlp([... , [], yParity, r, s]),  tx hash = keccak256(raw)
//
// Thread-safety: pure functions and value types.
#pragma once

#include <optional>

#include "evm/signing.h"
#include "evm/types.h"

namespace anchor::evm {

struct Eip1559Tx {
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  U256 max_priority_fee_per_gas;
  U256 max_fee_per_gas;
  uint64_t gas_limit = 0;
  std::optional<Address> to;  // empty: contract creation
  U256 value;
  Bytes data;
};

struct SignedTx {
  Bytes raw;  // what eth_sendRawTransaction takes
  Hash hash;  // keccak256(raw): the transaction hash
  RecoverableSignature signature;
};

Bytes UnsignedPayload(const Eip1559Tx& tx);
Hash SigningHash(const Eip1559Tx& tx);
Result<SignedTx> SignTx(const Eip1559Tx& tx, ByteView secret_key);

// Parses a raw type-2 transaction (strict RLP, exactly 12 fields, empty
// access list, low s) and recovers its sender. InvalidArgument("bad_tx").
struct DecodedTx {
  Eip1559Tx tx;
  RecoverableSignature signature;
  Address sender;
  Hash hash;
};
Result<DecodedTx> DecodeSignedTx(ByteView raw);

// EIP-155 legacy transaction (v = chainId * 2 + 35 + recid).
struct LegacyTx {
  uint64_t nonce = 0;
  U256 gas_price;
  uint64_t gas_limit = 0;
  std::optional<Address> to;
  U256 value;
  Bytes data;
  uint64_t chain_id = 0;
};
Hash LegacySigningHash(const LegacyTx& tx);
Result<SignedTx> SignLegacyTx(const LegacyTx& tx, ByteView secret_key);

}  // namespace anchor::evm
