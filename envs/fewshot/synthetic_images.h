#pragma once
// A synthetic dataset of a colour preset's real shape (its class counts and
// image size) in the `folders` layout, for timing the learners where the
// real data are not at hand (`metarl fewshot synthesize`): the costs of a
// meta-iteration depend on the shapes, not on the pixels. Each class is a
// random mean colour plus per-image noise, so the classes are learnable.

#include <cstdint>
#include <string>

#include "envs/fewshot/image_folder.h"

namespace metarl::envs::fewshot {

struct SyntheticImagesOptions {
  std::string task;             // a preset with class counts: mini-imagenet, tiered-imagenet, cifar-fs, fc100
  std::string output;           // folder to create (must not exist)
  int images_per_class = 20;    // 600 in the real mini-ImageNet, CIFAR-FS, FC100
  std::uint64_t seed = 0;
  void Validate() const;        // std::invalid_argument naming the option
};

// Writes OUTPUT/{train,val,test}/cNNNNN/NNNN.png; returns the images written.
int64_t WriteSyntheticImages(const SyntheticImagesOptions& options);

}  // namespace metarl::envs::fewshot
