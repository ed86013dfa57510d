// The notary's verification threads: a fixed pool that runs the per-event
// checks of a batch (SequencerOptions::parallel_for) on every core the
// enclave has, while the state machine itself stays on one thread.
//
// The count comes from the command line (--verify-threads) and never
// changes; the caller's thread is one of them, so a pool of 1 starts no
// thread and runs the loop inline. Indices are handed out in small chunks
// from one atomic counter, so an uneven batch (Ed25519 next to P-256
// stamps) keeps every thread busy until the end.
//
// Thread-safety: ParallelFor is called from one thread at a time (the
// enclave's); body runs concurrently on up to threads() threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace notary {

class VerifyPool {
 public:
  // At least 1 (values below are taken as 1).
  explicit VerifyPool(size_t threads);
  ~VerifyPool();
  VerifyPool(const VerifyPool&) = delete;
  VerifyPool& operator=(const VerifyPool&) = delete;

  size_t threads() const { return workers_.size() + 1; }

  // body(i) for every i in [0, n); returns when all have run. The first
  // exception any call threw is rethrown here, after every thread stopped.
  void ParallelFor(size_t n, const std::function<void(size_t)>& body);

 private:
  void Worker();
  void RunChunks();

  std::mutex mu_;
  std::condition_variable start_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  const std::function<void(size_t)>* body_ = nullptr;
  size_t n_ = 0;
  std::atomic<size_t> next_{0};
  size_t running_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace notary
