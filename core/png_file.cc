#include "core/png_file.h"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <png.h>

#include "core/error.h"

namespace metarl {

namespace {
png_uint_32 Format(PngLayout layout) { return layout == PngLayout::kGrey ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB; }
}  // namespace

PngPixels ReadPngFile(const std::string& file, PngLayout layout) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, file.c_str())) {
    throw std::invalid_argument(Cat("'", file, "' is not a readable PNG: ", png.message));
  }
  png.format = Format(layout);
  PngPixels out;
  out.width = static_cast<int>(png.width);
  out.height = static_cast<int>(png.height);
  out.pixels.resize(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, out.pixels.data(), 0, nullptr)) {
    const std::string why = png.message;
    png_image_free(&png);
    throw std::invalid_argument(Cat("'", file, "' is not a readable PNG: ", why));
  }
  return out;
}

void WritePngFile(const std::string& file, int width, int height, const std::uint8_t* pixels, PngLayout layout) {
  const std::string partial = file + ".partial";
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(width);
  png.height = static_cast<png_uint_32>(height);
  png.format = Format(layout);
  if (!png_image_write_to_file(&png, partial.c_str(), 0, pixels, 0, nullptr)) {
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

}  // namespace metarl
