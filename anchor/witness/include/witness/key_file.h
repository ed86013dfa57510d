// The witness's signing key file: the hex Ed25519 seed and "\n", mode 0600.
// A witness is an independent party; its key is created on its own machine
// (`witness keygen`) and never leaves it.
//
// Thread-safety: free functions.
#pragma once

#include <string>

#include "ledger/base/status.h"
#include "ledger/crypto/ed25519.h"

namespace anchor::witness {

// Creates path with mode 0600 from the start (never replaces a file) and
// writes a fresh key's seed. Returns the key.
// FailedPrecondition("write_failed") if the file exists or cannot be created.
ledger::Result<ledger::Ed25519PrivateKey> GenerateKeyFile(const std::string& path);

// InvalidArgument("bad_key_file") unless the file holds one hex seed and is
// not readable by group or others; NotFound("missing_file") if absent.
ledger::Result<ledger::Ed25519PrivateKey> ReadKeyFile(const std::string& path);

}  // namespace anchor::witness
