// Batch norm with running statistics (net.batch-norm: running): the
// statistics and the averaging against sums written out here, the conv net's
// evaluation-mode features against a convolution computed element by
// element, a ProtoNets meta-step's update of the averages against the
// paper code's rule applied by hand, and evaluation in which one query cannot
// move another's scores (while the transductive mode does move them).

#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "algorithms/fewshot/batch_norm.h"
#include "algorithms/fewshot/conv_net.h"
#include "algorithms/fewshot/gradient_learner.h"
#include "algorithms/fewshot/matching_net.h"
#include "algorithms/fewshot/protonet.h"
#include "algorithms/fewshot/recurrent_learner.h"
#include "algorithms/fewshot/relation_net.h"
#include "algorithms/fewshot/siamese_net.h"
#include "core/communicator.h"
#include "core/task_shard.h"
#include "tests/algorithms/fewshot_fixtures.h"
#include "tests/test_util.h"

namespace metarl::algorithms::fewshot {
namespace {
using namespace testing_fixtures;  // NOLINT: Problem, MakeConvProblem

// out[n][f][i][j] = Σ_c Σ_{a,b ∈ 0..2} w[f][c][a][b] · x[n][c][i+a−1][j+b−1],
// zero outside the image (3×3, padding 1, no bias), in double.
std::vector<double> NaiveConv(const at::Tensor& x, const at::Tensor& w, int64_t* out_channels) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), f = w.size(0);
  *out_channels = f;
  std::vector<double> out(static_cast<std::size_t>(n * f * h * wd), 0.0);
  for (int64_t e = 0; e < n; ++e)
    for (int64_t o = 0; o < f; ++o)
      for (int64_t i = 0; i < h; ++i)
        for (int64_t j = 0; j < wd; ++j) {
          double sum = 0.0;
          for (int64_t k = 0; k < c; ++k)
            for (int64_t a = 0; a < 3; ++a)
              for (int64_t b = 0; b < 3; ++b) {
                const int64_t y = i + a - 1, z = j + b - 1;
                if (y < 0 || y >= h || z < 0 || z >= wd) continue;
                sum += w[o][k][a][b].item<double>() * x[e][k][y][z].item<double>();
              }
          out[static_cast<std::size_t>(((e * f + o) * h + i) * wd + j)] = sum;
        }
  return out;
}

// Mean and unbiased variance of channel `o` of a NaiveConv result.
std::pair<double, double> ChannelMoments(const std::vector<double>& v, int64_t n, int64_t f, int64_t o,
                                         int64_t positions) {
  double sum = 0.0;
  for (int64_t e = 0; e < n; ++e)
    for (int64_t p = 0; p < positions; ++p) sum += v[static_cast<std::size_t>((e * f + o) * positions + p)];
  const double count = static_cast<double>(n * positions), mean = sum / count;
  double square = 0.0;
  for (int64_t e = 0; e < n; ++e)
    for (int64_t p = 0; p < positions; ++p)
      square += std::pow(v[static_cast<std::size_t>((e * f + o) * positions + p)] - mean, 2);
  return {mean, square / (count - 1.0)};
}

