#include "envs/render/image.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <png.h>

#include "core/error.h"

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
  const std::string partial = file + ".partial";
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&png, partial.c_str(), 0, image.pixels.data(), 0, nullptr)) {
    const std::string why = png.message;
    std::remove(partial.c_str());
    throw std::runtime_error(Cat("could not write the PNG '", file, "': ", why));
  }
  std::error_code ec;
  std::filesystem::rename(partial, file, ec);
  if (ec) {
    std::remove(partial.c_str());
    throw std::runtime_error(Cat("could not write the PNG '", file, "': ", ec.message()));
  }
}

RgbImage ReadPng(const std::string& file) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, file.c_str())) {
    throw std::invalid_argument(Cat("'", file, "' is not a readable PNG: ", png.message));
  }
  png.format = PNG_FORMAT_RGB;
  RgbImage image(static_cast<int>(png.width), static_cast<int>(png.height));
  if (!png_image_finish_read(&png, nullptr, image.pixels.data(), 0, nullptr)) {
    const std::string why = png.message;
    png_image_free(&png);
    throw std::invalid_argument(Cat("'", file, "' is not a readable PNG: ", why));
  }
  return image;
}

}  // namespace metarl::envs::render
