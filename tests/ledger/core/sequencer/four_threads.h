// A parallel_for for the sequencer's tests (SequencerOptions::parallel_for):
// four threads taking indices from one counter, as the notary's verification
// pool does, so checks run out of order and concurrently.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace ledger::testing {

inline void FourThreads(size_t n, const std::function<void(size_t)>& body) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < n;) body(i);
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace ledger::testing