TEST(RunningBatchNorm, StatisticsAndAveragesFollowPyTorchsDefinitions) {
  at::manual_seed(11);
  const at::Tensor x = at::randn({4, 3, 2, 2}, at::kDouble);
  const at::Tensor stats = BatchStatistics(x);
  ASSERT_EQ(stats.sizes(), at::IntArrayRef({2, 3}));
  for (int64_t c = 0; c < 3; ++c) {
    double sum = 0.0, square = 0.0;
    for (int64_t n = 0; n < 4; ++n)
      for (int64_t i = 0; i < 4; ++i) sum += x[n][c][i / 2][i % 2].item<double>();
    const double mean = sum / 16.0;
    for (int64_t n = 0; n < 4; ++n)
      for (int64_t i = 0; i < 4; ++i) square += std::pow(x[n][c][i / 2][i % 2].item<double>() - mean, 2);
    EXPECT_NEAR(stats[0][c].item<double>(), mean, 1e-14);
    EXPECT_NEAR(stats[1][c].item<double>(), square / 15.0, 1e-14);  // unbiased: n − 1 = 15
  }
  // Eval mode: (x − m)/√(v + 1e-5)·γ + β element by element.
  const at::Tensor gamma = at::tensor({0.5, 2.0, -1.0}, at::kDouble),
                   beta = at::tensor({0.1, 0.0, 3.0}, at::kDouble);
  const at::Tensor mean = at::tensor({1.0, -2.0, 0.25}, at::kDouble),
                   var = at::tensor({4.0, 0.5, 9.0}, at::kDouble);
  const at::Tensor y = StatisticsBatchNorm(x, gamma, beta, mean, var);
  for (int64_t n = 0; n < 4; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t i = 0; i < 4; ++i) {
        const double v = x[n][c][i / 2][i % 2].item<double>();
        const double expected =
            (v - mean[c].item<double>()) / std::sqrt(var[c].item<double>() + 1e-5) * gamma[c].item<double>() +
            beta[c].item<double>();
        EXPECT_NEAR(y[n][c][i / 2][i % 2].item<double>(), expected, 1e-13);
      }
  // Two observed batches of layer 1, momentum 0.1: r = 0.81·r0 + 0.09·s0 +
  // 0.1·s1; layer 0's pair is left alone.
  std::vector<at::Tensor> running = {at::tensor({-1.0, -2.0}, at::kDouble), at::tensor({5.0, 6.0}, at::kDouble),
                                     at::tensor({1.0, 2.0}, at::kDouble), at::tensor({3.0, 4.0}, at::kDouble)};
  const at::Tensor observed =
      at::tensor({10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0}, at::kDouble).view({2, 2, 2});
  UpdateRunningStatistics(running, 1, observed, 0.1);
  EXPECT_NEAR(running[2][0].item<double>(), 0.81 * 1.0 + 0.09 * 10.0 + 0.1 * 50.0, 1e-12);
  EXPECT_NEAR(running[2][1].item<double>(), 0.81 * 2.0 + 0.09 * 20.0 + 0.1 * 60.0, 1e-12);
  EXPECT_NEAR(running[3][0].item<double>(), 0.81 * 3.0 + 0.09 * 30.0 + 0.1 * 70.0, 1e-12);
  EXPECT_NEAR(running[3][1].item<double>(), 0.81 * 4.0 + 0.09 * 40.0 + 0.1 * 80.0, 1e-12);
  EXPECT_EQ(running[0][1].item<double>(), -2.0);
  EXPECT_EQ(running[1][0].item<double>(), 5.0);
}

