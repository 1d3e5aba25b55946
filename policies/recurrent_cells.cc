#include "policies/recurrent_cells.h"

#include <vector>

#include <ATen/ATen.h>

namespace metarl::policies {

at::Tensor GruCell(const at::Tensor& x, const at::Tensor& h, const at::Tensor& w_ih, const at::Tensor& w_hh,
                   const at::Tensor& b_ih, const at::Tensor& b_hh) {
  const at::Tensor gi = at::matmul(x, w_ih) + b_ih;
  const at::Tensor gh = at::matmul(h, w_hh) + b_hh;
  const std::vector<at::Tensor> i = gi.chunk(3, -1), g = gh.chunk(3, -1);
  const at::Tensor r = at::sigmoid(i[0] + g[0]);
  const at::Tensor z = at::sigmoid(i[1] + g[1]);
  const at::Tensor n = at::tanh(i[2] + r * g[2]);
  return n + z * (h - n);  // (1 − z)·n + z·h
}

LstmState LstmCell(const at::Tensor& x, const at::Tensor& recurrent, const at::Tensor& c, const at::Tensor& w_ih,
                   const at::Tensor& w_hh, const at::Tensor& b) {
  const at::Tensor gates = at::matmul(x, w_ih) + at::matmul(recurrent, w_hh) + b;
  const std::vector<at::Tensor> g = gates.chunk(4, -1);
  const at::Tensor c_next = at::sigmoid(g[1]) * c + at::sigmoid(g[0]) * at::tanh(g[2]);
  return {at::sigmoid(g[3]) * at::tanh(c_next), c_next};
}

}  // namespace metarl::policies
