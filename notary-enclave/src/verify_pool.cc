// VerifyPool (notary/verify_pool.h).
#include "notary/verify_pool.h"

#include <algorithm>

namespace notary {
namespace {

// Events per grab: large enough that the counter is not contended, small
// enough that the last chunks spread over every thread.
constexpr size_t kChunk = 16;

}  // namespace

VerifyPool::VerifyPool(size_t threads) {
  for (size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { Worker(); });
}

VerifyPool::~VerifyPool() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  start_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void VerifyPool::RunChunks() {
  for (;;) {
    const size_t first = next_.fetch_add(kChunk);
    if (first >= n_) return;
    const size_t end = std::min(n_, first + kChunk);
    try {
      for (size_t i = first; i < end; ++i) (*body_)(i);
    } catch (...) {
      std::lock_guard<std::mutex> l(mu_);
      if (!error_) error_ = std::current_exception();
      next_ = n_;  // nobody starts another chunk
      return;
    }
  }
}

void VerifyPool::Worker() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> l(mu_);
      start_.wait(l, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    RunChunks();
    std::lock_guard<std::mutex> l(mu_);
    if (--running_ == 0) done_.notify_one();
  }
}

void VerifyPool::ParallelFor(size_t n, const std::function<void(size_t)>& body) {
  if (workers_.empty() || n < 2) {
    for (size_t i = 0; i < n; ++i) body(i);
    return;
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    body_ = &body;
    n_ = n;
    next_ = 0;
    running_ = workers_.size();
    error_ = nullptr;
    ++generation_;
  }
  start_.notify_all();
  RunChunks();
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> l(mu_);
    done_.wait(l, [&] { return running_ == 0; });
    body_ = nullptr;
    error = error_;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace notary