// One block, 2 filters, 1×4×4 images: features with given running averages
// = max-pool(ReLU((conv − m)/√(v + ε)·γ + β)) computed here element by
// element; the statistics a training pass reports are the conv output's.
TEST(RunningBatchNorm, ConvNetNormalisesWithTheRunningAveragesAtEvaluation) {
  ConvNetOptions o;
  o.filters = 2;
  o.blocks = 1;
  o.batch_norm = "running";
  const ConvNet net({1, 4, 4}, 3, o);
  const auto spec = net.RunningStatisticsSpec();
  EXPECT_EQ(spec.names, (std::vector<std::string>{"bn0.running_mean", "bn0.running_var"}));
  EXPECT_DOUBLE_EQ(spec.momentum, 0.1);
  Rng rng(4);
  Params params;
  for (const auto& t : net.Init(rng)) params.push_back(t.to(at::kDouble));
  params[1] = at::tensor({1.5, -0.5}, at::kDouble);  // γ
  params[2] = at::tensor({0.2, 0.3}, at::kDouble);   // β
  const Params body(params.begin(), params.begin() + 3);
  at::manual_seed(12);
  const at::Tensor x = at::randn({2, 3, 1, 4, 4}, at::kDouble);  // 2 tasks × 3 images
  const Params running = {at::tensor({0.1, -0.2}, at::kDouble), at::tensor({0.7, 1.3}, at::kDouble)};
  FunctionalNet::NormPass eval;
  eval.running = &running;
  const at::Tensor features = net.FeaturesWithNorm(body, x, eval);  // [2, 3, 2·2·2]
  ASSERT_EQ(features.sizes(), at::IntArrayRef({2, 3, 8}));
  int64_t f = 0;
  const std::vector<double> conv = NaiveConv(x.reshape({6, 1, 4, 4}), params[0], &f);
  for (int64_t e = 0; e < 6; ++e)
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 2; ++j) {
          double best = -1e300;
          for (int64_t a = 0; a < 2; ++a)
            for (int64_t b = 0; b < 2; ++b) {
              const double v = conv[static_cast<std::size_t>(((e * 2 + c) * 4 + 2 * i + a) * 4 + 2 * j + b)];
              const double normed = (v - running[0][c].item<double>()) /
                                        std::sqrt(running[1][c].item<double>() + 1e-5) *
                                        params[1][c].item<double>() +
                                    params[2][c].item<double>();
              best = std::max(best, std::max(0.0, normed));
            }
          EXPECT_NEAR(features[e / 3][e % 3][(c * 2 + i) * 2 + j].item<double>(), best, 1e-12)
              << "image " << e << " channel " << c;
        }
  // A training pass reports each task's conv-output moments, [T, 2, F] for layer 0.
  std::vector<FunctionalNet::ObservedStatistics> observed;
  FunctionalNet::NormPass train;
  train.observed = &observed;
  (void)net.FeaturesWithNorm(body, x, train);
  ASSERT_EQ(observed.size(), 1u);
  EXPECT_EQ(observed[0].layer, 0);
  ASSERT_EQ(observed[0].stats.sizes(), at::IntArrayRef({2, 2, 2}));
  for (int64_t t = 0; t < 2; ++t) {
    const std::vector<double> part(conv.begin() + t * 3 * 2 * 16, conv.begin() + (t + 1) * 3 * 2 * 16);
    for (int64_t c = 0; c < 2; ++c) {
      const auto [mean, var] = ChannelMoments(part, 3, 2, c, 16);
      EXPECT_NEAR(observed[0].stats[t][0][c].item<double>(), mean, 1e-12);
      EXPECT_NEAR(observed[0].stats[t][1][c].item<double>(), var, 1e-12);
    }
  }
}

// jakesnell/prototypical-networks trains on the support and query images of
// an episode in one batch (torch.cat([xs, xq])) in train mode: after one
// ProtoNets meta-step on 2 episodes the first layer's running averages are
// 0.81·init + 0.09·moments(episode 0) + 0.1·moments(episode 1), the moments
// of the first convolution of the joint batch at the parameters before the
// step, computed here element by element.
TEST(RunningBatchNorm, ProtoNetMetaStepFoldsEachEpisodesJointBatchIntoTheAverages) {
  const Problem p = MakeConvProblem(2, 5, "running");
  ProtoNet learner(p.net, true, ProtoNetOptions{}, p.init);
  const auto names = learner.ParameterNames();
  ASSERT_EQ(names.size(), 6u + 4u);  // 2 blocks × (conv, γ, β), then 2 × (mean, var)
  EXPECT_EQ(names[6], "bn0.running_mean");
  EXPECT_EQ(names[9], "bn1.running_var");
  const at::Tensor w0 = learner.parameters_list()[0].detach().clone();
  learner.MetaStep(p.batch, 0);
  const Params after = learner.parameters_list();
  const at::Tensor joint = at::cat({p.batch.support_x, p.batch.query_x}, 1);  // [2, 12, 1, 8, 8]
  for (int64_t c = 0; c < 4; ++c) {
    double mean = 0.0, var = 1.0;  // the initial averages
    for (int64_t t = 0; t < 2; ++t) {
      int64_t f = 0;
      const std::vector<double> conv = NaiveConv(joint[t], w0, &f);
      const auto [m, v] = ChannelMoments(conv, 12, 4, c, 64);
      mean = 0.9 * mean + 0.1 * m;
      var = 0.9 * var + 0.1 * v;
    }
    EXPECT_NEAR(after[6][c].item<double>(), mean, 1e-12) << "channel " << c;
    EXPECT_NEAR(after[7][c].item<double>(), var, 1e-12) << "channel " << c;
  }
  // The second layer's averages moved too; evaluation leaves them alone.
  EXPECT_FALSE(at::equal(after[8], at::zeros_like(after[8])));
  const at::Tensor before_eval = after[8].clone();
  learner.Evaluate(p.batch, 0);
  EXPECT_TRUE(at::equal(before_eval, learner.parameters_list()[8]));
}

