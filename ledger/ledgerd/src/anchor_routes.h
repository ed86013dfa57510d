// ledgerd's anchoring routes (ledger/ledgerd/README.md, "Anchoring"): the
// notary's registry-statement signature for the current head, with a
// consistency proof from the last anchored size, for anchord.
#pragma once

#include <httplib.h>

#include "ledger/ledgerd/api_tokens.h"
#include "ledger/ledgerd/batcher.h"
#include "ledger/store/log_store.h"

namespace ledger::ledgerd {

// POST /v1/anchor/statement for the callers `tokens` authenticates (HTTP
// Basic): 401 unauthenticated for anyone else; with no tokens (anchoring
// off) 409 anchor_not_configured. `store`, `batcher` and `tokens` outlive
// the server.
void AnchorRoutes(httplib::Server& http, const store::LogStore* store, Batcher* batcher,
                  const ApiTokens* tokens);

}  // namespace ledger::ledgerd
