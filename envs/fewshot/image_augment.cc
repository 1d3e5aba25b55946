#include "envs/fewshot/image_augment.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace metarl::envs::fewshot {

void ImageAugmentation::Read(ConfigMap& config) {
  config.Read("crop-padding", &crop_padding);
  config.Read("flip", &flip);
  config.Read("colour-jitter", &colour_jitter);
}

void ImageAugmentation::Validate() const {
  METARL_REQUIRE(crop_padding >= 0 && crop_padding <= 64, "task-kwargs.augment.crop-padding = ", crop_padding,
                 ": expected 0 (off) .. 64 pixels");
  METARL_REQUIRE(std::isfinite(colour_jitter) && colour_jitter >= 0.0 && colour_jitter < 1.0,
                 "task-kwargs.augment.colour-jitter = ", colour_jitter, ": expected a number in [0, 1)");
}

namespace {

float Clamp01(double v) { return static_cast<float>(std::min(1.0, std::max(0.0, v))); }

double Luma(const float* p, int64_t plane, int64_t i) {
  return 0.299 * p[i] + 0.587 * p[plane + i] + 0.114 * p[2 * plane + i];
}

}  // namespace

void AugmentImage(const ImageAugmentation& augment, int64_t s, Rng& rng, float* pixels) {
  const int64_t plane = s * s;
  if (augment.crop_padding > 0) {
    // Crop [dy, dy + s) × [dx, dx + s) of the image padded by p on every side.
    const int64_t p = augment.crop_padding;
    const auto dy = static_cast<int64_t>(rng.UniformInt(static_cast<std::uint64_t>(2 * p + 1)));
    const auto dx = static_cast<int64_t>(rng.UniformInt(static_cast<std::uint64_t>(2 * p + 1)));
    std::vector<float> copy(pixels, pixels + 3 * plane);
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t i = 0; i < s; ++i) {
        for (int64_t j = 0; j < s; ++j) {
          const int64_t y = i + dy - p, x = j + dx - p;
          const bool inside = y >= 0 && y < s && x >= 0 && x < s;
          pixels[c * plane + i * s + j] = inside ? copy[static_cast<std::size_t>(c * plane + y * s + x)] : 0.0f;
        }
      }
    }
  }
  if (augment.colour_jitter > 0.0) {
    const double j = augment.colour_jitter;
    const double brightness = rng.Uniform(1.0 - j, 1.0 + j);
    const double contrast = rng.Uniform(1.0 - j, 1.0 + j);
    const double saturation = rng.Uniform(1.0 - j, 1.0 + j);
    for (int64_t i = 0; i < 3 * plane; ++i) pixels[i] = Clamp01(pixels[i] * brightness);
    double mean = 0.0;
    for (int64_t i = 0; i < plane; ++i) mean += Luma(pixels, plane, i);
    mean /= static_cast<double>(plane);
    for (int64_t i = 0; i < 3 * plane; ++i) pixels[i] = Clamp01(contrast * pixels[i] + (1.0 - contrast) * mean);
    for (int64_t i = 0; i < plane; ++i) {
      const double grey = Luma(pixels, plane, i);
      for (int64_t c = 0; c < 3; ++c) {
        float& v = pixels[c * plane + i];
        v = Clamp01(saturation * v + (1.0 - saturation) * grey);
      }
    }
  }
  if (augment.flip && rng.Uniform(0.0, 1.0) < 0.5) {
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t i = 0; i < s; ++i) std::reverse(pixels + c * plane + i * s, pixels + c * plane + (i + 1) * s);
    }
  }
}

}  // namespace metarl::envs::fewshot
