// Helpers shared by the enclave's source files (not part of its interface).
#pragma once

#include "ledger/base/status.h"
#include "ledger/crypto/ed25519.h"

namespace notary {

// A second handle on the same Ed25519 key (the seed copy is cleansed), for
// the one place that needs two owners: the sequencer's signer and the stamp
// signer of the ENCLAVE_BOOTED entry.
ledger::Result<ledger::Ed25519PrivateKey> CopyKey(const ledger::Ed25519PrivateKey& key);

}  // namespace notary
