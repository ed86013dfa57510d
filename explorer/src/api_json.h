// JSON forms of what the API serves: entries (decoded, with their exact leaf
// bytes), receipts, checkpoints with their signature lines, and query
// parameter parsing with stable error reasons.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ledger/store/log_store.h"

namespace explorer {

// An entry, verified by LogStore::GetLeaf against the latest checkpoint:
// index, recorded_at, leaf (base64 and hex), leaf_hash, prev_leaf_hash, the
// decoded event and its canonical bytes, the stamp's key, the payload's
// retention state; with `receipt`, also the inclusion proof, the checkpoint
// it is against and the C2SP tlog-proof text.
ledger::Result<nlohmann::json> EntryJson(const ledger::store::LogStore& store, uint64_t index,
                                         bool receipt);

// A signed checkpoint note: origin, size, root (hex and base64), the note
// verbatim and its signature lines (name, key id) for the client to check
// against the keys it pins.
ledger::Result<nlohmann::json> CheckpointJson(std::string_view note);

// A decimal query parameter in [min, max], `fallback` when absent.
// InvalidArgument(reason) otherwise.
ledger::Result<uint64_t> U64Param(const httplib::Request& req, const std::string& name,
                                  uint64_t fallback, uint64_t min, uint64_t max,
                                  const std::string& reason);
std::optional<std::string> StringParam(const httplib::Request& req, const std::string& name);
// Refuses parameters the route does not know (a typo must not silently
// widen a search): InvalidArgument("unknown_parameter").
ledger::Status OnlyParams(const httplib::Request& req, std::initializer_list<const char*> known);

}  // namespace explorer
