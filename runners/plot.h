#pragma once
// Line plots as PNG files, drawn by gnuplot (Debian package gnuplot-nox,
// its pngcairo terminal), fed a script and the data through a pipe.
//
// Used by `metarl eval` (the adaptation curve, DIR/eval.png) and `metarl
// plot` (learning curves of one or several runs from their metrics.csv).
// The PNG is written under a temporary name and renamed, so a failure never
// leaves a partial file. Thread-safe (no shared state).

#include <string>
#include <vector>

namespace metarl::runners {

struct Series {
  std::string title;
  std::vector<double> x, y;
  std::vector<double> spread;  // ± band around y (same length), or empty for none
};

struct PlotOptions {
  std::string title;
  std::string xlabel, ylabel;
  int width = 800;   // pixels
  int height = 500;  // pixels
};

// One or more panels side by side, each with its series and labels.
struct PlotPanel {
  PlotOptions labels;  // width/height ignored
  std::vector<Series> series;
};

// std::invalid_argument for empty or mismatched series, a bad size, or no
// gnuplot on PATH; std::runtime_error naming the file when gnuplot fails.
void WritePlotPng(const std::string& file, const std::vector<Series>& series, const PlotOptions& options);
void WritePlotPng(const std::string& file, const std::vector<PlotPanel>& panels, int width, int height);

// A metrics.csv (header + rows) as columns; empty cells are NaN.
struct MetricsTable {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> values;  // values[c][row]
  // std::invalid_argument naming `name`, the file and the columns there are.
  const std::vector<double>& Column(const std::string& name) const;
  bool Has(const std::string& name) const;
  std::string file;
};
// std::invalid_argument naming the file when it is missing, empty or not a
// CSV of numbers under one header.
MetricsTable ReadMetrics(const std::string& file);

}  // namespace metarl::runners
