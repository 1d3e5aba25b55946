// `metarl plot DIR [DIR…]`: learning curves of training runs from their
// metrics.csv, against meta-iteration and against wall-clock hours, as one
// PNG (runners/plot.h).

#include <cmath>
#include <filesystem>
#include <iostream>

#include "core/error.h"
#include "runners/cli/commands.h"
#include "runners/cli/parse.h"
#include "runners/plot.h"

namespace metarl::cli {
namespace po = boost::program_options;

namespace {

// The column a run is judged by when --y is not given: the post-adaptation
// return (MAML family: the last return_stepK), the last episode of an RL²
// trial, or a few-shot run's query accuracy.
std::string DefaultColumn(const runners::MetricsTable& t) {
  std::string best;
  for (const auto& c : t.columns) {
    if (c.rfind("return_step", 0) == 0 || c.rfind("return_episode", 0) == 0) best = c;
  }
  if (!best.empty()) return best;
  if (t.Has("query_accuracy")) return "query_accuracy";
  throw std::invalid_argument(Cat(t.file, ": no return_step*, return_episode* or query_accuracy column; name one ",
                                  "with --y"));
}

std::string TimeColumn(const runners::MetricsTable& t) {
  if (t.Has("seconds_total")) return "seconds_total";
  if (t.Has("seconds")) return "seconds";
  throw std::invalid_argument(Cat(t.file, ": no seconds_total or seconds column for the wall-clock axis"));
}

}  // namespace

int PlotCommand(const std::vector<std::string>& args) {
  std::vector<std::string> dirs;
  std::string out, y;
  int width = 1200, height = 450;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("run", po::value(&dirs)->composing(), "training output directory (positional, repeatable)")
      ("out,o", po::value(&out), "PNG path (default: DIR/learning_curves.png for one run, else ./learning_curves.png)")
      ("y", po::value(&y), "metrics.csv column to plot (default: the post-adaptation return / query accuracy)")
      ("width", po::value(&width)->default_value(width), "pixels")
      ("height", po::value(&height)->default_value(height), "pixels");
  po::positional_options_description positional;
  positional.add("run", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).positional(positional).run(), vm);
  const std::string usage =
      "usage: metarl plot DIR [DIR...] [--out FILE.png] [--y COLUMN]\n"
      "Learning curves from the runs' metrics.csv, against meta-iteration and against wall-clock hours.";
  if (vm.count("help")) {
    std::cout << usage << "\n" << desc << "\n";
    return 0;
  }
  po::notify(vm);
  METARL_REQUIRE(!dirs.empty(), "metarl plot: name at least one training output directory\n", usage);
  if (out.empty()) out = dirs.size() == 1 ? (std::filesystem::path(dirs[0]) / "learning_curves.png").string()
                                          : "learning_curves.png";
  runners::PlotPanel by_iteration, by_time;
  std::string column;
  for (const std::string& dir : dirs) {
    const runners::MetricsTable t = runners::ReadMetrics((std::filesystem::path(dir) / "metrics.csv").string());
    const std::string c = y.empty() ? DefaultColumn(t) : y;
    column = column.empty() ? c : column == c ? c : "value";
    const std::vector<double>& values = t.Column(c);
    const std::vector<double>& seconds = t.Column(TimeColumn(t));
    runners::Series it{dir, t.Column("iteration"), values, {}}, time{dir, {}, values, {}};
    double hours = 0.0;
    for (double s : seconds) {
      if (std::isfinite(s)) hours += s / 3600.0;
      time.x.push_back(hours);
    }
    by_iteration.series.push_back(it);
    by_time.series.push_back(time);
  }
  by_iteration.labels = {column + " by meta-iteration", "meta-iteration", column, 0, 0};
  by_time.labels = {column + " by wall-clock time", "hours (sum of the iterations' seconds)", column, 0, 0};
  runners::WritePlotPng(out, {by_iteration, by_time}, width, height);
  std::cout << "wrote " << out << "\n";
  return 0;
}

}  // namespace metarl::cli
