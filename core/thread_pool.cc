#include "core/thread_pool.h"

#include "core/error.h"

namespace metarl {

ThreadPool::ThreadPool(int num_threads) {
  METARL_REQUIRE(num_threads >= 1, "threads = ", num_threads, ": expected an integer >= 1");
  workers_.reserve(num_threads - 1);
  for (int i = 1; i < num_threads; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::RunChunk(int chunk) {
  const std::int64_t parts = num_threads();
  const std::int64_t begin = job_n_ * chunk / parts;
  const std::int64_t end = job_n_ * (chunk + 1) / parts;
  if (begin >= end) return;
  try {
    (*job_)(begin, end);
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error_) error_ = std::current_exception();
  }
}

void ThreadPool::WorkerLoop(int index) {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    RunChunk(index);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }
}

void ThreadPool::ParallelFor(std::int64_t n,
                             const std::function<void(std::int64_t, std::int64_t)>& fn) {
  if (n <= 0) return;
  job_ = &fn;
  job_n_ = n;
  error_ = nullptr;
  if (!workers_.empty()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending_ = static_cast<int>(workers_.size());
      ++generation_;
    }
    start_cv_.notify_all();
  }
  RunChunk(0);
  if (!workers_.empty()) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_cv_.wait(lock, [&] { return pending_ == 0; });
  }
  job_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

}  // namespace metarl
