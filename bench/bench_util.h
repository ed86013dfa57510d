// Shared pieces of the benchmarks: a scratch folder and 256-byte events.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "ledger/base/hash.h"
#include "ledger/record/event.h"

namespace ledger::bench {

inline std::filesystem::path ScratchDir(const std::string& name) {
  auto base = std::filesystem::path(std::getenv("LEDGER_BENCH_DIR") ? std::getenv("LEDGER_BENCH_DIR")
                                                                    : "/tmp");
  auto p = base / ("ledger-bench-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  return p;
}

inline constexpr size_t kEventBytes = 256;

// A realistic event padded with an attribute to exactly kEventBytes encoded.
inline Bytes Event256(uint64_t n) {
  Event e;
  e.kind = EventKind::kSignatureProduced;
  e.event_id = "evt-" + std::to_string(n);
  e.request_id = "req-" + std::to_string(n);
  e.occurred_at_us = 1'700'000'000'000'000ull + n;
  e.actor.type = "service";
  e.actor.id = "signer-svc";
  e.subject = "key/k-" + std::to_string(n % 1000);
  // No new_state_hash: it would be a compare-and-swap (map.md §5), and these
  // events name each subject many times without a prior state.
  Bytes base = EncodeEvent(e).value();
  // Attribute field = tag(1) + len(2) + keylen(2) + key("pad", 3) + value.
  size_t overhead = 1 + 2 + 2 + 3;
  e.attributes.push_back({"pad", std::string(kEventBytes - base.size() - overhead, 'x')});
  return EncodeEvent(e).value();
}

}  // namespace ledger::bench
