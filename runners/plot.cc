#include "runners/plot.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "core/programs.h"

namespace metarl::runners {

namespace fs = std::filesystem;

namespace {

// 'text' for gnuplot: single quotes, with '' for a quote.
std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

// A shell argument in single quotes.
std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void CheckSeries(const std::vector<Series>& series) {
  METARL_REQUIRE(!series.empty(), "plot: no series to draw");
  for (const Series& s : series) {
    METARL_REQUIRE(s.x.size() == s.y.size() && !s.x.empty(), "plot: series '", s.title, "' has ", s.x.size(),
                   " x and ", s.y.size(), " y values; expected the same positive number");
    METARL_REQUIRE(s.spread.empty() || s.spread.size() == s.y.size(), "plot: series '", s.title,
                   "': spread has ", s.spread.size(), " values for ", s.y.size(), " points");
  }
}

// gnuplot commands drawing one panel (its data inline, after `plot`).
std::string PanelScript(const PlotPanel& panel) {
  std::ostringstream out;
  out.precision(10);
  out << "set title " << Quote(panel.labels.title) << "\n"
      << "set xlabel " << Quote(panel.labels.xlabel) << "\n"
      << "set ylabel " << Quote(panel.labels.ylabel) << "\n";
  std::ostringstream plot, data;
  plot.precision(10);
  data.precision(10);
  const char* const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
  int k = 0;
  auto add = [&](const std::string& clause) { plot << (plot.tellp() > 0 ? ", " : "plot ") << clause; };
  for (const Series& s : panel.series) {
    const std::string color = colors[k++ % 8];
    auto block = [&](bool band) {
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
        data << s.x[i] << " " << s.y[i];
        if (band) data << " " << s.y[i] - s.spread[i] << " " << s.y[i] + s.spread[i];
        data << "\n";
      }
      data << "e\n";
    };
    if (!s.spread.empty()) {
      add("'-' using 1:3:4 with filledcurves fc rgb '" + color + "' fs transparent solid 0.2 noborder notitle");
      block(true);
    }
    add("'-' using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc rgb '" + color + "' title " + Quote(s.title));
    block(false);
  }
  out << plot.str() << "\n" << data.str();
  return out.str();
}

}  // namespace

void WritePlotPng(const std::string& file, const std::vector<Series>& series, const PlotOptions& options) {
  WritePlotPng(file, {PlotPanel{options, series}}, options.width, options.height);
}

void WritePlotPng(const std::string& file, const std::vector<PlotPanel>& panels, int width, int height) {
  METARL_REQUIRE(!panels.empty(), "plot: no panels");
  for (const PlotPanel& p : panels) CheckSeries(p.series);
  METARL_REQUIRE(width >= 64 && width <= 8192 && height >= 64 && height <= 8192, "plot size ", width, "×", height,
                 ": expected 64..8192 pixels each way");
  METARL_REQUIRE(ProgramOnPath("gnuplot"), "writing the plot '", file, "' needs gnuplot on PATH (Debian package gnuplot-nox)");
  const fs::path target(file);
  const std::string partial = (target.parent_path() / ("." + target.filename().string() + ".partial")).string();
  std::ostringstream script;
  script << "set terminal pngcairo size " << width << "," << height << " noenhanced font 'sans,10'\n"
         << "set output " << Quote(partial) << "\n"
         << "set grid\nset key top left\nset format x '%.4g'\nset datafile missing 'nan'\n";
  if (panels.size() > 1) script << "set multiplot layout 1," << panels.size() << "\n";
  for (const PlotPanel& p : panels) script << PanelScript(p);
  if (panels.size() > 1) script << "unset multiplot\n";
  script << "set output\n";
  FILE* pipe = popen(("gnuplot 2>" + ShellQuote(partial + ".log")).c_str(), "w");
  if (pipe == nullptr) throw std::runtime_error(Cat("could not start gnuplot for '", file, "'"));
  const std::string text = script.str();
  const bool written = std::fwrite(text.data(), 1, text.size(), pipe) == text.size();
  const int status = pclose(pipe);
  std::string log;
  {
    std::ifstream in(partial + ".log");
    log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::remove((partial + ".log").c_str());
  std::error_code ec;
  if (!written || status != 0 || !fs::exists(partial, ec) || fs::file_size(partial, ec) == 0) {
    std::remove(partial.c_str());
    throw std::runtime_error(Cat("gnuplot failed to write '", file, "': ", log));
  }
  fs::rename(partial, file, ec);
  if (ec) throw std::runtime_error(Cat("could not move the plot to '", file, "': ", ec.message()));
}

bool MetricsTable::Has(const std::string& name) const {
  for (const auto& c : columns) {
    if (c == name) return true;
  }
  return false;
}

const std::vector<double>& MetricsTable::Column(const std::string& name) const {
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (columns[c] == name) return values[c];
  }
  std::string known;
  for (const auto& c : columns) known += (known.empty() ? "" : ", ") + c;
  throw std::invalid_argument(Cat("column '", name, "' is not in ", file, " (columns: ", known, ")"));
}

MetricsTable ReadMetrics(const std::string& file) {
  std::ifstream in(file);
  METARL_REQUIRE(in.good(), "cannot read '", file, "': expected the metrics.csv of a training run");
  MetricsTable t;
  t.file = file;
  std::string line;
  METARL_REQUIRE(static_cast<bool>(std::getline(in, line)) && !line.empty(), "'", file, "' is empty: expected a ",
                 "header line and one row per iteration");
  {
    std::stringstream header(line);
    for (std::string name; std::getline(header, name, ',');) t.columns.push_back(name);
  }
  t.values.assign(t.columns.size(), {});
  int row = 1;
  while (std::getline(in, line)) {
    ++row;
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream cells_in(line);
    for (std::string cell; std::getline(cells_in, cell, ',');) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.push_back("");
    METARL_REQUIRE(cells.size() == t.columns.size(), "'", file, "' line ", row, ": ", cells.size(), " cells under ",
                   t.columns.size(), " columns");
    for (std::size_t c = 0; c < cells.size(); ++c) {
      double v = std::numeric_limits<double>::quiet_NaN();
      if (!cells[c].empty()) {
        std::size_t used = 0;
        try {
          v = std::stod(cells[c], &used);
        } catch (const std::exception&) {
          used = 0;
        }
        METARL_REQUIRE(used == cells[c].size() && used > 0, "'", file, "' line ", row, ", column ", t.columns[c],
                       ": '", cells[c], "' is not a number");
      }
      t.values[c].push_back(v);
    }
  }
  METARL_REQUIRE(!t.values.empty() && !t.values[0].empty(), "'", file, "' has a header but no rows");
  return t;
}

}  // namespace metarl::runners
