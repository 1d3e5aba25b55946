#pragma once
// Adam (Kingma & Ba 2015) on a flat parameter vector, with its state as plain
// tensors so that checkpoints carry it and a resumed run continues exactly.
//
//   m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,  t ← t+1,
//   update = lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε)   (to subtract)
//
// Not thread-safe.

#include <cstdint>

#include <ATen/core/Tensor.h>

#include "policies/params.h"

namespace metarl::algorithms {

struct AdamOptions {
  double lr = 1e-3;      // step size
  double beta1 = 0.9;    // first-moment decay
  double beta2 = 0.999;  // second-moment decay
  double eps = 1e-8;     // denominator floor
};

class FlatAdam {
 public:
  explicit FlatAdam(AdamOptions options = {});

  // The update to subtract from the parameters for gradient `g` [P]; state
  // is created on the first call.
  at::Tensor Step(const at::Tensor& g);

  int64_t steps() const { return t_; }
  // {m, v, t} for checkpoints (empty before the first step), and back.
  policies::Params State() const;
  void Restore(const policies::Params& state);  // std::invalid_argument on a malformed state

 private:
  AdamOptions options_;
  at::Tensor m_, v_;
  int64_t t_ = 0;
};

}  // namespace metarl::algorithms
