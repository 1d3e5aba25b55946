#include "envs/fewshot/sinusoid.h"

#include <cmath>

#include <ATen/ATen.h>

#include "core/error.h"

namespace metarl::envs::fewshot {

namespace {

void RequireRange(const std::vector<double>& range, const char* key, bool positive) {
  METARL_REQUIRE(range.size() == 2 && std::isfinite(range[0]) && std::isfinite(range[1]) && range[0] < range[1],
                 "task-kwargs.", key, ": expected [low, high] with finite low < high");
  METARL_REQUIRE(!positive || range[0] >= 0.0, "task-kwargs.", key, " = [", range[0], ", ", range[1],
                 "]: expected a non-negative low");
}

}  // namespace

void SinusoidOptions::Read(ConfigMap& config) {
  config.Read("shots", &shots);
  config.Read("query", &query);
  config.Read("amplitude", &amplitude);
  config.Read("phase", &phase);
  config.Read("input-range", &input_range);
}

void SinusoidOptions::Validate() const {
  METARL_REQUIRE(shots >= 1, "task-kwargs.shots = ", shots, ": expected at least 1 support point");
  METARL_REQUIRE(query >= 1, "task-kwargs.query = ", query, ": expected at least 1 query point");
  RequireRange(amplitude, "amplitude", true);
  RequireRange(phase, "phase", false);
  RequireRange(input_range, "input-range", false);
}

SinusoidTasks::SinusoidTasks(SinusoidOptions options) : options_(std::move(options)) { options_.Validate(); }

EpisodeBatch SinusoidTasks::Sample(int64_t tasks, Split /*split*/, Rng& rng) const {
  METARL_REQUIRE(tasks >= 1, "sinusoid: ", tasks, " tasks requested: expected at least 1");
  const int64_t s = options_.shots, q = options_.query, n = s + q;
  at::Tensor x = at::empty({tasks, n, 1}, at::kFloat);
  at::Tensor y = at::empty({tasks, n, 1}, at::kFloat);
  float* xp = x.data_ptr<float>();
  float* yp = y.data_ptr<float>();
  for (int64_t t = 0; t < tasks; ++t) {
    const double a = rng.Uniform(options_.amplitude[0], options_.amplitude[1]);
    const double phi = rng.Uniform(options_.phase[0], options_.phase[1]);
    for (int64_t i = 0; i < n; ++i) {
      const double xi = rng.Uniform(options_.input_range[0], options_.input_range[1]);
      xp[t * n + i] = static_cast<float>(xi);
      yp[t * n + i] = static_cast<float>(a * std::sin(xi - phi));
    }
  }
  return {x.narrow(1, 0, s).contiguous(), y.narrow(1, 0, s).contiguous(), x.narrow(1, s, q).contiguous(),
          y.narrow(1, s, q).contiguous()};
}

}  // namespace metarl::envs::fewshot
