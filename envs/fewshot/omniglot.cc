#include "envs/fewshot/omniglot.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <sstream>

#include <ATen/ATen.h>

#include "core/error.h"
#include "core/png_file.h"
#include "envs/fewshot/draw.h"

namespace metarl::envs::fewshot {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSets[] = {"images_background", "images_evaluation"};

std::string LayoutHelp(const std::string& root) {
  return Cat("expected the Omniglot layout ", root, "/images_background/<alphabet>/<character>/*.png and ", root,
             "/images_evaluation/<alphabet>/<character>/*.png (download images_background.zip and "
             "images_evaluation.zip from https://github.com/brendenlake/omniglot, folder python/, and unzip both "
             "into ",
             root, ")");
}

std::vector<fs::path> SortedEntries(const fs::path& dir, bool directories) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (directories ? e.is_directory() : (e.is_regular_file() && e.path().extension() == ".png")) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// dst[S×S] = src rotated counter-clockwise by `quarter_turns` × 90° (as at::rot90).
void CopyRotated(const float* src, int64_t s, int64_t quarter_turns, float* dst) {
  for (int64_t i = 0; i < s; ++i) {
    for (int64_t j = 0; j < s; ++j) {
      int64_t r = i, c = j;
      switch (quarter_turns) {
        case 1: r = j, c = s - 1 - i; break;
        case 2: r = s - 1 - i, c = s - 1 - j; break;
        case 3: r = s - 1 - j, c = i; break;
        default: break;
      }
      dst[i * s + j] = src[r * s + c];
    }
  }
}

}  // namespace

void OmniglotOptions::Read(ConfigMap& config) {
  config.Require("root", &root);
  ReadShape(config);
  config.Read("image-size", &image_size);
  config.Read("rotations", &rotations);
  ReadBinaryChoice(config, "class-pool", &rotated_pool, "rotated", "characters",
                   "characters: distinct characters, one random rotation each; rotated: distinct classes of the "
                   "character × rotation pool");
  config.Read("train-characters", &train_characters);
  config.Read("validation-characters", &validation_characters);
  config.Read("split-seed", &split_seed);
}

void OmniglotOptions::Validate() const {
  METARL_REQUIRE(!root.empty(), "task-kwargs.root: expected the dataset folder");
  ValidateShape();
  METARL_REQUIRE(image_size >= 4 && image_size <= 256, "task-kwargs.image-size = ", image_size,
                 ": expected 4..256 pixels");
  METARL_REQUIRE(train_characters >= 1, "task-kwargs.train-characters = ", train_characters, ": expected >= 1");
  METARL_REQUIRE(validation_characters >= 0, "task-kwargs.validation-characters = ", validation_characters,
                 ": expected >= 0");
}

namespace {

// [s, n] weights of area resampling along one axis of n pixels: row i holds
// the overlap of each pixel [p, p + 1) with [i·n/s, (i+1)·n/s), over n/s.
at::Tensor AreaWeights(int64_t n, int64_t s) {
  at::Tensor w = at::zeros({s, n}, at::kDouble);
  double* d = w.data_ptr<double>();
  const double scale = static_cast<double>(n) / static_cast<double>(s);
  for (int64_t i = 0; i < s; ++i) {
    const double lo = static_cast<double>(i) * scale, hi = static_cast<double>(i + 1) * scale;
    for (auto p = static_cast<int64_t>(std::floor(lo)); p < n && static_cast<double>(p) < hi; ++p) {
      const double overlap = std::min(hi, static_cast<double>(p + 1)) - std::max(lo, static_cast<double>(p));
      if (overlap > 0.0) d[i * n + p] = overlap / scale;
    }
  }
  return w;
}

}  // namespace

at::Tensor AreaResize(const at::Tensor& image, int64_t s) {
  METARL_REQUIRE(image.dim() == 2 && s >= 1, "AreaResize: expected a [H, W] image and a positive size");
  const at::Tensor x = image.to(at::kDouble);
  return at::matmul(at::matmul(AreaWeights(image.size(0), s), x), AreaWeights(image.size(1), s).t())
      .to(at::kFloat);
}

