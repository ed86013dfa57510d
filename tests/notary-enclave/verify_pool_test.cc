// VerifyPool: every index exactly once, on the pool's threads, call after
// call; a throwing body is rethrown to the caller after every thread stopped.
#include "notary/verify_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace notary {
namespace {

TEST(VerifyPoolTest, RunsEveryIndexOnceForAnySizeAndThreadCount) {
  for (size_t threads : {0, 1, 2, 5}) {
    VerifyPool pool(threads);
    EXPECT_EQ(pool.threads(), std::max<size_t>(threads, 1));
    for (size_t n : {0, 1, 2, 15, 16, 17, 1000, 10000}) {
      std::vector<std::atomic<int>> hits(n);
      pool.ParallelFor(n, [&](size_t i) { hits[i].fetch_add(1); });
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << threads << " " << n << " " << i;
    }
  }
}

TEST(VerifyPoolTest, UsesItsThreadsAndOnlyThem) {
  VerifyPool pool(3);
  std::mutex mu;
  std::set<std::thread::id> seen;
  for (int round = 0; round < 50; ++round) {
    pool.ParallelFor(4096, [&](size_t) {
      std::lock_guard<std::mutex> l(mu);
      seen.insert(std::this_thread::get_id());
    });
  }
  EXPECT_LE(seen.size(), 3u);
  EXPECT_TRUE(seen.contains(std::this_thread::get_id()));  // the caller works too
}

TEST(VerifyPoolTest, AThrowingBodyIsRethrownAndThePoolStaysUsable) {
  VerifyPool pool(4);
  EXPECT_THROW(pool.ParallelFor(5000,
                                [](size_t i) {
                                  if (i == 3333) throw std::bad_alloc();
                                }),
               std::bad_alloc);
  std::atomic<size_t> sum{0};
  pool.ParallelFor(100, [&](size_t i) { sum += i; });
  EXPECT_EQ(sum.load(), 4950u);
}

}  // namespace
}  // namespace notary
