#include "core/task_shard.h"

#include <algorithm>

#include "core/communicator.h"
#include "core/error.h"

namespace metarl {

bool TaskShard::distributed() const { return comm != nullptr && comm->size() > 1; }

TaskShard ShardTasks(int64_t total, int tasks_per_chunk, const Communicator& comm) {
  METARL_REQUIRE(tasks_per_chunk >= 1, "tasks-per-chunk = ", tasks_per_chunk, ": expected an integer >= 1");
  const int64_t chunks = (total + tasks_per_chunk - 1) / tasks_per_chunk;
  const int64_t ranks = comm.size();
  METARL_REQUIRE(tasks_per_chunk > 1 || total >= ranks, "meta-batch-size = ", total, " is fewer than the job's ",
                 ranks, " MPI ranks (each rank needs at least one task): raise meta-batch-size or run fewer ranks");
  METARL_REQUIRE(chunks >= ranks, "meta-batch-size = ", total, " with tasks-per-chunk = ", tasks_per_chunk,
                 " makes ", chunks, " task chunk(s), fewer than the job's ", ranks,
                 " MPI ranks (a rank takes whole chunks): lower tasks-per-chunk or run fewer ranks");
  const int64_t r = comm.rank();
  const int64_t first_chunk = r * chunks / ranks, end_chunk = (r + 1) * chunks / ranks;
  TaskShard shard;
  shard.first = first_chunk * tasks_per_chunk;
  shard.count = std::min<int64_t>(end_chunk * tasks_per_chunk, total) - shard.first;
  shard.total = total;
  shard.comm = &comm;
  return shard;
}

}  // namespace metarl
