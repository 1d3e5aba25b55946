#pragma once
// The recurrent core of the RL² policies (Duan et al. 2016): a GRU over the
// per-step input x_t = [observation, previous action, previous reward,
// previous done], with a policy head and a value head on the hidden state,
// and a functional forward over an explicit parameter set.
//
// GRU (policies/recurrent_cells.h; the PyTorch convention, gates r, z, n):
//   r = σ(x·W_ir + b_ir + h·W_hr + b_hr)
//   z = σ(x·W_iz + b_iz + h·W_hz + b_hz)
//   n = tanh(x·W_in + b_in + r ⊙ (h·W_hn + b_hn))
//   h' = (1 − z) ⊙ n + z ⊙ h
// Parameters (ParameterNames() order): w_ih [I, 3H], w_hh [H, 3H],
// b_ih [3H], b_hh [3H] (gate blocks r | z | n along the last dimension),
// head_weight [H, P], head_bias [P] (P = policy outputs: action means for
// a Gaussian policy, logits for a categorical one), value_weight [H, 1],
// value_bias [1].
//
// Shapes: Step(x [B, I], h [B, H]) → h' [B, H]. Unroll(x [T, B, I],
// h0 [B, H], resets [T, B]) → hidden [T, B, H], where resets[t] = 1 zeroes
// the state before step t (a new trial starts there) and 0 carries it.
// Thread-safety: the functional methods are const and may run concurrently.

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include "core/rng.h"
#include "policies/params.h"

namespace metarl::policies {

struct GruCoreOptions {
  int64_t input_dim = 0;    // I
  int64_t hidden_size = 0;  // H
  int64_t outputs = 0;      // P
};

struct GruHeads {
  at::Tensor policy;  // [..., P]
  at::Tensor value;   // [...] (the value head's single output, squeezed)
};

class GruCore final : public torch::nn::Module {
 public:
  // Weights Xavier-uniform from `rng` (deterministic for a seed), biases 0.
  GruCore(GruCoreOptions options, Rng& rng);

  const GruCoreOptions& options() const { return options_; }
  Params parameters_list() const;
  std::vector<std::string> ParameterNames() const;

  // One step for a batch of B sequences.
  at::Tensor Step(const at::Tensor& x, const at::Tensor& h, const Params& params) const;
  // T steps; `resets` [T, B] (1 = zero the state before that step).
  at::Tensor Unroll(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& resets,
                    const Params& params) const;
  // Policy and value heads on hidden states [..., H].
  GruHeads Heads(const at::Tensor& hidden, const Params& params) const;

 private:
  GruCoreOptions options_;
  std::vector<at::Tensor> params_;
};

}  // namespace metarl::policies
