#pragma once
// The linear feature baseline (Duan et al. 2016, used by MAML): a value
// estimate linear in φ(o, t) = [clip(o, ±10), clip(o, ±10)², t/100, (t/100)²,
// (t/100)³, 1], fitted per task by ridge-regularised least squares on that
// task's discounted returns (Eigen, double precision). When the solve is not
// finite, the ridge coefficient grows ×10, up to 5 times.

#include <Eigen/Core>
#include <ATen/core/Tensor.h>

#include "core/thread_pool.h"
#include "runners/episodes.h"

namespace metarl::runners {

struct LinearBaselineOptions {
  double reg_coeff = 1e-5;  // ridge coefficient added to the normal equations' diagonal

  void Validate() const;
};

// Features of every valid step of episode `b` of `batch`, [lengths[b], 2·O + 4].
Eigen::MatrixXd BaselineFeatures(const EpisodeBatch& batch, int64_t b);

// Fits one linear baseline per task of `batch` to `returns` ([T, B]) and
// returns the fitted values [T, B] (0 on padding). Tasks are fitted in
// parallel on `pool` when given; the result does not depend on it.
at::Tensor FitLinearBaseline(const EpisodeBatch& batch, const at::Tensor& returns,
                             const LinearBaselineOptions& options, ThreadPool* pool = nullptr);

}  // namespace metarl::runners
