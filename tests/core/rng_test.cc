#include "core/rng.h"

#include <cmath>
#include <set>

#include <gtest/gtest.h>

namespace metarl {
namespace {

TEST(Rng, StreamSeedWithEmptyPathIsSplitMix64) {
  // Reference value of splitmix64 seeded with 0 (first output).
  EXPECT_EQ(StreamSeed(0, {}), 0xE220A8397B1DCDAFULL);
}

TEST(Rng, SameSeedSameSequence) {
  Rng a(42), b(42);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(a.NextU64(), b.NextU64());
    ASSERT_EQ(a.Normal(), b.Normal());
  }
}

TEST(Rng, StreamsDependOnEveryPathElementAndItsOrder) {
  std::set<std::uint64_t> seeds;
  for (std::uint64_t i = 0; i < 50; ++i) {
    for (std::uint64_t j = 0; j < 50; ++j) seeds.insert(StreamSeed(7, {i, j}));
  }
  EXPECT_EQ(seeds.size(), 2500u);
  EXPECT_NE(StreamSeed(7, {1, 2}), StreamSeed(7, {2, 1}));
  EXPECT_NE(StreamSeed(7, {1}), StreamSeed(8, {1}));
  EXPECT_NE(StreamSeed(7, {0}), StreamSeed(7, {0, 0}));
}

TEST(Rng, UniformMomentsAndRange) {
  Rng rng(1);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum2 += u * u;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  // Standard errors: mean 0.29/sqrt(n) = 6.5e-4; allow 5 sigma.
  EXPECT_NEAR(mean, 0.5, 3.3e-3);
  EXPECT_NEAR(var, 1.0 / 12.0, 2e-3);
}

TEST(Rng, NormalMoments) {
  Rng rng(2);
  const int n = 200000;
  double sum = 0, sum2 = 0, sum4 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.Normal();
    ASSERT_TRUE(std::isfinite(z));
    sum += z;
    sum2 += z * z;
    sum4 += z * z * z * z;
  }
  EXPECT_NEAR(sum / n, 0.0, 5 * 1.0 / std::sqrt(n));
  EXPECT_NEAR(sum2 / n, 1.0, 5 * std::sqrt(2.0 / n));
  EXPECT_NEAR(sum4 / n, 3.0, 5 * std::sqrt(96.0 / n));
}

TEST(Rng, UniformIntIsInRangeAndBalanced) {
  Rng rng(3);
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) {
    const auto k = rng.UniformInt(7);
    ASSERT_LT(k, 7u);
    ++counts[k];
  }
  for (int c : counts) EXPECT_NEAR(c, n / 7.0, 5 * std::sqrt(n / 7.0));
}

}  // namespace
}  // namespace metarl
