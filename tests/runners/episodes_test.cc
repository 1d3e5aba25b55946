#include "runners/episodes.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace metarl::runners {
namespace {

// Two episodes over T = 3: episode 0 has 3 steps, episode 1 has 2.
EpisodeBatch TinyBatch() {
  EpisodeBatch b;
  b.rewards = at::tensor({1.0f, 10.0f, 2.0f, 20.0f, 3.0f, 0.0f}).view({3, 2});
  b.masks = at::tensor({1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 0.0f}).view({3, 2});
  b.observations = at::zeros({3, 2, 1});
  b.actions = at::zeros({3, 2, 1});
  b.lengths = {3, 2};
  b.task_ids = {0, 0};
  b.terminated = {0, 1};
  b.unstable = {0, 0};
  b.episodes_per_task = 2;
  return b;
}

TEST(Episodes, DiscountedReturnsHandComputed) {
  const at::Tensor g = DiscountedReturns(TinyBatch(), 0.5);
  // Episode 0: G2 = 3, G1 = 2 + 1.5 = 3.5, G0 = 1 + 1.75 = 2.75.
  EXPECT_FLOAT_EQ(g[0][0].item<float>(), 2.75f);
  EXPECT_FLOAT_EQ(g[1][0].item<float>(), 3.5f);
  EXPECT_FLOAT_EQ(g[2][0].item<float>(), 3.0f);
  // Episode 1: G1 = 20, G0 = 10 + 10 = 20; padding 0.
  EXPECT_FLOAT_EQ(g[0][1].item<float>(), 20.0f);
  EXPECT_FLOAT_EQ(g[1][1].item<float>(), 20.0f);
  EXPECT_FLOAT_EQ(g[2][1].item<float>(), 0.0f);
  const auto returns = TinyBatch().EpisodeReturns();
  EXPECT_DOUBLE_EQ(returns[0], 6.0);
  EXPECT_DOUBLE_EQ(returns[1], 30.0);
  EXPECT_EQ(TinyBatch().total_steps(), 5);
}

TEST(Episodes, GaeHandComputed) {
  const EpisodeBatch b = TinyBatch();
  const at::Tensor v = at::tensor({0.5f, 1.0f, 1.0f, 2.0f, 4.0f, 7.0f}).view({3, 2});
  const double gamma = 0.9, lambda = 0.8;
  const at::Tensor a = Gae(b, v, gamma, lambda);
  // Episode 0: δ2 = 3 - 4 = -1; δ1 = 2 + 0.9·4 - 1 = 4.6; δ0 = 1 + 0.9·1 - 0.5 = 1.4.
  const double a2 = -1.0, a1 = 4.6 + 0.72 * a2, a0 = 1.4 + 0.72 * a1;
  EXPECT_NEAR(a[2][0].item<float>(), a2, 1e-6);
  EXPECT_NEAR(a[1][0].item<float>(), a1, 1e-6);
  EXPECT_NEAR(a[0][0].item<float>(), a0, 1e-6);
  // Episode 1: δ1 = 20 - 2 = 18; δ0 = 10 + 0.9·2 - 1 = 10.8.
  EXPECT_NEAR(a[1][1].item<float>(), 18.0, 1e-5);
  EXPECT_NEAR(a[0][1].item<float>(), 10.8 + 0.72 * 18.0, 1e-5);
  EXPECT_EQ(a[2][1].item<float>(), 0.0f);  // padding (even though v = 7 there)
}

TEST(Episodes, GaeWithLambdaOneIsReturnsMinusValues) {
  const EpisodeBatch b = TinyBatch();
  const at::Tensor v = at::tensor({0.5f, 1.0f, 1.0f, 2.0f, 4.0f, 0.0f}).view({3, 2});
  const at::Tensor a = Gae(b, v, 0.95, 1.0);
  const at::Tensor expected = (DiscountedReturns(b, 0.95) - v) * b.masks;
  EXPECT_TRUE(at::allclose(a, expected, 1e-5, 1e-5));
  EXPECT_THROW(Gae(b, at::zeros({2, 2}), 0.9, 1.0), std::invalid_argument);
}

}  // namespace
}  // namespace metarl::runners
