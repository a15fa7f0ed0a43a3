#pragma once
// Summary statistics of repeated timings.
#include <cstddef>
#include <vector>

namespace accsim::ref {

struct Summary {
  std::size_t n = 0;
  double min = 0, p10 = 0, median = 0, p90 = 0, max = 0, mean = 0, stdev = 0;
};

// Percentiles interpolate linearly between order statistics (numpy's default, "linear"), so the
// median of an even count is the mean of the middle two. An empty input gives n == 0.
Summary summarize(std::vector<double> samples);

// The q-quantile (0..1) of sorted samples, interpolated as above.
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace accsim::ref
