#include "core/jpeg_file.h"

#include <algorithm>
#include <cctype>
#include <csetjmp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

#include "core/error.h"

namespace metarl {

namespace {

// libjpeg reports fatal errors through error_exit, which must not return: it
// jumps back to the caller's setjmp with the message kept (no C++ exception
// crosses the C library).
struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void OnError(j_common_ptr info) {
  auto* error = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, error->message);
  std::longjmp(error->jump, 1);
}

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

PngPixels ReadJpegFile(const std::string& file, PngLayout layout) {
  File in(std::fopen(file.c_str(), "rb"));
  if (!in) throw std::invalid_argument(Cat("'", file, "' cannot be opened"));
  jpeg_decompress_struct info{};
  ErrorManager error{};
  info.err = jpeg_std_error(&error.base);
  error.base.error_exit = OnError;
  // Locals live across the longjmp are not modified after setjmp (the
  // pixels are behind a pointer set before it).
  const auto out = std::make_unique<PngPixels>();
  if (setjmp(error.jump) != 0) {
    jpeg_destroy_decompress(&info);
    throw std::invalid_argument(Cat("'", file, "' is not a readable JPEG: ", error.message));
  }
  jpeg_create_decompress(&info);
  jpeg_stdio_src(&info, in.get());
  jpeg_read_header(&info, TRUE);
  info.out_color_space = layout == PngLayout::kGrey ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&info);
  const int channels = layout == PngLayout::kGrey ? 1 : 3;
  out->width = static_cast<int>(info.output_width);
  out->height = static_cast<int>(info.output_height);
  out->pixels.resize(static_cast<std::size_t>(out->width) * out->height * channels);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = out->pixels.data() + static_cast<std::size_t>(info.output_scanline) * out->width * channels;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return std::move(*out);
}

void WriteJpegFile(const std::string& file, int width, int height, const std::uint8_t* pixels, PngLayout layout,
                   int quality) {
  const std::string partial = file + ".partial";
  {
    File out(std::fopen(partial.c_str(), "wb"));
    if (!out) throw std::runtime_error(Cat("could not write the JPEG '", file, "': cannot open ", partial));
    jpeg_compress_struct info{};
    ErrorManager error{};
    info.err = jpeg_std_error(&error.base);
    error.base.error_exit = OnError;
    if (setjmp(error.jump) != 0) {
      jpeg_destroy_compress(&info);
      std::remove(partial.c_str());
      throw std::runtime_error(Cat("could not write the JPEG '", file, "': ", error.message));
    }
    jpeg_create_compress(&info);
    jpeg_stdio_dest(&info, out.get());
    const int channels = layout == PngLayout::kGrey ? 1 : 3;
    info.image_width = static_cast<JDIMENSION>(width);
    info.image_height = static_cast<JDIMENSION>(height);
    info.input_components = channels;
    info.in_color_space = layout == PngLayout::kGrey ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
      auto* row = const_cast<JSAMPROW>(pixels + static_cast<std::size_t>(info.next_scanline) * width * channels);
      jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
  }
  std::error_code ec;
  std::filesystem::rename(partial, file, ec);
  if (ec) {
    std::remove(partial.c_str());
    throw std::runtime_error(Cat("could not write the JPEG '", file, "': ", ec.message()));
  }
}

PngPixels ReadImageFile(const std::string& file, PngLayout layout) {
  std::string ext = std::filesystem::path(file).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".png") return ReadPngFile(file, layout);
  if (ext == ".jpg" || ext == ".jpeg") return ReadJpegFile(file, layout);
  throw std::invalid_argument(Cat("'", file, "': expected a .png, .jpg or .jpeg image"));
}

}  // namespace metarl
