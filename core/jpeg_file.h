#pragma once
// 8-bit JPEG files through libjpeg (libjpeg-turbo on Debian): the colour
// few-shot datasets (mini-ImageNet, tiered-ImageNet) store their images as
// JPEG. Pixels in PngPixels' layout (core/png_file.h).

#include <cstdint>
#include <string>

#include "core/png_file.h"

namespace metarl {

// Reads a baseline or progressive JPEG as grey or RGB (`layout`; libjpeg
// converts the colour space). std::invalid_argument naming the file when it
// is missing or not a readable JPEG (libjpeg's message included).
PngPixels ReadJpegFile(const std::string& file, PngLayout layout);

// Writes width × height pixels in `layout` at `quality` (1..100); written to
// FILE.partial and renamed. std::runtime_error naming the file on failure.
void WriteJpegFile(const std::string& file, int width, int height, const std::uint8_t* pixels, PngLayout layout,
                   int quality = 95);

// ReadPngFile or ReadJpegFile by the file's extension (.png; .jpg, .jpeg, any
// case). std::invalid_argument naming the file for another extension.
PngPixels ReadImageFile(const std::string& file, PngLayout layout);

}  // namespace metarl
