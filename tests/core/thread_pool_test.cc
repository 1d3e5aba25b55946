#include "core/thread_pool.h"

#include <atomic>
#include <stdexcept>

#include <gtest/gtest.h>

namespace metarl {
namespace {

TEST(ThreadPool, EveryIndexRunsExactlyOnceInContiguousChunks) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    for (std::int64_t n : {0, 1, 2, 7, 100, 1001}) {
      std::vector<std::atomic<int>> hits(n);
      std::atomic<int> chunks{0};
      pool.ParallelFor(n, [&](std::int64_t begin, std::int64_t end) {
        ASSERT_LT(begin, end);
        ++chunks;
        for (std::int64_t i = begin; i < end; ++i) ++hits[i];
      });
      for (std::int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "n=" << n << " i=" << i;
      EXPECT_LE(chunks.load(), threads);
    }
  }
}

TEST(ThreadPool, ExceptionFromAWorkerChunkReachesTheCaller) {
  ThreadPool pool(3);
  EXPECT_THROW(pool.ParallelFor(30,
                                [](std::int64_t begin, std::int64_t) {
                                  if (begin > 0) throw std::runtime_error("worker failed");
                                }),
               std::runtime_error);
  // The pool is still usable afterwards.
  std::atomic<int> total{0};
  pool.ParallelFor(30, [&](std::int64_t b, std::int64_t e) { total += static_cast<int>(e - b); });
  EXPECT_EQ(total.load(), 30);
}

TEST(ThreadPool, ManyShortJobsDoNotDeadlock) {
  ThreadPool pool(2);
  std::atomic<std::int64_t> total{0};
  for (int i = 0; i < 20000; ++i) {
    pool.ParallelFor(4, [&](std::int64_t b, std::int64_t e) { total += e - b; });
  }
  EXPECT_EQ(total.load(), 80000);
}

TEST(ThreadPool, RejectsZeroThreads) { EXPECT_THROW(ThreadPool(0), std::invalid_argument); }

}  // namespace
}  // namespace metarl
