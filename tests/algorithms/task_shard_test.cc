// Splitting a meta-batch over the ranks of a distributed job (ShardTasks,
// SplitTasks with a shard) and the one-rank communicator. Two-rank runs are
// checked end to end in tests/mpi_cli_test.cc.

#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "algorithms/maml/meta_chunks.h"
#include "core/communicator.h"
#include "core/task_shard.h"

namespace metarl::algorithms {
namespace {

// Rank `rank` of a job of `size` for the arithmetic of the split (no collective).
class FakeCommunicator final : public Communicator {
 public:
  FakeCommunicator(int rank, int size) : rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::vector<char> AllGatherBytes(const std::vector<char>&) const override {
    throw std::logic_error("no collective in this test");
  }
  [[noreturn]] void Abort(int) const override { throw std::logic_error("no abort in this test"); }

 private:
  int rank_, size_;
};

TEST(TaskShard, RanksTakeEveryTaskExactlyOnceInWholeChunks) {
  for (int64_t total : {1, 5, 6, 7, 20, 40}) {
    for (int per_chunk : {1, 2, 3, 5, 40}) {
      const int64_t chunks = (total + per_chunk - 1) / per_chunk;
      for (int size = 1; size <= 5; ++size) {
        if (chunks < size) {
          EXPECT_THROW(ShardTasks(total, per_chunk, FakeCommunicator(0, size)), std::invalid_argument);
          continue;
        }
        std::vector<int> owners(total, 0);
        int64_t expected_first = 0;
        for (int r = 0; r < size; ++r) {
          const FakeCommunicator comm(r, size);
          const TaskShard shard = ShardTasks(total, per_chunk, comm);
          EXPECT_EQ(shard.first, expected_first);  // consecutive, in rank order
          EXPECT_EQ(shard.first % per_chunk, 0);   // on a chunk boundary
          EXPECT_GE(shard.count, 1);
          EXPECT_EQ(shard.total, total);
          EXPECT_EQ(shard.distributed(), size > 1);
          for (int64_t k = shard.first; k < shard.first + shard.count; ++k) ++owners[k];
          expected_first = shard.first + shard.count;
        }
        for (int64_t k = 0; k < total; ++k) {
          EXPECT_EQ(owners[k], 1) << "task " << k << " of " << total << ", " << per_chunk << " per chunk, " << size
                                  << " ranks";
        }
      }
    }
  }
}

TEST(TaskShard, TooFewChunksForTheRanksIsNamed) {
  try {
    ShardTasks(40, 20, FakeCommunicator(1, 4));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("meta-batch-size = 40 with tasks-per-chunk = 20 makes 2 task chunk(s), fewer than the job's 4"),
              std::string::npos)
        << what;
  }
}

TEST(TaskShard, FewerTasksThanRanksIsNamedWithoutChunks) {
  // One task per chunk (RL² trials, few-shot episodes): the message is about the batch alone.
  try {
    ShardTasks(3, 1, FakeCommunicator(0, 4));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("meta-batch-size = 3 is fewer than the job's 4 MPI ranks"), std::string::npos) << what;
    EXPECT_EQ(what.find("tasks-per-chunk"), std::string::npos) << what;
  }
}

TEST(TaskShard, WithoutALauncherTheWorldIsOneRankAndGathersAreLocal) {
  const Communicator& world = World();
  EXPECT_EQ(world.size(), 1);
  EXPECT_EQ(world.rank(), 0);
  EXPECT_TRUE(world.is_root());
  EXPECT_EQ(AllGather(world, std::vector<double>{1.5, -2.0}), (std::vector<double>{1.5, -2.0}));
  EXPECT_EQ(RankPrefix(), "");
}

}  // namespace
}  // namespace metarl::algorithms

namespace metarl::algorithms {
namespace {

// Tasks 3..5 of a meta-batch of 6, chunks of one task: three chunks, each
// weighing 1/6 of the meta-batch (not 1/3 of the shard).
TEST(TaskShard, ChunksOfAShardWeighAgainstTheWholeMetaBatch) {
  TaskBatch valid;
  valid.observations = at::arange(3 * 2 * 1, at::kFloat).reshape({3, 2, 1});
  valid.actions = at::zeros({3, 2, 1});
  valid.advantages = at::ones({3, 2});
  valid.masks = at::ones({3, 2});
  MetaBatch batch;
  batch.valid = valid;
  batch.shard = TaskShard{3, 3, 6, &World()};
  const std::vector<TaskChunk> chunks = SplitTasks(batch, 1);
  ASSERT_EQ(chunks.size(), 3u);
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    EXPECT_DOUBLE_EQ(chunks[c].weight, 1.0 / 6.0);
    EXPECT_EQ(chunks[c].batch.valid.observations[0][0].item<float>(), 2.0f * c);
    EXPECT_EQ(chunks[c].comm, nullptr);  // a job of one rank: nothing to gather
  }
  // Σ weight · value over this process's chunks.
  EXPECT_DOUBLE_EQ(SumOverChunks(chunks, {{1.0}, {2.0}, {3.0}})[0], 1.0);
  EXPECT_TRUE(at::allclose(SumOverChunks(chunks, {at::ones({2}), at::ones({2}), at::ones({2})}), at::full({2}, 0.5)));
  // Not on a chunk boundary: refused.
  batch.shard = TaskShard{3, 3, 6, &World()};
  EXPECT_THROW(SplitTasks(batch, 2), std::invalid_argument);
}

}  // namespace
}  // namespace metarl::algorithms
