#include "envs/fewshot/synthetic_images.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "core/error.h"
#include "core/png_file.h"
#include "core/rng.h"

namespace metarl::envs::fewshot {

namespace fs = std::filesystem;

namespace {
const ImageDatasetPreset* FindPreset(const std::string& task) {
  for (const auto& p : ImageDatasetPresets()) {
    if (p.name == task && !p.classes.empty()) return &p;
  }
  return nullptr;
}
}  // namespace

void SyntheticImagesOptions::Validate() const {
  std::string known;
  for (const auto& p : ImageDatasetPresets()) {
    if (!p.classes.empty()) known += (known.empty() ? "" : ", ") + p.name;
  }
  METARL_REQUIRE(FindPreset(task) != nullptr, "--task '", task, "': expected one of ", known);
  METARL_REQUIRE(!output.empty(), "--output: expected the folder to create");
  std::error_code ec;
  METARL_REQUIRE(!fs::exists(output, ec), "--output '", output, "' exists: expected a new folder");
  METARL_REQUIRE(images_per_class >= 2 && images_per_class <= 10000, "--images-per-class = ", images_per_class,
                 ": expected 2..10000");
}

int64_t WriteSyntheticImages(const SyntheticImagesOptions& options) {
  options.Validate();
  const ImageDatasetPreset& preset = *FindPreset(options.task);
  const int s = preset.image_size;
  const char* stems[3] = {"train", "val", "test"};
  Rng rng(options.seed);
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(s) * s * 3);
  int64_t written = 0, id = 0;
  for (int k = 0; k < 3; ++k) {
    for (int64_t c = 0; c < preset.classes[static_cast<std::size_t>(k)]; ++c, ++id) {
      char name[16];
      std::snprintf(name, sizeof(name), "c%05lld", static_cast<long long>(id));
      const fs::path dir = fs::path(options.output) / stems[k] / name;
      fs::create_directories(dir);
      const double colour[3] = {rng.Uniform(40.0, 215.0), rng.Uniform(40.0, 215.0), rng.Uniform(40.0, 215.0)};
      for (int i = 0; i < options.images_per_class; ++i) {
        for (std::size_t p = 0; p < pixels.size(); ++p) {
          const double v = colour[p % 3] + rng.Uniform(-40.0, 40.0);
          pixels[p] = static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0));
        }
        char file[16];
        std::snprintf(file, sizeof(file), "%04d.png", i);
        WritePngFile((dir / file).string(), s, s, pixels.data(), PngLayout::kRgb);
        ++written;
      }
    }
  }
  return written;
}

}  // namespace metarl::envs::fewshot
