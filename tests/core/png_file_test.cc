// PNG files: grey and RGB round trips, a grey file read as RGB, and the
// errors for a missing file, a file that is not a PNG and an unwritable path
// (which leaves no partial file behind).

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/png_file.h"
#include "tests/test_util.h"

namespace metarl {
namespace {
namespace fs = std::filesystem;

TEST(PngFile, GreyAndRgbRoundTripAndGreyReadsAsRgb) {
  const fs::path dir = fs::temp_directory_path() / "metarl_png_file_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<std::uint8_t> grey(3 * 2);
  for (std::size_t i = 0; i < grey.size(); ++i) grey[i] = static_cast<std::uint8_t>(40 * i);
  WritePngFile((dir / "grey.png").string(), 3, 2, grey.data(), PngLayout::kGrey);
  const PngPixels g = ReadPngFile((dir / "grey.png").string(), PngLayout::kGrey);
  EXPECT_EQ(g.width, 3);
  EXPECT_EQ(g.height, 2);
  EXPECT_EQ(g.pixels, grey);
  const PngPixels as_rgb = ReadPngFile((dir / "grey.png").string(), PngLayout::kRgb);
  ASSERT_EQ(as_rgb.pixels.size(), 18u);
  EXPECT_EQ(as_rgb.pixels[3 * 4 + 1], grey[4]);

  std::vector<std::uint8_t> rgb(2 * 2 * 3);
  for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>(255 - 20 * i);
  WritePngFile((dir / "rgb.png").string(), 2, 2, rgb.data(), PngLayout::kRgb);
  EXPECT_EQ(ReadPngFile((dir / "rgb.png").string(), PngLayout::kRgb).pixels, rgb);
  EXPECT_FALSE(fs::exists(dir / "rgb.png.partial"));
  fs::remove_all(dir);
}

TEST(PngFile, ErrorsNameTheFile) {
  const fs::path dir = fs::temp_directory_path() / "metarl_png_file_errors";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string missing = (dir / "missing.png").string();
  EXPECT_NE(testing::InvalidArgumentMessage([&] { ReadPngFile(missing, PngLayout::kGrey); }).find(missing),
            std::string::npos);
  const std::string text = (dir / "text.png").string();
  std::ofstream(text) << "not a png";
  EXPECT_NE(testing::InvalidArgumentMessage([&] { ReadPngFile(text, PngLayout::kRgb); }).find(text),
            std::string::npos);
  const std::string unwritable = (dir / "no" / "such" / "dir.png").string();
  const std::uint8_t pixel = 0;
  try {
    WritePngFile(unwritable, 1, 1, &pixel, PngLayout::kGrey);
    ADD_FAILURE() << "writing into a missing folder did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(unwritable), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(unwritable + ".partial"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace metarl