OmniglotTasks::OmniglotTasks(OmniglotOptions options) : options_(std::move(options)) {
  options_.Validate();
  const fs::path root(options_.root);
  std::error_code ec;
  METARL_REQUIRE(fs::is_directory(root, ec), "omniglot: dataset folder '", options_.root, "' does not exist; ",
                 LayoutHelp(options_.root));
  std::vector<fs::path> files;
  for (const char* set : kSets) {
    const fs::path dir = root / set;
    METARL_REQUIRE(fs::is_directory(dir, ec), "omniglot: '", dir.string(), "' is missing; ", LayoutHelp(options_.root));
    const auto alphabets = SortedEntries(dir, true);
    METARL_REQUIRE(!alphabets.empty(), "omniglot: '", dir.string(), "' holds no alphabet folders; ",
                   LayoutHelp(options_.root));
    for (const auto& alphabet : alphabets) {
      const auto characters = SortedEntries(alphabet, true);
      METARL_REQUIRE(!characters.empty(), "omniglot: alphabet folder '", alphabet.string(),
                     "' holds no character folders; ", LayoutHelp(options_.root));
      for (const auto& character : characters) {
        const auto pngs = SortedEntries(character, false);
        METARL_REQUIRE(!pngs.empty(), "omniglot: character folder '", character.string(), "' holds no .png files; ",
                       LayoutHelp(options_.root));
        characters_.push_back({fs::relative(character, root).string(), static_cast<int64_t>(files.size()),
                               static_cast<int64_t>(pngs.size())});
        files.insert(files.end(), pngs.begin(), pngs.end());
      }
    }
  }
  const int64_t total = static_cast<int64_t>(characters_.size());
  const int64_t train = options_.train_characters, validation = options_.validation_characters;
  METARL_REQUIRE(train + validation < total, "omniglot: ", total, " characters in '", options_.root,
                 "', but train-characters (", train, ") + validation-characters (", validation,
                 ") leave none for meta-test");
  const int64_t per_class = options_.ExamplesPerClass();
  for (const auto& c : characters_) {
    METARL_REQUIRE(c.num_images >= per_class, "omniglot: character '", c.path, "' has ", c.num_images,
                   " drawings, fewer than shots + query = ", per_class, " (the larger of the training and the "
                   "evaluation episode shapes)");
  }

  // The split: a seeded shuffle of the characters (Fisher–Yates).
  std::vector<int64_t> order(total);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(options_.split_seed);
  for (int64_t i = total - 1; i > 0; --i) {
    std::swap(order[i], order[rng.UniformInt(static_cast<std::uint64_t>(i + 1))]);
  }
  train_.assign(order.begin(), order.begin() + train);
  validation_.assign(order.begin() + train, order.begin() + train + validation);
  test_.assign(order.begin() + train + validation, order.end());
  const int64_t classes_per_character = options_.rotations && options_.rotated_pool ? 4 : 1;
  for (Split split : {Split::kTrain, Split::kValidation, Split::kTest}) {
    const int64_t classes = num_characters(split) * classes_per_character;
    const int64_t ways = split == Split::kTrain ? train_ways() : options_.ways;
    METARL_REQUIRE(classes == 0 || classes >= ways, "omniglot: the ", SplitName(split), " split has ",
                   classes, options_.rotated_pool && options_.rotations ? " classes" : " characters",
                   ", fewer than ", split == Split::kTrain ? "train-ways" : "ways", " = ", ways,
                   options_.rotated_pool ? "" : " (class-pool: characters draws distinct characters)");
  }

  // Images: grey → [0, 1], inverted, area-resized.
  const int64_t s = options_.image_size;
  images_ = at::empty({static_cast<int64_t>(files.size()), s, s}, at::kFloat);
  for (std::size_t i = 0; i < files.size(); ++i) {
    PngPixels grey = ReadPngFile(files[i].string(), PngLayout::kGrey);
    at::Tensor pixels = at::from_blob(grey.pixels.data(), {1, 1, grey.height, grey.width}, at::kByte).to(at::kFloat);
    pixels = pixels.neg_().add_(255.0).div_(255.0);  // exact 0 for white background
    images_[static_cast<int64_t>(i)].copy_(AreaResize(pixels[0][0], s));
  }
}

