// PNG line plots through gnuplot and the metrics.csv reader behind
// `metarl plot`.

#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "envs/render/image.h"
#include "runners/plot.h"
#include "tests/test_util.h"

namespace metarl::runners {
namespace {

namespace fs = std::filesystem;

TEST(Plot, WritesAPngOfTheRequestedSizeAndNoPartialFile) {
  const fs::path dir = fs::temp_directory_path() / "metarl_plot_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Series a{"MAML", {0, 1, 2, 3}, {-100, -60, -45, -40}, {10, 8, 7, 7}};
  const Series b{"it's a baseline", {0, 1, 2, 3}, {-100, -90, -85, NAN}, {}};
  WritePlotPng((dir / "curve.png").string(), {a, b}, {"adaptation", "gradient steps", "return", 640, 400});
  const envs::render::RgbImage image = envs::render::ReadPng((dir / "curve.png").string());
  EXPECT_EQ(image.width, 640);
  EXPECT_EQ(image.height, 400);
  // Not blank: a white page with lines and text has several distinct colours.
  int dark = 0;
  for (std::size_t i = 0; i + 2 < image.pixels.size(); i += 3) dark += image.pixels[i] < 128;
  EXPECT_GT(dark, 100);
  WritePlotPng((dir / "two.png").string(), {PlotPanel{{"left", "x", "y"}, {a}}, PlotPanel{{"right", "x", "y"}, {b}}},
               900, 300);
  EXPECT_EQ(envs::render::ReadPng((dir / "two.png").string()).width, 900);
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().string().find("partial"), std::string::npos);
  EXPECT_NE(testing::InvalidArgumentMessage([&] {
              WritePlotPng((dir / "bad.png").string(), {Series{"x", {1, 2}, {1}, {}}}, {});
            }).find("'x'"),
            std::string::npos);
}

TEST(Plot, ReadsMetricsWithEmptyCellsAndNamesBadFiles) {
  const fs::path file = fs::temp_directory_path() / "metarl_plot_metrics.csv";
  std::ofstream(file) << "iteration,return_step0,validation_accuracy,seconds\n0,-3.5,,1.5\n1,-2,0.75,1.25\n";
  const MetricsTable t = ReadMetrics(file.string());
  ASSERT_EQ(t.columns.size(), 4u);
  EXPECT_EQ(t.Column("return_step0")[1], -2.0);
  EXPECT_TRUE(std::isnan(t.Column("validation_accuracy")[0]));
  EXPECT_EQ(t.Column("validation_accuracy")[1], 0.75);
  EXPECT_NE(testing::InvalidArgumentMessage([&] { t.Column("kl"); }).find("return_step0"), std::string::npos);
  std::ofstream(file) << "iteration,return\n0,abc\n";
  EXPECT_NE(testing::InvalidArgumentMessage([&] { ReadMetrics(file.string()); }).find("'abc'"), std::string::npos);
  std::ofstream(file) << "iteration,return\n0\n";
  EXPECT_NE(testing::InvalidArgumentMessage([&] { ReadMetrics(file.string()); }).find("line 2"), std::string::npos);
  EXPECT_NE(testing::InvalidArgumentMessage([] { ReadMetrics("/nonexistent/metrics.csv"); }).find("/nonexistent"),
            std::string::npos);
}

}  // namespace
}  // namespace metarl::runners
