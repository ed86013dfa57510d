// ledgerd's state routes (schemas/formats/map.md §5, §9):
//   POST /v1/state/{subject}          compare-and-swap a subject's state
//   GET  /v1/state/{subject}          latest entry + map proof, or absence
//   GET  /v1/state/{subject}/history  every entry naming the subject
// A subject holds '/' ("key/k-1"): the path is matched after percent-
// decoding, and a trailing "/history" always means the history route.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>

#include "ledger/base/status.h"
#include "ledger/ledgerd/batcher.h"
#include "ledger/ledgerd/witnessing.h"
#include "ledger/store/log_store.h"

namespace ledger::ledgerd {

// What the routes need from the server; pointers owned by it.
struct StateRouteDeps {
  store::LogStore* store = nullptr;  // null when the store did not open
  Batcher* batcher = nullptr;
  // Set when the manifest requires witnesses: answers are then released
  // only up to the quorum-cosigned size, and a new entry's answer waits
  // for it as POST /v1/entries does.
  Witnessing* witnessing = nullptr;
  std::chrono::milliseconds witness_timeout{5000};
  size_t max_body = 8 << 20;
  std::function<Status()> health;                  // why appends are off
  std::function<void(const Status&)> on_read_error;  // sticky corruption
};

void AddStateRoutes(httplib::Server& http, StateRouteDeps deps);

}  // namespace ledger::ledgerd
