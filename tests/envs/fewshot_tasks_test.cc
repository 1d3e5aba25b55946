// Few-shot task distributions: the sinusoid's points lie on one sinusoid per
// task with parameters in range; sampling is deterministic for a seed.

#include <cmath>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "envs/fewshot/registry.h"
#include "envs/fewshot/sinusoid.h"
#include "tests/test_util.h"

namespace metarl::envs::fewshot {
namespace {

TEST(Sinusoid, EpisodesLieOnOneSinusoidPerTask) {
  SinusoidOptions o;
  o.shots = 5;
  o.query = 7;
  Rng rng(11);
  const EpisodeBatch b = SinusoidTasks(o).Sample(40, Split::kTrain, rng);
  ASSERT_EQ(b.support_x.sizes(), at::IntArrayRef({40, 5, 1}));
  ASSERT_EQ(b.query_y.sizes(), at::IntArrayRef({40, 7, 1}));
  const at::Tensor x = at::cat({b.support_x, b.query_x}, 1).to(at::kDouble).squeeze(2);
  const at::Tensor y = at::cat({b.support_y, b.query_y}, 1).to(at::kDouble).squeeze(2);
  EXPECT_GE(x.min().item<double>(), -5.0);
  EXPECT_LT(x.max().item<double>(), 5.0);
  for (int64_t t = 0; t < 40; ++t) {
    // y = A sin(x − φ) = (A cos φ) sin x − (A sin φ) cos x: fit on the support
    // points, predict the query points.
    const at::Tensor basis = at::stack({at::sin(x[t]), at::cos(x[t])}, 1);
    const at::Tensor coef = std::get<0>(at::linalg_lstsq(basis.narrow(0, 0, 5), y[t].narrow(0, 0, 5).unsqueeze(1)));
    const double c = coef[0][0].item<double>(), s = -coef[1][0].item<double>();
    const double amplitude = std::hypot(c, s), phase = std::atan2(s, c);
    EXPECT_GE(amplitude, 0.1 - 1e-5);
    EXPECT_LE(amplitude, 5.0 + 1e-5);
    EXPECT_GE(phase, -1e-5);
    EXPECT_LE(phase, M_PI + 1e-5);
    const at::Tensor residual = at::matmul(basis, coef).squeeze(1) - y[t];
    EXPECT_LT(residual.abs().max().item<double>(), 1e-5) << "task " << t;
  }
}

TEST(Sinusoid, SameSeedSameEpisodes) {
  SinusoidTasks tasks{SinusoidOptions{}};
  Rng a(5), b(5), c(6);
  const EpisodeBatch x = tasks.Sample(3, Split::kTrain, a), y = tasks.Sample(3, Split::kTrain, b);
  const EpisodeBatch z = tasks.Sample(3, Split::kTrain, c);
  EXPECT_TRUE(at::equal(x.query_y, y.query_y));
  EXPECT_FALSE(at::equal(x.query_y, z.query_y));
}

TEST(FewShotRegistry, BadKwargsAreNamed) {
  auto make = [](const std::string& kwargs) {
    ConfigMap map(YAML::Load(kwargs), "test", "task-kwargs");
    return MakeFewShotTasks("sinusoid", map);
  };
  EXPECT_NE(testing::InvalidArgumentMessage([&] { make("{shots: 0}"); }).find("shots"), std::string::npos);
  EXPECT_NE(testing::InvalidArgumentMessage([&] { make("{amplitude: [5, 1]}"); }).find("amplitude"),
            std::string::npos);
  ConfigMap empty(YAML::Load("{}"), "test");
  EXPECT_NE(testing::InvalidArgumentMessage([&] { MakeFewShotTasks("sinusiod", empty); }).find("sinusoid"),
            std::string::npos);
}

}  // namespace
}  // namespace metarl::envs::fewshot