// With running statistics a query's scores do not depend on the other
// queries: changing query 2 of task 1 moves its scores and no other's, for
// every learner that supports the mode. In the transductive mode the same
// change moves the other queries' ProtoNets logits (shared batch
// statistics), so the check can fail.
TEST(RunningBatchNorm, AQueryCannotMoveAnotherQuerysScores) {
  const Problem running = MakeConvProblem(2, 5, "running");
  std::vector<std::pair<std::string, std::unique_ptr<EmbeddingLearner>>> learners;
  learners.emplace_back("protonet",
                        std::make_unique<ProtoNet>(running.net, true, ProtoNetOptions{}, running.init));
  MatchingNetOptions fce;
  fce.fce = true;
  learners.emplace_back("matching", std::make_unique<MatchingNet>(running.net, true, fce, running.init, 7));
  learners.emplace_back(
      "siamese", std::make_unique<SiameseNet>(running.net, true, SiameseNetOptions{}, running.init, 7));
  RecurrentLearnerOptions ro;
  ro.hidden_size = 8;
  learners.emplace_back("recurrent",
                        std::make_unique<RecurrentLearner>(running.net, true, ro, running.init, 7));
  envs::fewshot::EpisodeBatch changed = running.batch;
  changed.query_x = running.batch.query_x.clone();
  changed.query_x[1][2].mul_(-2.0).add_(0.5);
  auto others = [](const at::Tensor& scores) {  // task 1's queries other than 2, and task 0's
    return at::cat({scores[1].narrow(0, 0, 2), scores[1].narrow(0, 3, 3), scores[0]});
  };
  for (auto& [name, learner] : learners) {
    learner->MetaStep(running.batch, 0);  // averages away from their initial values
    const auto a = learner->Run(running.batch, learner->flat().detach(), EmbeddingLearner::kEvaluation);
    const auto b = learner->Run(changed, learner->flat().detach(), EmbeddingLearner::kEvaluation);
    EXPECT_GT((a.scores[1][2] - b.scores[1][2]).abs().max().item<double>(), 1e-6) << name;
    EXPECT_TRUE(at::equal(others(a.scores), others(b.scores))) << name << ": another query's scores moved";
  }
  const Problem transductive = MakeConvProblem(2, 5);
  const ProtoNet coupled(transductive.net, true, ProtoNetOptions{}, transductive.init);
  const at::Tensor a = coupled.Logits(transductive.batch, coupled.flat().detach());
  const at::Tensor b = coupled.Logits(changed, coupled.flat().detach());
  EXPECT_GT((others(a) - others(b)).abs().max().item<double>(), 1e-6);
}

// Two ranks of one job as two threads of this process: AllGatherBytes waits
// until both ranks have put in their block and hands both back in rank order.
class ThreadPairCommunicator final : public Communicator {
 public:
  struct Shared {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<char> blocks[2];
    int arrived = 0, taken = 0;
    int64_t round = 0;
  };
  ThreadPairCommunicator(Shared* shared, int rank) : shared_(shared), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return 2; }
  std::vector<char> AllGatherBytes(const std::vector<char>& local) const override {
    std::unique_lock<std::mutex> lock(shared_->mutex);
    shared_->changed.wait(lock, [&] { return shared_->taken == 0; });  // the last round was read by both
    const int64_t round = shared_->round;
    shared_->blocks[rank_] = local;
    if (++shared_->arrived == 2) ++shared_->round, shared_->changed.notify_all();
    shared_->changed.wait(lock, [&] { return shared_->round > round; });
    std::vector<char> all = shared_->blocks[0];
    all.insert(all.end(), shared_->blocks[1].begin(), shared_->blocks[1].end());
    if (++shared_->taken == 2) shared_->arrived = 0, shared_->taken = 0, shared_->changed.notify_all();
    return all;
  }
  [[noreturn]] void Abort(int) const override { throw std::logic_error("no abort in this test"); }

 private:
  Shared* shared_;
  int rank_;
};

