#include "envs/fewshot/image_folder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

#include <ATen/ATen.h>

#include "core/error.h"
#include "core/jpeg_file.h"
#include "envs/fewshot/draw.h"
#include "envs/fewshot/omniglot.h"

namespace metarl::envs::fewshot {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSplitStems[3] = {"train", "val", "test"};
constexpr double kPreloadLimitBytes = 4.0 * 1024 * 1024 * 1024;

std::vector<double> Over255(std::vector<double> v) {
  for (double& x : v) x /= 255.0;
  return v;
}

bool IsImage(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

std::string Trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

const std::vector<ImageDatasetPreset>& ImageDatasetPresets() {
  // Channel statistics of the training images as the embedding baselines
  // publish them (MetaOptNet, RFS): ImageNet subsets and CIFAR-100 subsets.
  static const std::vector<double> kImageNetMean = Over255({120.39586422, 115.59361427, 104.54012653});
  static const std::vector<double> kImageNetStd = Over255({70.68188272, 68.27635443, 72.54505529});
  static const std::vector<double> kCifarMean = Over255({129.37731888, 124.10583864, 112.47758569});
  static const std::vector<double> kCifarStd = Over255({68.20947949, 65.43124043, 70.45866994});
  static const std::vector<ImageDatasetPreset> presets = {
      {"mini-imagenet", 84, kImageNetMean, kImageNetStd, {64, 16, 20}, "",
       "mini-ImageNet with Ravi & Larochelle's split (64/16/20 classes of 600 images): train.csv, val.csv and "
       "test.csv from github.com/twitter/meta-learning-lstm (data/miniImagenet) with the 60,000 ImageNet images "
       "they name in ROOT/images (obtain ImageNet under its terms), or the same split as class folders "
       "ROOT/train, ROOT/val, ROOT/test"},
      {"tiered-imagenet", 84, kImageNetMean, kImageNetStd, {351, 97, 160}, "",
       "tiered-ImageNet (Ren et al. 2018; 351/97/160 classes from 20/6/8 ImageNet categories): the split of "
       "github.com/renmengye/few-shot-ssl-public, its images as class folders ROOT/train, ROOT/val, ROOT/test"},
      {"cifar-fs", 32, kCifarMean, kCifarStd, {64, 16, 20}, "bertinetto",
       "CIFAR-FS (Bertinetto et al. 2019; 64/16/20 CIFAR-100 classes of 600 images): ROOT/data/<class>/*.png with "
       "ROOT/splits/bertinetto/train.txt, val.txt, test.txt (the layout learn2learn's and torchmeta's CIFAR-FS "
       "downloads unpack to), or class folders ROOT/train, ROOT/val, ROOT/test"},
      {"fc100", 32, kCifarMean, kCifarStd, {60, 20, 20}, "",
       "FC100 (Oreshkin et al. 2018; CIFAR-100 split by superclass, 12/4/4 superclasses = 60/20/20 classes): "
       "class folders ROOT/train, ROOT/val, ROOT/test"},
      {"image-folder", 84, {}, {}, {}, "", "any dataset in one of the layouts"},
  };
  return presets;
}

void ImageFolderOptions::Read(const ImageDatasetPreset& preset, ConfigMap& config) {
  image_size = preset.image_size;
  mean = preset.mean;
  std = preset.std;
  normalise = !preset.mean.empty();
  split_lists = preset.split_lists;
  check_class_counts = !preset.classes.empty();
  config.Require("root", &root);
  config.Read("layout", &layout);
  config.Read("split-lists", &split_lists);
  config.Read("image-size", &image_size);
  config.Read("normalise", &normalise);
  config.Read("mean", &mean);
  config.Read("std", &std);
  ConfigMap augment_map = config.Child("augment");
  augment.Read(augment_map);
  config.Read("preload", &preload);
  config.Read("check-class-counts", &check_class_counts);
  ReadShape(config);
}

void ImageFolderOptions::Validate() const {
  METARL_REQUIRE(!root.empty(), "task-kwargs.root: expected the dataset folder");
  METARL_REQUIRE(layout == "auto" || layout == "csv" || layout == "folders" || layout == "class-lists",
                 "task-kwargs.layout = '", layout, "': expected auto, csv, folders or class-lists");
  METARL_REQUIRE(image_size >= 4 && image_size <= 512, "task-kwargs.image-size = ", image_size,
                 ": expected 4..512 pixels");
  if (normalise) {
    METARL_REQUIRE(mean.size() == 3 && std.size() == 3, "task-kwargs.mean / std: expected 3 values each (one per ",
                   "RGB channel) with normalise: true, got ", mean.size(), " and ", std.size());
    for (int c = 0; c < 3; ++c) {
      METARL_REQUIRE(std::isfinite(mean[c]) && std::isfinite(std[c]) && std[c] > 0.0, "task-kwargs.std[", c,
                     "] = ", std[c], ", mean[", c, "] = ", mean[c], ": expected finite values, std > 0");
    }
  }
  METARL_REQUIRE(preload == "auto" || preload == "true" || preload == "false", "task-kwargs.preload = '", preload,
                 "': expected auto, true or false");
  augment.Validate();
  ValidateShape();
}

at::Tensor LoadRgbImage(const std::string& file, int64_t s) {
  PngPixels rgb = ReadImageFile(file, PngLayout::kRgb);
  const at::Tensor hwc = at::from_blob(rgb.pixels.data(), {rgb.height, rgb.width, 3}, at::kByte);
  if (rgb.height == s && rgb.width == s) return hwc.permute({2, 0, 1}).contiguous();
  const at::Tensor chw = hwc.permute({2, 0, 1}).to(at::kFloat);
  std::vector<at::Tensor> channels;
  for (int64_t c = 0; c < 3; ++c) channels.push_back(AreaResize(chw[c], s));
  return at::stack(channels).round_().clamp_(0.0, 255.0).to(at::kByte);
}

ImageFolderTasks::ImageFolderTasks(ImageDatasetPreset preset, ImageFolderOptions options)
    : preset_(std::move(preset)), options_(std::move(options)) {
  options_.Validate();
  Index();
  const int64_t s = options_.image_size;
  int64_t images = 0;
  for (const auto& split : splits_)
    for (const auto& c : split) images += static_cast<int64_t>(c.files.size());
  const bool preload = options_.preload == "true" ||
                       (options_.preload == "auto" && static_cast<double>(images) * 3 * s * s <= kPreloadLimitBytes);
  if (!preload) return;
  pixels_ = at::empty({images, 3, s, s}, at::kByte);
  int64_t next = 0;
  for (auto& split : splits_) {
    for (auto& c : split) {
      c.first_image = next;
      for (const auto& f : c.files) pixels_[next++].copy_(LoadRgbImage(f, s));
    }
  }
}

void ImageFolderTasks::Index() {
  const std::string& root = options_.root;
  const std::string help = Cat("expected one of the layouts: csv (", root, "/train.csv, val.csv, test.csv and ", root,
                               "/images/), folders (", root, "/train/<class>/, ", root, "/val/<class>/, ", root,
                               "/test/<class>/) or class-lists (", root, "/data/<class>/ and ", root,
                               "/splits/<split-lists>/train.txt, val.txt, test.txt). ", preset_.name, ": ",
                               preset_.where);
  std::error_code ec;
  METARL_REQUIRE(fs::is_directory(root, ec), preset_.name, ": dataset folder '", root, "' does not exist; ", help);
  layout_ = options_.layout;
  if (layout_ == "auto") {
    if (fs::is_regular_file(fs::path(root) / "train.csv", ec)) {
      layout_ = "csv";
    } else if (fs::is_directory(fs::path(root) / "train", ec)) {
      layout_ = "folders";
    } else if (fs::is_directory(fs::path(root) / "data", ec) && fs::is_directory(fs::path(root) / "splits", ec)) {
      layout_ = "class-lists";
    } else {
      throw std::invalid_argument(Cat(preset_.name, ": '", root, "' has none of the layouts; ", help));
    }
  }
  auto image_files = [&](const fs::path& dir) {
    METARL_REQUIRE(fs::is_directory(dir, ec), preset_.name, ": class folder '", dir.string(), "' is missing; ", help);
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file() && IsImage(e.path())) files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    METARL_REQUIRE(!files.empty(), preset_.name, ": class folder '", dir.string(),
                   "' holds no .png, .jpg or .jpeg images; ", help);
    return files;
  };
  for (int k = 0; k < 3; ++k) {
    std::vector<Class>& classes = splits_[k];
    const std::string stem = kSplitStems[k];
    if (layout_ == "folders") {
      const fs::path dir = fs::path(root) / stem;
      METARL_REQUIRE(fs::is_directory(dir, ec), preset_.name, ": '", dir.string(), "' is missing; ", help);
      std::vector<fs::path> dirs;
      for (const auto& e : fs::directory_iterator(dir)) {
        if (e.is_directory()) dirs.push_back(e.path());
      }
      std::sort(dirs.begin(), dirs.end());
      for (const auto& d : dirs) classes.push_back({d.filename().string(), image_files(d), 0});
    } else if (layout_ == "class-lists") {
      const fs::path list = fs::path(root) / "splits" / options_.split_lists / (stem + ".txt");
      std::ifstream in(list);
      METARL_REQUIRE(!options_.split_lists.empty() && in.good(), preset_.name, ": the class list '", list.string(),
                     "' is missing (task-kwargs.split-lists = '", options_.split_lists, "'); ", help);
      std::vector<std::string> names;
      for (std::string line; std::getline(in, line);) {
        if (!Trim(line).empty()) names.push_back(Trim(line));
      }
      std::sort(names.begin(), names.end());
      for (const auto& n : names) classes.push_back({n, image_files(fs::path(root) / "data" / n), 0});
    } else {  // csv
      const fs::path csv = fs::path(root) / (stem + ".csv");
      std::ifstream in(csv);
      METARL_REQUIRE(in.good(), preset_.name, ": '", csv.string(), "' is missing; ", help);
      std::map<std::string, std::vector<std::string>> by_label;
      std::string line;
      std::getline(in, line);  // header
      METARL_REQUIRE(line.find("filename") != std::string::npos && line.find("label") != std::string::npos,
                     preset_.name, ": '", csv.string(), "' line 1 = '", Trim(line),
                     "': expected the header 'filename,label'");
      for (int64_t number = 2; std::getline(in, line); ++number) {
        if (Trim(line).empty()) continue;
        const auto comma = line.find(',');
        METARL_REQUIRE(comma != std::string::npos && comma > 0, preset_.name, ": '", csv.string(), "' line ",
                       number, " = '", Trim(line), "': expected filename,label");
        const fs::path file = fs::path(root) / "images" / Trim(line.substr(0, comma));
        METARL_REQUIRE(fs::is_regular_file(file, ec), preset_.name, ": '", file.string(), "' (", csv.string(),
                       " line ", number, ") is missing; ", help);
        by_label[Trim(line.substr(comma + 1))].push_back(file.string());
      }
      for (auto& [label, files] : by_label) {
        std::sort(files.begin(), files.end());
        classes.push_back({label, files, 0});
      }
    }
  }
  const std::vector<int64_t> counts = {num_classes(Split::kTrain), num_classes(Split::kValidation),
                                       num_classes(Split::kTest)};
  if (options_.check_class_counts && !preset_.classes.empty()) {
    METARL_REQUIRE(counts == preset_.classes, preset_.name, ": '", root, "' has ", counts[0], "/", counts[1], "/",
                   counts[2], " train/val/test classes; the dataset has ", preset_.classes[0], "/",
                   preset_.classes[1], "/", preset_.classes[2],
                   " (a partial copy? set task-kwargs.check-class-counts: false to use this one); ", preset_.where);
  }
  for (int k = 0; k < 3; ++k) {
    const bool training = k == 0;
    const int64_t ways = options_.Ways(training);
    METARL_REQUIRE(counts[k] >= ways, preset_.name, ": the ", kSplitStems[k], " split has ", counts[k],
                   " classes, fewer than ", training ? "train-ways" : "ways", " = ", ways);
    for (const auto& c : splits_[k]) {
      METARL_REQUIRE(static_cast<int64_t>(c.files.size()) >= options_.ExamplesPerClass(), preset_.name, ": class '",
                     c.name, "' (", kSplitStems[k], ") has ", c.files.size(), " images, fewer than shots + query = ",
                     options_.ExamplesPerClass(), " (the larger of the training and the evaluation episode shapes)");
    }
  }
}

int64_t ImageFolderTasks::num_classes(Split split) const { return static_cast<int64_t>(Classes(split).size()); }

const std::vector<ImageFolderTasks::Class>& ImageFolderTasks::Classes(Split split) const {
  switch (split) {
    case Split::kTrain:
      return splits_[0];
    case Split::kValidation:
      return splits_[1];
    case Split::kTest:
      return splits_[2];
  }
  return splits_[2];
}

void ImageFolderTasks::Pixels(const Class& c, int64_t i, std::uint8_t* out) const {
  const int64_t bytes = 3 * options_.image_size * options_.image_size;
  if (pixels_.defined()) {
    std::memcpy(out, pixels_.data_ptr<std::uint8_t>() + (c.first_image + i) * bytes, static_cast<std::size_t>(bytes));
    return;
  }
  const at::Tensor image = LoadRgbImage(c.files[static_cast<std::size_t>(i)], options_.image_size);
  std::memcpy(out, image.data_ptr<std::uint8_t>(), static_cast<std::size_t>(bytes));
}

std::string ImageFolderTasks::SplitListing() const {
  std::ostringstream out;
  out << "split,class\n";
  for (Split split : {Split::kTrain, Split::kValidation, Split::kTest}) {
    for (const auto& c : Classes(split)) out << SplitName(split) << "," << c.name << "\n";
  }
  return out.str();
}

EpisodeBatch ImageFolderTasks::Sample(int64_t tasks, Split split, Rng& rng) const {
  METARL_REQUIRE(tasks >= 1, preset_.name, ": ", tasks, " tasks requested: expected at least 1");
  const std::vector<Class>& classes = Classes(split);
  const bool training = split == Split::kTrain;
  const int64_t n = options_.Ways(training), k = options_.Shots(training), q = options_.Query(training);
  const int64_t s = options_.image_size, plane = s * s;
  EpisodeBatch b = EmptyImageEpisodes(tasks, n, k, q, 3, s);
  float* xs = b.support_x.data_ptr<float>();
  float* xq = b.query_x.data_ptr<float>();
  int64_t* ys = b.support_y.data_ptr<int64_t>();
  int64_t* yq = b.query_y.data_ptr<int64_t>();
  const bool augment = training && options_.augment.enabled();
  std::vector<std::uint64_t> picked;
  std::vector<int64_t> images;
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(3 * plane));
  for (int64_t t = 0; t < tasks; ++t) {
    DrawDistinct(rng, classes.size(), n, &picked);
    for (int64_t c = 0; c < n; ++c) {
      const Class& cls = classes[picked[static_cast<std::size_t>(c)]];
      images.resize(cls.files.size());
      std::iota(images.begin(), images.end(), 0);
      ShuffleFront(rng, k + q, &images);
      for (int64_t i = 0; i < k + q; ++i) {
        const bool support = i < k;
        const int64_t per_task = support ? n * k : n * q;
        const int64_t row = support ? c * k + i : c * q + (i - k);
        float* dst = (support ? xs : xq) + (t * per_task + row) * 3 * plane;
        Pixels(cls, images[static_cast<std::size_t>(i)], bytes.data());
        for (int64_t p = 0; p < 3 * plane; ++p) dst[p] = static_cast<float>(bytes[p]) / 255.0f;
        if (augment) AugmentImage(options_.augment, s, rng, dst);
        if (options_.normalise) {
          for (int64_t ch = 0; ch < 3; ++ch) {
            const auto mean = static_cast<float>(options_.mean[ch]), std = static_cast<float>(options_.std[ch]);
            for (int64_t p = 0; p < plane; ++p) dst[ch * plane + p] = (dst[ch * plane + p] - mean) / std;
          }
        }
        (support ? ys : yq)[t * per_task + row] = c;
      }
    }
  }
  return b;
}

}  // namespace metarl::envs::fewshot
