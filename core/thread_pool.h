#pragma once
// A fixed pool of worker threads for data-parallel loops.
//
// ParallelFor(n, fn) splits [0, n) into `num_threads()` contiguous chunks (a
// static partition: chunk boundaries depend only on n and the thread count) and
// calls fn(begin, end) once per non-empty chunk; the calling thread runs chunk 0.
// It returns when every chunk is done. The first exception thrown by any chunk
// is rethrown in the caller after all chunks finished.
// Thread-safety: ParallelFor must not be called concurrently on one pool, nor
// from inside fn.

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace metarl {

class ThreadPool {
 public:
  // num_threads >= 1 counts the calling thread: a pool of 1 spawns no threads.
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }
  void ParallelFor(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& fn);

 private:
  void WorkerLoop(int index);
  void RunChunk(int chunk);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_cv_;
  std::condition_variable done_cv_;
  std::uint64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
  // The job of the current generation.
  const std::function<void(std::int64_t, std::int64_t)>* job_ = nullptr;
  std::int64_t job_n_ = 0;
  std::exception_ptr error_;
};

}  // namespace metarl
