// A witness StateStore in memory, for the in-process tests: writes can be
// made to fail (a disk that stops) and records read and rewritten directly
// (tampering), which the RocksDB store does not offer.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "witness/state_store.h"

namespace anchor::witness::testing {

class MemoryStateStore : public StateStore {
 public:
  ledger::Result<std::string> Get(std::string_view origin) const override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = notes_.find(origin);
    if (it == notes_.end()) {
      return ledger::Status::NotFound("missing_key", "no state for " + std::string(origin));
    }
    return it->second;
  }
  ledger::Status Put(std::string_view origin, std::string_view note) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_writes_) return ledger::Status::Unavailable("storage_io_error", "writes fail");
    notes_.insert_or_assign(std::string(origin), std::string(note));
    return ledger::Status::Ok();
  }

  // Every write from now on fails with Unavailable.
  void FailWrites() {
    std::lock_guard<std::mutex> lock(mu_);
    fail_writes_ = true;
  }
  // Replaces the stored note of origin, bypassing the witness.
  void Overwrite(const std::string& origin, std::string note) {
    std::lock_guard<std::mutex> lock(mu_);
    notes_[origin] = std::move(note);
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> notes_;
  bool fail_writes_ = false;
};

}  // namespace anchor::witness::testing
