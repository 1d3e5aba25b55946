#include "runners/linear_baseline.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/rng.h"

namespace metarl::runners {
namespace {

// Batch of 2 tasks × 3 episodes, O = 2, T = 12, random observations in ±2
// (inside the feature clip), ragged lengths.
EpisodeBatch RandomBatch() {
  EpisodeBatch b;
  const int64_t T = 12, B = 6, O = 2;
  Rng rng(9);
  b.observations = at::zeros({T, B, O});
  b.rewards = at::zeros({T, B});
  b.masks = at::zeros({T, B});
  b.actions = at::zeros({T, B, 1});
  b.lengths = {12, 9, 11, 12, 7, 10};
  b.task_ids = {0, 0, 0, 1, 1, 1};
  b.terminated.assign(B, 0);
  b.unstable.assign(B, 0);
  b.tasks.resize(2);
  b.episodes_per_task = 3;
  auto obs = b.observations.accessor<float, 3>();
  for (int64_t e = 0; e < B; ++e) {
    for (int t = 0; t < b.lengths[e]; ++t) {
      for (int64_t i = 0; i < O; ++i) obs[t][e][i] = static_cast<float>(rng.Uniform(-2, 2));
      b.masks[t][e] = 1.0f;
    }
  }
  return b;
}

TEST(LinearBaseline, FeaturesHaveTheStandardLayout) {
  EpisodeBatch b = RandomBatch();
  b.observations[3][1][0] = 25.0f;  // clipped to 10
  const Eigen::MatrixXd f = BaselineFeatures(b, 1);
  ASSERT_EQ(f.rows(), 9);
  ASSERT_EQ(f.cols(), 2 * 2 + 4);
  EXPECT_DOUBLE_EQ(f(3, 0), 10.0);
  EXPECT_DOUBLE_EQ(f(3, 2), 100.0);
  EXPECT_NEAR(f(3, 1), b.observations[3][1][1].item<float>(), 1e-7);
  EXPECT_DOUBLE_EQ(f(5, 4), 0.05);
  EXPECT_DOUBLE_EQ(f(5, 5), 0.0025);
  EXPECT_NEAR(f(5, 6), 0.000125, 1e-15);
  EXPECT_DOUBLE_EQ(f(5, 7), 1.0);
}

TEST(LinearBaseline, RecoversReturnsThatAreLinearInTheFeaturesPerTask) {
  EpisodeBatch b = RandomBatch();
  // Different exact weights per task.
  const Eigen::VectorXd w0 = (Eigen::VectorXd(8) << 1.0, -2.0, 0.5, 0.25, 3.0, -1.0, 2.0, 4.0).finished();
  const Eigen::VectorXd w1 = (Eigen::VectorXd(8) << -3.0, 1.0, 0.0, 1.5, -2.0, 5.0, 0.0, -1.0).finished();
  at::Tensor returns = at::zeros({12, 6});
  for (int64_t e = 0; e < 6; ++e) {
    const Eigen::VectorXd y = BaselineFeatures(b, e) * (b.task_ids[e] == 0 ? w0 : w1);
    for (int t = 0; t < b.lengths[e]; ++t) returns[t][e] = static_cast<float>(y(t));
  }
  // With a negligible ridge the fit is exact (to float precision).
  LinearBaselineOptions exact;
  exact.reg_coeff = 1e-10;
  ThreadPool pool(2);
  const at::Tensor values = FitLinearBaseline(b, returns, exact, &pool);
  EXPECT_TRUE(at::allclose(values, returns, 1e-4, 1e-3)) << (values - returns).abs().max();
  EXPECT_TRUE(at::equal(values, FitLinearBaseline(b, returns, exact)));  // pool-independent
  EXPECT_EQ(values[11][1].item<float>(), 0.0f);  // padding
  // The default ridge (1e-5) shrinks the tiny-scale t³/10⁶ column's weight:
  // a small bias, bounded relative to the returns' scale.
  const at::Tensor ridge = FitLinearBaseline(b, returns, LinearBaselineOptions{}, &pool);
  const double scale = returns.abs().max().item<double>();
  EXPECT_LT((ridge - returns).abs().max().item<double>(), 1e-3 * scale);
  LinearBaselineOptions bad;
  bad.reg_coeff = 0.0;
  EXPECT_THROW(FitLinearBaseline(b, returns, bad), std::invalid_argument);
}

}  // namespace
}  // namespace metarl::runners
