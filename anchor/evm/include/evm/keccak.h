// Keccak-256 as Ethereum uses it (padding 0x01). The implementation is in the
// core (ledger/crypto/keccak.h) because the notary needs it for registry statements;
// the EVM client uses that one under its own namespace.
#pragma once

#include "evm/types.h"
#include "ledger/crypto/keccak.h"

namespace anchor::evm {

using ledger::Keccak256;

}  // namespace anchor::evm
