#pragma once
// 8-bit PNG files through libpng's simplified API: the one place that reads
// and writes them (render frames and plots in RGB, few-shot images in grey).

#include <cstdint>
#include <string>
#include <vector>

namespace metarl {

enum class PngLayout { kGrey, kRgb };  // 1 or 3 bytes per pixel

struct PngPixels {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // width · height · channels, row-major, top row first
};

// Reads any PNG libpng can convert, in `layout`. std::invalid_argument
// naming the file when it is missing or not a PNG.
PngPixels ReadPngFile(const std::string& file, PngLayout layout);

// Writes width × height pixels in `layout` (`pixels` holds width · height ·
// channels bytes). Written to FILE.partial and renamed, so a failed write
// leaves neither a partial file nor a changed old one. std::runtime_error
// naming the file when it cannot be written.
void WritePngFile(const std::string& file, int width, int height, const std::uint8_t* pixels, PngLayout layout);

}  // namespace metarl
