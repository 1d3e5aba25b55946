#pragma once
// Which tasks of a meta-batch one process holds when the batch is spread over
// the ranks of a distributed job (core/communicator.h), and the rule that
// assigns them. Shared by the MAML family (task chunks) and the few-shot
// learners (chunks of one task).

#include <cstdint>

namespace metarl {

class Communicator;  // core/communicator.h

// Tasks [first, first + count) of a meta-batch of `total`. The default: the
// whole batch, no job.
struct TaskShard {
  int64_t first = 0;
  int64_t count = 0;  // 0 with total 0 (the whole batch)
  int64_t total = 0;  // tasks in the whole meta-batch; 0 = the whole batch is here
  const Communicator* comm = nullptr;  // the job; null = this process alone
  bool distributed() const;            // comm has more than one rank
};

// The calling rank's shard of a meta-batch of `total` tasks cut into chunks
// of tasks_per_chunk: rank r of N takes chunks [r·C/N, (r+1)·C/N) of the C
// chunks, so the ranks hold consecutive whole chunks in rank order and every
// task exactly once. std::invalid_argument when C < N (a rank would have no
// task), naming meta-batch-size and tasks-per-chunk.
TaskShard ShardTasks(int64_t total, int tasks_per_chunk, const Communicator& comm);

}  // namespace metarl
