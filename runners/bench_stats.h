#pragma once
// Small statistics shared by the `metarl bench` reports.

#include <algorithm>
#include <vector>

namespace metarl::runners {

// Median of f(row) over `rows` (the mean of the middle two for an even count);
// `rows` must not be empty.
template <typename Row, typename F>
double MedianOf(const std::vector<Row>& rows, F f) {
  std::vector<double> v;
  for (const auto& r : rows) v.push_back(static_cast<double>(f(r)));
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace metarl::runners