int64_t OmniglotTasks::num_characters(Split split) const {
  return static_cast<int64_t>(SplitCharacters(split).size());
}

const std::vector<int64_t>& OmniglotTasks::SplitCharacters(Split split) const {
  switch (split) {
    case Split::kTrain:
      return train_;
    case Split::kValidation:
      return validation_;
    case Split::kTest:
      return test_;
  }
  return test_;
}

std::string OmniglotTasks::SplitListing() const {
  std::ostringstream out;
  out << "split,character\n";
  for (Split split : {Split::kTrain, Split::kValidation, Split::kTest}) {
    for (int64_t c : SplitCharacters(split)) out << SplitName(split) << "," << characters_[c].path << "\n";
  }
  return out.str();
}

EpisodeBatch OmniglotTasks::Sample(int64_t tasks, Split split, Rng& rng) const {
  METARL_REQUIRE(tasks >= 1, "omniglot: ", tasks, " tasks requested: expected at least 1");
  const std::vector<int64_t>& characters = SplitCharacters(split);
  const int64_t rotations = options_.rotations ? 4 : 1;
  // The pool drawn from: characters × rotations (rotated), or characters (a rotation drawn after).
  const int64_t per_character = options_.rotated_pool ? rotations : 1;
  const auto classes = static_cast<std::uint64_t>(characters.size() * per_character);
  const bool training = split == Split::kTrain;
  const int64_t n = options_.Ways(training), k = options_.Shots(training), q = options_.Query(training);
  const int64_t s = options_.image_size;
  METARL_REQUIRE(classes >= static_cast<std::uint64_t>(n), "omniglot: the ", SplitName(split), " split has ",
                 classes, options_.rotated_pool ? " classes" : " characters", ", fewer than ",
                 training ? "train-ways" : "ways", " = ", n);
  EpisodeBatch b = EmptyImageEpisodes(tasks, n, k, q, 1, s);
  float* xs = b.support_x.data_ptr<float>();
  float* xq = b.query_x.data_ptr<float>();
  int64_t* ys = b.support_y.data_ptr<int64_t>();
  int64_t* yq = b.query_y.data_ptr<int64_t>();
  const float* images = images_.data_ptr<float>();
  std::vector<std::uint64_t> picked;
  std::vector<int64_t> drawings;
  for (int64_t t = 0; t < tasks; ++t) {
    DrawDistinct(rng, classes, n, &picked);  // N distinct classes
    for (int64_t c = 0; c < n; ++c) {
      const Character& character = characters_[characters[picked[c] / per_character]];
      const int64_t quarter_turns =
          options_.rotated_pool ? static_cast<int64_t>(picked[c] % per_character)
                                : static_cast<int64_t>(rng.UniformInt(static_cast<std::uint64_t>(rotations)));
      // K + Q distinct drawings.
      drawings.resize(character.num_images);
      std::iota(drawings.begin(), drawings.end(), character.first_image);
      ShuffleFront(rng, k + q, &drawings);
      for (int64_t i = 0; i < k + q; ++i) {
        const bool support = i < k;
        const int64_t row = support ? c * k + i : c * q + (i - k);
        float* dst = (support ? xs : xq) + (t * (support ? n * k : n * q) + row) * s * s;
        CopyRotated(images + drawings[i] * s * s, s, quarter_turns, dst);
        (support ? ys : yq)[t * (support ? n * k : n * q) + row] = c;
      }
    }
  }
  return b;
}

}  // namespace metarl::envs::fewshot
