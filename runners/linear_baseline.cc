#include "runners/linear_baseline.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <Eigen/Cholesky>

#include "core/error.h"

namespace metarl::runners {

void LinearBaselineOptions::Validate() const {
  METARL_REQUIRE(reg_coeff > 0.0, "baseline reg-coeff = ", reg_coeff, ": expected a positive number");
}

Eigen::MatrixXd BaselineFeatures(const EpisodeBatch& batch, int64_t b) {
  const int64_t B = batch.size();
  const int64_t O = batch.observations.size(2);
  const int len = batch.lengths[b];
  const at::Tensor obs = batch.observations.contiguous();
  const float* data = obs.data_ptr<float>();
  Eigen::MatrixXd f(len, 2 * O + 4);
  for (int t = 0; t < len; ++t) {
    const float* o = data + (t * B + b) * O;
    for (int64_t i = 0; i < O; ++i) {
      const double x = std::clamp(static_cast<double>(o[i]), -10.0, 10.0);
      f(t, i) = x;
      f(t, O + i) = x * x;
    }
    const double s = t / 100.0;
    f(t, 2 * O) = s;
    f(t, 2 * O + 1) = s * s;
    f(t, 2 * O + 2) = s * s * s;
    f(t, 2 * O + 3) = 1.0;
  }
  return f;
}

namespace {

Eigen::VectorXd RidgeSolve(const Eigen::MatrixXd& f, const Eigen::VectorXd& y, double reg) {
  const Eigen::MatrixXd gram = f.transpose() * f;
  const Eigen::VectorXd rhs = f.transpose() * y;
  for (int attempt = 0; attempt < 5; ++attempt) {
    Eigen::MatrixXd a = gram;
    a.diagonal().array() += reg;
    Eigen::VectorXd w = a.ldlt().solve(rhs);
    if (w.allFinite()) return w;
    reg *= 10.0;
  }
  throw std::runtime_error(Cat("linear baseline: the ridge solve is not finite even with reg-coeff ", reg,
                               " (non-finite observations or returns?)"));
}

}  // namespace

at::Tensor FitLinearBaseline(const EpisodeBatch& batch, const at::Tensor& returns,
                             const LinearBaselineOptions& options, ThreadPool* pool) {
  options.Validate();
  const int64_t T = batch.horizon(), B = batch.size();
  METARL_REQUIRE(returns.dim() == 2 && returns.size(0) == T && returns.size(1) == B,
                 "baseline returns have shape ", returns.sizes(), "; expected [", T, ", ", B, "]");
  const at::Tensor ret = returns.to(at::kCPU, at::kFloat).contiguous();
  const float* ret_data = ret.data_ptr<float>();
  at::Tensor values = at::zeros({T, B}, at::kFloat);
  float* out = values.data_ptr<float>();
  const int64_t num_tasks = static_cast<int64_t>(batch.tasks.size());

  auto fit_tasks = [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      std::vector<int64_t> episodes;
      int64_t rows = 0;
      for (int64_t b = 0; b < B; ++b) {
        if (batch.task_ids[b] == task) {
          episodes.push_back(b);
          rows += batch.lengths[b];
        }
      }
      if (episodes.empty()) continue;
      std::vector<Eigen::MatrixXd> feats;
      int64_t cols = 2 * batch.observations.size(2) + 4;
      Eigen::MatrixXd f(rows, cols);
      Eigen::VectorXd y(rows);
      int64_t row = 0;
      for (int64_t b : episodes) {
        feats.push_back(BaselineFeatures(batch, b));
        f.middleRows(row, batch.lengths[b]) = feats.back();
        for (int t = 0; t < batch.lengths[b]; ++t) y(row + t) = ret_data[t * B + b];
        row += batch.lengths[b];
      }
      const Eigen::VectorXd w = RidgeSolve(f, y, options.reg_coeff);
      for (std::size_t e = 0; e < episodes.size(); ++e) {
        const Eigen::VectorXd pred = feats[e] * w;
        for (int t = 0; t < batch.lengths[episodes[e]]; ++t) {
          out[t * B + episodes[e]] = static_cast<float>(pred(t));
        }
      }
    }
  };
  if (pool != nullptr) {
    pool->ParallelFor(num_tasks, fit_tasks);
  } else {
    fit_tasks(0, num_tasks);
  }
  return values;
}

}  // namespace metarl::runners