// A meta-batch of 3 episodes split 2/1 over two ranks: every rank folds all
// three episodes' statistics into its averages, in meta-batch order, so both
// ranks end with one process's averages (and parameters, to reduction-order
// tolerance).
TEST(RunningBatchNorm, TwoRanksFoldEveryEpisodeInMetaBatchOrder) {
  const Problem p = MakeConvProblem(3, 5, "running");
  ProtoNet whole(p.net, true, ProtoNetOptions{}, p.init);
  whole.MetaStep(p.batch, 0);
  whole.MetaStep(p.batch, 1);
  ThreadPairCommunicator::Shared shared;
  std::vector<Params> states(2);
  std::vector<std::thread> ranks;
  for (int r = 0; r < 2; ++r) {
    ranks.emplace_back([&, r] {
      const ThreadPairCommunicator comm(&shared, r);
      ProtoNet learner(p.net, true, ProtoNetOptions{}, p.init);
      const int64_t first = r == 0 ? 0 : 2, count = r == 0 ? 2 : 1;
      learner.SetShard(TaskShard{first, count, 3, &comm});
      envs::fewshot::EpisodeBatch part = p.batch;
      part.support_x = p.batch.support_x.narrow(0, first, count);
      part.support_y = p.batch.support_y.narrow(0, first, count);
      part.query_x = p.batch.query_x.narrow(0, first, count);
      part.query_y = p.batch.query_y.narrow(0, first, count);
      learner.MetaStep(part, 0);
      learner.MetaStep(part, 1);
      for (const at::Tensor& t : learner.parameters_list()) states[r].push_back(t.detach().clone());
    });
  }
  for (auto& t : ranks) t.join();
  const Params expected = whole.parameters_list();
  for (int r = 0; r < 2; ++r) {
    ASSERT_EQ(states[r].size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_LT((states[r][i] - expected[i].detach()).abs().max().item<double>(), 1e-10)
          << "rank " << r << " " << whole.ParameterNames()[i];
    }
  }
}

// Learners that adapt by gradient steps, and the relation module, normalise
// batches with their own statistics as their reference code does: a net with
// running statistics is refused, naming the key.
TEST(RunningBatchNorm, LearnersWithoutTheModeRefuseIt) {
  const Problem p = MakeConvProblem(1, 5, "running");
  const std::string m = testing::InvalidArgumentMessage(
      [&] { GradientLearner("maml", p.net, true, GradientLearnerOptions{}, p.init); });
  EXPECT_NE(m.find("net.batch-norm = running"), std::string::npos) << m;
  EXPECT_NE(m.find("maml"), std::string::npos) << m;
  const std::string r =
      testing::InvalidArgumentMessage([&] { RelationNet(p.net, true, RelationNetOptions{}, p.init, 1); });
  EXPECT_NE(r.find("net.batch-norm = running"), std::string::npos) << r;
  ConvNetOptions bad;
  bad.batch_norm = "eval";
  EXPECT_NE(testing::InvalidArgumentMessage([&] { bad.Validate(); }).find("net.batch-norm = 'eval'"),
            std::string::npos);
  bad.batch_norm = "running";
  bad.batch_norm_momentum = 0.0;
  EXPECT_NE(testing::InvalidArgumentMessage([&] { bad.Validate(); }).find("batch-norm-momentum"),
            std::string::npos);
}

}  // namespace
}  // namespace metarl::algorithms::fewshot
