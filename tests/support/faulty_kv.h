// A Kv that fails writes on command, for the tests that show a failed write
// leaves the log (or the witness state) as it was.
#pragma once

#include <atomic>
#include <memory>

#include "ledger/store/kv_wrapper.h"

namespace ledger::testing {

class FaultyKv : public store::KvWrapper {
 public:
  using store::KvWrapper::KvWrapper;

  // The next `n` writes go through, then every write fails with
  // Unavailable("injected_fault"); -1 lets every write through.
  void FailWritesAfter(int n) { writes_left_ = n; }

  Status Write(const store::WriteBatch& batch) override {
    int left = writes_left_.load();
    if (left == 0) return Status::Unavailable("injected_fault", "write failure (injected)");
    if (left > 0) writes_left_ = left - 1;
    return KvWrapper::Write(batch);
  }

 private:
  std::atomic<int> writes_left_{-1};
};

}  // namespace ledger::testing
