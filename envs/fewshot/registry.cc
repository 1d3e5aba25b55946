#include "envs/fewshot/registry.h"

#include "core/error.h"
#include "envs/fewshot/image_folder.h"
#include "envs/fewshot/omniglot.h"
#include "envs/fewshot/sinusoid.h"

namespace metarl::envs::fewshot {

const std::vector<FewShotTaskEntry>& FewShotTaskRegistry() {
  static const std::vector<FewShotTaskEntry> entries = {
      {"sinusoid", "regression y = A sin(x - phase), A ~ U[0.1, 5], phase ~ U[0, pi], x ~ U[-5, 5]"},
      {"omniglot", "N-way K-shot classification, Omniglot layout (task-kwargs.root), 90-degree rotations as classes"},
      {"mini-imagenet", "N-way K-shot colour images, 84x84, 64/16/20 classes (csv or class-folder layout)"},
      {"tiered-imagenet", "N-way K-shot colour images, 84x84, 351/97/160 classes (class folders)"},
      {"cifar-fs", "N-way K-shot colour images, 32x32, 64/16/20 CIFAR-100 classes (Bertinetto split)"},
      {"fc100", "N-way K-shot colour images, 32x32, 60/20/20 CIFAR-100 classes split by superclass"},
      {"image-folder", "N-way K-shot colour images from any dataset in the csv, folders or class-lists layout"},
  };
  return entries;
}

std::unique_ptr<FewShotTasks> MakeFewShotTasks(const std::string& name, ConfigMap& kwargs) {
  if (name == "sinusoid") {
    SinusoidOptions o;
    o.Read(kwargs);
    return std::make_unique<SinusoidTasks>(o);
  }
  if (name == "omniglot") {
    OmniglotOptions o;
    o.Read(kwargs);
    return std::make_unique<OmniglotTasks>(o);
  }
  for (const ImageDatasetPreset& preset : ImageDatasetPresets()) {
    if (preset.name != name) continue;
    ImageFolderOptions o;
    o.Read(preset, kwargs);
    return std::make_unique<ImageFolderTasks>(preset, o);
  }
  std::string known;
  for (const auto& e : FewShotTaskRegistry()) known += (known.empty() ? "" : ", ") + e.name;
  throw std::invalid_argument(Cat("unknown few-shot task '", name, "'; expected one of: ", known));
}

}  // namespace metarl::envs::fewshot
