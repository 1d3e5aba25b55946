#pragma once
// Functional recurrent cells over explicit weights, shared by the RL²
// policy's GRU and the few-shot learners' LSTMs (Matching Networks' full-
// context embeddings, the black-box recurrent learner).
//
// Weights are laid out input-major (y = x·W), gate blocks along the last
// dimension, in PyTorch's gate order:
//   GRU  (r | z | n):  w_ih [I, 3H], w_hh [H, 3H], b_ih [3H], b_hh [3H]
//     r = σ(x·W_ir + b_ir + h·W_hr + b_hr),  z = σ(x·W_iz + b_iz + h·W_hz + b_hz)
//     n = tanh(x·W_in + b_in + r ⊙ (h·W_hn + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h
//   LSTM (i | f | g | o):  w_ih [I, 4H], w_hh [R, 4H], b [4H]
//     [i, f, g, o] = x·W_ih + r·W_hh + b;  c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)
//     h' = σ(o) ⊙ tanh(c')
//   where r is the recurrent input: the previous h (R = H) or, for the
//   attention LSTM of Matching Networks, a wider vector such as [h, readout].
// Shapes: x [..., I], h / c [..., H] (any leading dimensions, broadcast like
// matmul). Pure functions: thread-safe; differentiable (autograd).

#include <ATen/core/Tensor.h>

namespace metarl::policies {

at::Tensor GruCell(const at::Tensor& x, const at::Tensor& h, const at::Tensor& w_ih, const at::Tensor& w_hh,
                   const at::Tensor& b_ih, const at::Tensor& b_hh);

struct LstmState {
  at::Tensor h, c;  // [..., H] each
};
// `recurrent`: the previous hidden state (or any [..., R] recurrent input);
// `c`: the previous cell state.
LstmState LstmCell(const at::Tensor& x, const at::Tensor& recurrent, const at::Tensor& c, const at::Tensor& w_ih,
                   const at::Tensor& w_hh, const at::Tensor& b);

}  // namespace metarl::policies
