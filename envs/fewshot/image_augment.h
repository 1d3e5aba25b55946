#pragma once
// Data augmentation of colour few-shot images (meta-training episodes), as
// the standard recipe of the embedding baselines (RFS, Tian et al. 2020;
// MetaOptNet, Lee et al. 2019) composes torchvision's transforms:
//   RandomCrop(S, padding = crop-padding) → ColorJitter(brightness, contrast,
//   saturation = colour-jitter) → RandomHorizontalFlip.
// Differences from torchvision, by design: the three jitter factors are
// applied in a fixed order (brightness, contrast, saturation) rather than a
// random one.
//
// Images are float [3, S, S] in [0, 1] (before normalisation); the draws
// come from the caller's Rng, in a fixed order per image, so episodes stay
// deterministic for a seed.

#include "core/config.h"
#include "core/rng.h"

namespace metarl::envs::fewshot {

struct ImageAugmentation {
  int crop_padding = 0;        // pad by this many zero pixels, crop S × S at a random offset (0: off)
  bool flip = false;           // mirror left-right with probability 1/2
  double colour_jitter = 0.0;  // brightness, contrast, saturation factors ~ U[1 − j, 1 + j] (0: off)

  void Read(ConfigMap& config);  // keys: crop-padding, flip, colour-jitter (task-kwargs.augment)
  void Validate() const;         // std::invalid_argument naming task-kwargs.augment.<key>
  bool enabled() const { return crop_padding > 0 || flip || colour_jitter > 0.0; }
};

// Augments one image in place: `pixels` [3, s, s] row-major floats in [0, 1].
// Contrast blends with the mean of the image's luma (0.299 R + 0.587 G +
// 0.114 B), saturation with each pixel's luma, both clamped to [0, 1]
// (torchvision's adjust_contrast / adjust_saturation); brightness scales and
// clamps.
void AugmentImage(const ImageAugmentation& augment, int64_t s, Rng& rng, float* pixels);

}  // namespace metarl::envs::fewshot
