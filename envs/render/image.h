#pragma once
// RGB images for rendering: 8 bits per channel, rows top to bottom, and
// their PNG files (libpng).

#include <cstdint>
#include <string>
#include <vector>

namespace metarl::envs::render {

struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // width · height · 3, row-major, top row first

  RgbImage() = default;
  RgbImage(int w, int h) : width(w), height(h), pixels(static_cast<std::size_t>(w) * h * 3, 0) {}
  const std::uint8_t* at(int x, int y) const { return pixels.data() + (static_cast<std::size_t>(y) * width + x) * 3; }
};

// Images side by side, left to right, top-aligned (a shorter one is padded
// with black). std::invalid_argument when `images` is empty.
RgbImage SideBySide(const std::vector<RgbImage>& images);

// Writes `image` as an 8-bit RGB PNG. std::runtime_error naming the file
// when it cannot be written (the file is written to a temporary name and
// renamed, so a failed write leaves no partial file).
void WritePng(const std::string& file, const RgbImage& image);
// Reads an 8-bit RGB PNG (any PNG libpng can convert). std::invalid_argument
// naming the file when it is missing or not a PNG.
RgbImage ReadPng(const std::string& file);

}  // namespace metarl::envs::render
