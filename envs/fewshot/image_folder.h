#pragma once
// N-way K-shot classification episodes from colour image datasets in their
// standard on-disk layouts: mini-ImageNet, tiered-ImageNet, CIFAR-FS, FC100
// (presets, with their image sizes, class counts and normalisation), or any
// dataset in one of the layouts (`image-folder`).
//
// Layouts (`layout`; auto picks the first that ROOT has):
//   csv          ROOT/train.csv, ROOT/val.csv, ROOT/test.csv ("filename,label"
//                after a header line) and ROOT/images/<filename>: Ravi &
//                Larochelle's mini-ImageNet split;
//   folders      ROOT/train/<class>/<image>, ROOT/val/<class>/…, ROOT/test/<class>/…;
//   class-lists  ROOT/data/<class>/<image> and ROOT/splits/<split-lists>/
//                train.txt, val.txt, test.txt, one class per line: the
//                CIFAR-FS download of learn2learn and torchmeta (split-lists:
//                bertinetto).
// Images are .png, .jpg or .jpeg, read as RGB, resized to image-size ×
// image-size by the exact area filter (AreaResize, per channel; no resizing
// when the size matches) and rounded to 8 bits; with `normalise`, each
// channel becomes (v/255 − mean_c)/std_c, else v/255. Meta-training episodes
// are augmented when `augment` says so (image_augment.h); validation and
// test episodes never are.
//
// Classes are the split's classes in sorted name order; an episode draws N
// distinct classes and K + Q distinct images of each (envs/fewshot/draw.h),
// so an image is never in both the support and the query set.
// Episode layout: support_x [T, N·K, 3, S, S] float, support_y [T, N·K] int64
// (examples grouped by class, classes in draw order); query likewise.
//
// `preload: true` decodes every image once at construction (8-bit, resized:
// 3·S² bytes each, 1.3 GB for mini-ImageNet at 84 × 84); `false` decodes an
// episode's images when it is drawn (tiered-ImageNet's 779 165 images would
// need 16 GB); `auto` preloads when the images fit in 4 GiB. Both give the
// same episodes.

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "core/config.h"
#include "envs/fewshot/episode_shape.h"
#include "envs/fewshot/episodes.h"
#include "envs/fewshot/image_augment.h"

namespace metarl::envs::fewshot {

// What a preset fixes: its name, defaults and the class counts a complete
// copy of the dataset has.
struct ImageDatasetPreset {
  std::string name;                 // the task name (config key `task`)
  int image_size = 84;              // default image-size
  std::vector<double> mean, std;    // default normalisation (empty: normalise off by default)
  std::vector<int64_t> classes;     // {train, val, test} class counts; empty: not checked
  std::string split_lists;          // default split-lists (class-lists layout)
  std::string where;                // where users get the data and which layout it comes in
};
// The presets by task name: mini-imagenet, tiered-imagenet, cifar-fs, fc100,
// image-folder (no fixed counts, no default normalisation).
const std::vector<ImageDatasetPreset>& ImageDatasetPresets();

struct ImageFolderOptions : EpisodeShape {
  std::string root;                 // dataset folder (required)
  std::string layout = "auto";      // auto | csv | folders | class-lists
  std::string split_lists;          // class-lists: the folder under ROOT/splits (preset default)
  int image_size = 84;              // S (preset default)
  bool normalise = true;            // per-channel (v/255 − mean)/std (preset default; image-folder: false)
  std::vector<double> mean, std;    // per channel (preset defaults)
  ImageAugmentation augment;        // meta-training episodes only (task-kwargs.augment)
  std::string preload = "auto";     // auto | true | false
  bool check_class_counts = true;   // refuse a copy whose class counts differ from the preset's

  // Defaults from `preset`, then the keys: root, layout, split-lists,
  // image-size, normalise, mean, std, augment.{…}, preload,
  // check-class-counts, and the episode shape (EpisodeShape).
  void Read(const ImageDatasetPreset& preset, ConfigMap& config);
  void Validate() const;  // std::invalid_argument naming task-kwargs.<key>
};

class ImageFolderTasks final : public FewShotTasks {
 public:
  // Indexes (and with preload reads) every image. std::invalid_argument
  // naming the folder or file for a missing or malformed dataset (with the
  // layouts expected and where to get the data), class counts other than
  // the preset's, too few classes for the ways, or a class with fewer images
  // than shots + query.
  ImageFolderTasks(ImageDatasetPreset preset, ImageFolderOptions options);

  std::string name() const override { return preset_.name; }
  bool classification() const override { return true; }
  std::vector<int64_t> input_shape() const override { return {3, options_.image_size, options_.image_size}; }
  int64_t num_outputs() const override { return options_.ways; }
  int64_t train_ways() const override { return options_.Ways(true); }
  EpisodeBatch Sample(int64_t tasks, Split split, Rng& rng) const override;
  std::string SplitListing() const override;  // "split,class" lines

  const std::string& layout() const { return layout_; }  // the layout found (auto resolved)
  int64_t num_classes(Split split) const;
  bool preloaded() const { return pixels_.defined(); }

 private:
  struct Class {
    std::string name;
    std::vector<std::string> files;  // absolute paths, sorted
    int64_t first_image = 0;         // index into pixels_ when preloaded
  };
  void Index();
  // Image `i` of class `c` of `split` as 8-bit RGB [3, S, S] (from the
  // preload or decoded now).
  void Pixels(const Class& c, int64_t i, std::uint8_t* out) const;
  const std::vector<Class>& Classes(Split split) const;

  ImageDatasetPreset preset_;
  ImageFolderOptions options_;
  std::string layout_;
  std::vector<Class> splits_[3];  // train, validation, test
  at::Tensor pixels_;             // [images, 3, S, S] uint8 when preloaded
};

// An image file as 8-bit RGB [3, s, s]: decoded (core/jpeg_file.h), area-
// resized per channel when its size differs, rounded. std::invalid_argument
// naming the file when it cannot be read.
at::Tensor LoadRgbImage(const std::string& file, int64_t s);

}  // namespace metarl::envs::fewshot
