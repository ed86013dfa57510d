// ledgerd's anchoring routes (ledger/ledgerd/README.md, "Anchoring"): the
// notary's registry-statement signature for the current head, with a
// consistency proof from the last anchored size, for anchord.
#pragma once

#include <httplib.h>

#include "ledger/ledgerd/batcher.h"
#include "ledger/store/log_store.h"

namespace ledger::ledgerd {

// POST /v1/anchor/statement. `store` and `batcher` outlive the server.
void AnchorRoutes(httplib::Server& http, const store::LogStore* store, Batcher* batcher);

}  // namespace ledger::ledgerd
