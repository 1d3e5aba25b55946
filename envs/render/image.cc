#include "envs/render/image.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/error.h"
#include "core/png_file.h"

namespace metarl::envs::render {

RgbImage SideBySide(const std::vector<RgbImage>& images) {
  METARL_REQUIRE(!images.empty(), "SideBySide: no images");
  int width = 0, height = 0;
  for (const auto& im : images) {
    width += im.width;
    height = std::max(height, im.height);
  }
  RgbImage out(width, height);
  int x0 = 0;
  for (const auto& im : images) {
    for (int y = 0; y < im.height; ++y) {
      std::memcpy(out.pixels.data() + (static_cast<std::size_t>(y) * width + x0) * 3, im.at(0, y),
                  static_cast<std::size_t>(im.width) * 3);
    }
    x0 += im.width;
  }
  return out;
}

void WritePng(const std::string& file, const RgbImage& image) {
  WritePngFile(file, image.width, image.height, image.pixels.data(), PngLayout::kRgb);
}

RgbImage ReadPng(const std::string& file) {
  PngPixels png = ReadPngFile(file, PngLayout::kRgb);
  RgbImage image;
  image.width = png.width;
  image.height = png.height;
  image.pixels = std::move(png.pixels);
  return image;
}

}  // namespace metarl::envs::render
