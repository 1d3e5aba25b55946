#include "core/gather_rows.h"

#include <cstring>
#include <vector>

#include <ATen/ATen.h>

#include "core/error.h"

namespace metarl {

at::Tensor AllGatherRows(const Communicator& comm, const at::Tensor& local) {
  if (comm.size() == 1) return local;
  METARL_REQUIRE(local.dim() >= 1, "AllGatherRows: expected a tensor of at least one dimension");
  const at::Tensor cpu = local.to(at::kCPU).contiguous();
  std::vector<char> bytes(cpu.numel() * cpu.element_size());
  if (!bytes.empty()) std::memcpy(bytes.data(), cpu.data_ptr(), bytes.size());
  const std::vector<char> all = comm.AllGatherBytes(bytes);
  std::vector<int64_t> shape = cpu.sizes().vec();
  const int64_t row_bytes = cpu.numel() == 0 ? 0 : static_cast<int64_t>(bytes.size()) / shape[0];
  int64_t row_elements = 1;
  for (std::size_t d = 1; d < shape.size(); ++d) row_elements *= shape[d];
  const int64_t expected_row_bytes = row_elements * static_cast<int64_t>(cpu.element_size());
  METARL_REQUIRE(row_bytes == 0 || row_bytes == expected_row_bytes, "AllGatherRows: inconsistent row size");
  METARL_REQUIRE(expected_row_bytes > 0 && static_cast<int64_t>(all.size()) % expected_row_bytes == 0,
                 "AllGatherRows: the ranks' blocks do not split into rows of ", expected_row_bytes, " bytes");
  shape[0] = static_cast<int64_t>(all.size()) / expected_row_bytes;
  at::Tensor out = at::empty(shape, cpu.options());
  if (!all.empty()) std::memcpy(out.data_ptr(), all.data(), all.size());
  return out.to(local.device());
}

at::Tensor SumOverRanks(const Communicator& comm, const at::Tensor& local) {
  if (comm.size() == 1) return local;
  const at::Tensor rows = AllGatherRows(comm, local.unsqueeze(0));
  METARL_REQUIRE(rows.size(0) == comm.size(), "SumOverRanks: expected one block of ", local.numel(),
                 " values from each of the ", comm.size(), " ranks, got ", rows.size(0));
  at::Tensor sum = rows[0].clone();
  for (int64_t r = 1; r < rows.size(0); ++r) sum.add_(rows[r]);
  return sum;
}

}  // namespace metarl
