// The colour-image few-shot datasets (envs/fewshot/image_folder.h) on tiny
// datasets the tests write in each layout: episodes drawn from the right
// split with distinct classes and disjoint support and query, pixel values
// against the normalisation written out here, area resizing against a hand
// average, preload = decode on demand, augmentation's crop, flip and jitter
// against their definitions, and malformed folders refused by name.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/config.h"
#include "core/jpeg_file.h"
#include "envs/fewshot/image_augment.h"
#include "envs/fewshot/image_folder.h"
#include "envs/fewshot/registry.h"
#include "tests/envs/image_folder_fixture.h"
#include "tests/test_util.h"

namespace metarl::envs::fewshot {
namespace {

namespace fs = std::filesystem;

fs::path Root(const std::string& layout) {
  return fs::temp_directory_path() / ("metarl_colour_" + layout + "_" +
                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

const ImageDatasetPreset& Preset(const std::string& name) {
  for (const auto& p : ImageDatasetPresets()) {
    if (p.name == name) return p;
  }
  throw std::logic_error(name);
}

ImageFolderOptions Small(const fs::path& root) {
  ImageFolderOptions o;
  o.root = root.string();
  o.ways = 3;
  o.shots = 2;
  o.query = 2;
  o.image_size = 8;
  o.normalise = false;
  o.check_class_counts = false;
  return o;
}

// (class id, image index) of an image [3, S, S] in [0, 1] from its uniform colour.
std::pair<int, int> Origin(const at::Tensor& image) {
  const double r = image[0].mean().item<double>() * 255.0, g = image[1].mean().item<double>() * 255.0;
  return {static_cast<int>(std::lround(r / 20.0)) - 1, static_cast<int>(std::lround(g / 20.0)) - 1};
}

// In every layout: the classes of each split are where the fixture put
// them (ids 0–3 train, 4–6 val, 7–9 test), an episode's classes are
// distinct and labelled 0..N−1 in groups, support and query never share an
// image, and the pixel values are the file's (JPEG: within 2/255).
TEST(ImageFolder, EveryLayoutGivesEpisodesOfItsSplitsClasses) {
  for (const std::string layout : {"csv", "folders", "class-lists"}) {
    SCOPED_TRACE(layout);
    const fs::path root = Root(layout);
    testing::MakeColourFixture(root, layout);
    ImageFolderOptions o = Small(root);
    o.split_lists = "bertinetto";
    const ImageFolderTasks tasks(Preset("image-folder"), o);
    EXPECT_EQ(tasks.layout(), layout);  // found by `auto`
    EXPECT_EQ(tasks.num_classes(Split::kTrain), 4);
    EXPECT_EQ(tasks.num_classes(Split::kValidation), 3);
    EXPECT_EQ(tasks.num_classes(Split::kTest), 3);
    EXPECT_EQ(tasks.input_shape(), (std::vector<int64_t>{3, 8, 8}));
    const std::map<Split, std::set<int>> ids = {
        {Split::kTrain, {0, 1, 2, 3}}, {Split::kValidation, {4, 5, 6}}, {Split::kTest, {7, 8, 9}}};
    Rng rng(3);
    for (const auto& [split, allowed] : ids) {
      const EpisodeBatch b = tasks.Sample(5, split, rng);
      ASSERT_EQ(b.support_x.sizes(), at::IntArrayRef({5, 6, 3, 8, 8}));
      ASSERT_EQ(b.query_x.sizes(), at::IntArrayRef({5, 6, 3, 8, 8}));
      EXPECT_EQ(b.ways, 3);
      for (int64_t t = 0; t < 5; ++t) {
        std::map<int64_t, int> label_class;
        std::set<std::pair<int, int>> seen;
        for (const bool support : {true, false}) {
          const at::Tensor& x = support ? b.support_x : b.query_x;
          const at::Tensor& y = support ? b.support_y : b.query_y;
          for (int64_t i = 0; i < 6; ++i) {
            const auto [cls, image] = Origin(x[t][i]);
            EXPECT_EQ(y[t][i].item<int64_t>(), i / 2);  // grouped by class
            EXPECT_TRUE(allowed.count(cls)) << "class " << cls;
            EXPECT_GE(image, 0);
            EXPECT_LT(image, 6);
            const auto known = label_class.emplace(y[t][i].item<int64_t>(), cls);
            EXPECT_EQ(known.first->second, cls);  // one class per label
            EXPECT_TRUE(seen.insert({cls, image}).second) << "image used twice";
            // The file's colour, exactly (PNG) or within JPEG's error.
            const double tolerance = layout == "csv" ? 2.5 / 255.0 : 1e-7;
            EXPECT_NEAR(x[t][i][2].max().item<double>(), 100.0 / 255.0, tolerance);
            EXPECT_NEAR(x[t][i][0].max().item<double>(), 20.0 * (cls + 1) / 255.0, tolerance);
          }
        }
        EXPECT_EQ(label_class.size(), 3u);  // distinct classes
      }
    }
    const std::string listing = tasks.SplitListing();
    EXPECT_EQ(listing.rfind("split,class\ntrain,n000\n", 0), 0u) << listing;
    EXPECT_NE(listing.find("validation,n004\n"), std::string::npos) << listing;
  }
}

// normalise: (v/255 − mean_c)/std_c per channel, against the file's colour.
TEST(ImageFolder, NormalisesEachChannelWithItsMeanAndStd) {
  const fs::path root = Root("folders");
  testing::MakeColourFixture(root, "folders");
  ImageFolderOptions o = Small(root);
  o.normalise = true;
  o.mean = {0.5, 0.25, 0.125};
  o.std = {0.2, 0.4, 0.8};
  const ImageFolderTasks tasks(Preset("image-folder"), o);
  Rng rng(5);
  const EpisodeBatch b = tasks.Sample(2, Split::kTest, rng);
  for (int64_t t = 0; t < 2; ++t) {
    for (int64_t i = 0; i < 6; ++i) {
      const at::Tensor x = b.support_x[t][i];
      const double r = (x[0][3][4].item<double>() * 0.2 + 0.5) * 255.0;
      const double g = (x[1][3][4].item<double>() * 0.4 + 0.25) * 255.0;
      const int cls = static_cast<int>(std::lround(r / 20.0)) - 1, image = static_cast<int>(std::lround(g / 20.0)) - 1;
      EXPECT_NEAR(x[0][0][0].item<double>(), (20.0 * (cls + 1) / 255.0 - 0.5) / 0.2, 1e-5);
      EXPECT_NEAR(x[1][7][7].item<double>(), (20.0 * (image + 1) / 255.0 - 0.25) / 0.4, 1e-5);
      EXPECT_NEAR(x[2][5][1].item<double>(), (100.0 / 255.0 - 0.125) / 0.8, 1e-5);
    }
  }
}

// A 4×4 image resized to 2×2: each output pixel is the rounded mean of its
// 2×2 block, per channel.
TEST(ImageFolder, ResizesByTheAreaAverageOfEachChannel) {
  const fs::path file = fs::temp_directory_path() / "metarl_colour_resize.png";
  std::vector<std::uint8_t> pixels(4 * 4 * 3);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 3; ++c) pixels[(y * 4 + x) * 3 + c] = static_cast<std::uint8_t>(10 * y + 3 * x + 50 * c + (x * y) % 3);
  WritePngFile(file.string(), 4, 4, pixels.data(), PngLayout::kRgb);
  const at::Tensor out = LoadRgbImage(file.string(), 2);
  ASSERT_EQ(out.sizes(), at::IntArrayRef({3, 2, 2}));
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        double sum = 0.0;
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b) sum += pixels[((2 * i + a) * 4 + 2 * j + b) * 3 + c];
        EXPECT_EQ(out[c][i][j].item<int>(), static_cast<int>(std::lround(sum / 4.0))) << c << i << j;
      }
  // The same size: the pixels unchanged.
  const at::Tensor same = LoadRgbImage(file.string(), 4);
  EXPECT_EQ(same[1][2][3].item<int>(), pixels[(2 * 4 + 3) * 3 + 1]);
}

// Decoding every image up front or when an episode is drawn gives the same
// episodes, augmented ones included.
TEST(ImageFolder, PreloadedAndOnDemandEpisodesAreTheSame) {
  const fs::path root = Root("csv");
  testing::MakeColourFixture(root, "csv");
  ImageFolderOptions o = Small(root);
  o.augment.crop_padding = 2;
  o.augment.flip = true;
  o.augment.colour_jitter = 0.4;
  o.preload = "true";
  const ImageFolderTasks loaded(Preset("image-folder"), o);
  o.preload = "false";
  const ImageFolderTasks lazy(Preset("image-folder"), o);
  EXPECT_TRUE(loaded.preloaded());
  EXPECT_FALSE(lazy.preloaded());
  for (Split split : {Split::kTrain, Split::kTest}) {
    Rng a(9), b(9);
    const EpisodeBatch x = loaded.Sample(3, split, a), y = lazy.Sample(3, split, b);
    EXPECT_TRUE(at::equal(x.support_x, y.support_x));
    EXPECT_TRUE(at::equal(x.query_x, y.query_x));
    EXPECT_TRUE(at::equal(x.support_y, y.support_y));
  }
}

// Augmentation touches meta-training episodes only: with the same stream a
// test episode is the plain one; a training episode's images differ from
// the files' uniform colours (crops bring in zero padding).
TEST(ImageFolder, OnlyTrainingEpisodesAreAugmented) {
  const fs::path root = Root("folders");
  testing::MakeColourFixture(root, "folders");
  ImageFolderOptions plain = Small(root), augmented = Small(root);
  augmented.augment.crop_padding = 3;
  const ImageFolderTasks p(Preset("image-folder"), plain), a(Preset("image-folder"), augmented);
  Rng r1(4), r2(4);
  EXPECT_TRUE(at::equal(p.Sample(2, Split::kTest, r1).query_x, a.Sample(2, Split::kTest, r2).query_x));
  Rng r3(4);
  const EpisodeBatch train = a.Sample(4, Split::kTrain, r3);
  EXPECT_GT((train.support_x == 0).sum().item<int64_t>(), 0);  // padding cropped in somewhere
}

// Crop: the result is the image shifted by some (dy, dx) in [−p, p]² with
// zeros where the shift leaves the image. Flip: the image or its mirror.
// Colour jitter on a grey image (R = G = B): saturation does nothing and
// brightness then contrast make every pixel α·v + β with one (α, β), α > 0.
TEST(ImageAugment, CropFlipAndJitterFollowTheirDefinitions) {
  const int64_t s = 6;
  std::vector<float> image(3 * s * s);
  for (std::size_t i = 0; i < image.size(); ++i) image[i] = 0.1f + 0.8f * static_cast<float>((i * 37) % 97) / 97.0f;
  auto at_ = [&](const std::vector<float>& v, int64_t c, int64_t y, int64_t x) { return v[c * s * s + y * s + x]; };
  ImageAugmentation crop;
  crop.crop_padding = 2;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    std::vector<float> out = image;
    Rng rng(seed);
    AugmentImage(crop, s, rng, out.data());
    bool found = false;
    for (int64_t dy = -2; dy <= 2 && !found; ++dy)
      for (int64_t dx = -2; dx <= 2 && !found; ++dx) {
        bool match = true;
        for (int64_t c = 0; c < 3 && match; ++c)
          for (int64_t y = 0; y < s && match; ++y)
            for (int64_t x = 0; x < s && match; ++x) {
              const int64_t sy = y + dy, sx = x + dx;
              const float expected = sy >= 0 && sy < s && sx >= 0 && sx < s ? at_(image, c, sy, sx) : 0.0f;
              match = at_(out, c, y, x) == expected;
            }
        found = match;
      }
    EXPECT_TRUE(found) << "seed " << seed << ": not a shifted copy";
  }
  ImageAugmentation flip;
  flip.flip = true;
  int mirrored = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    std::vector<float> out = image;
    Rng rng(seed);
    AugmentImage(flip, s, rng, out.data());
    bool same = true, mirror = true;
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t y = 0; y < s; ++y)
        for (int64_t x = 0; x < s; ++x) {
          same = same && at_(out, c, y, x) == at_(image, c, y, x);
          mirror = mirror && at_(out, c, y, x) == at_(image, c, y, s - 1 - x);
        }
    EXPECT_TRUE(same || mirror);
    mirrored += mirror ? 1 : 0;
  }
  EXPECT_GT(mirrored, 3);
  EXPECT_LT(mirrored, 17);
  ImageAugmentation jitter;
  jitter.colour_jitter = 0.3;
  std::vector<float> grey(3 * s * s);
  for (int64_t i = 0; i < s * s; ++i) grey[i] = grey[s * s + i] = grey[2 * s * s + i] = 0.3f + 0.002f * static_cast<float>(i);
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    std::vector<float> out = grey;
    Rng rng(seed);
    AugmentImage(jitter, s, rng, out.data());
    const std::size_t last = static_cast<std::size_t>(s * s - 1);
    const double alpha = (out[last] - out[0]) / (grey[last] - grey[0]), beta = out[0] - alpha * grey[0];
    EXPECT_GT(alpha, 0.0);
    for (int64_t i = 0; i < 3 * s * s; ++i) EXPECT_NEAR(out[i], alpha * grey[i] + beta, 1e-5) << i;
    EXPECT_GT(std::abs(alpha - 1.0) + std::abs(beta), 1e-4);  // it did change the image
  }
}

TEST(ImageFolder, JpegFilesRoundTripAndBadFilesAreNamed) {
  const fs::path file = fs::temp_directory_path() / "metarl_colour_round.jpg";
  testing::WriteUniform(file, 16, 200, 40, true);
  const PngPixels p = ReadJpegFile(file.string(), PngLayout::kRgb);
  ASSERT_EQ(p.width, 16);
  ASSERT_EQ(p.pixels.size(), 16u * 16u * 3u);
  EXPECT_NEAR(p.pixels[0], 200, 2);
  EXPECT_NEAR(p.pixels[1], 40, 2);
  EXPECT_NEAR(p.pixels[2], 100, 2);
  const fs::path bad = fs::temp_directory_path() / "metarl_colour_bad.jpg";
  std::ofstream(bad) << "not a jpeg";
  EXPECT_NE(testing::InvalidArgumentMessage([&] { ReadJpegFile(bad.string(), PngLayout::kRgb); })
                .find("metarl_colour_bad.jpg' is not a readable JPEG"),
            std::string::npos);
  EXPECT_NE(testing::InvalidArgumentMessage([&] { ReadImageFile("x.gif", PngLayout::kRgb); }).find("x.gif"),
            std::string::npos);
}

// Malformed datasets are refused with the path and what was expected.
TEST(ImageFolder, MalformedDatasetsAreRefusedByName) {
  const fs::path root = Root("folders");
  auto message = [&](const ImageFolderOptions& o, const std::string& preset = "image-folder") {
    return testing::InvalidArgumentMessage([&] { ImageFolderTasks(Preset(preset), o); });
  };
  testing::MakeColourFixture(root, "folders");
  fs::remove_all(root / "val");
  EXPECT_NE(message(Small(root)).find((root / "val").string() + "' is missing"), std::string::npos)
      << message(Small(root));
  testing::MakeColourFixture(root, "folders");
  for (const auto& e : fs::directory_iterator(root / "train" / "n001")) fs::remove(e.path());
  EXPECT_NE(message(Small(root)).find("holds no .png, .jpg or .jpeg images"), std::string::npos);
  testing::MakeColourFixture(root, "folders");
  fs::remove(root / "test" / "n008" / "05.png");
  fs::remove(root / "test" / "n008" / "04.png");
  fs::remove(root / "test" / "n008" / "03.png");  // 3 images < shots + query = 4
  EXPECT_NE(message(Small(root)).find("class 'n008' (test) has 3 images"), std::string::npos) << message(Small(root));
  testing::MakeColourFixture(root, "folders");
  ImageFolderOptions o = Small(root);
  o.check_class_counts = true;
  const std::string counts = message(o, "mini-imagenet");
  EXPECT_NE(counts.find("4/3/3 train/val/test classes; the dataset has 64/16/20"), std::string::npos) << counts;
  EXPECT_NE(counts.find("check-class-counts"), std::string::npos) << counts;
  o = Small(root);
  o.ways = 4;  // only 3 validation classes
  EXPECT_NE(message(o).find("the val split has 3 classes, fewer than ways = 4"), std::string::npos) << message(o);
  EXPECT_NE(message(Small(root / "nowhere")).find("does not exist"), std::string::npos);
  const fs::path csv_root = Root("csv");
  testing::MakeColourFixture(csv_root, "csv");
  std::ofstream(csv_root / "val.csv") << "file,class\nn0040000.jpg,n004\n";
  EXPECT_NE(message(Small(csv_root)).find("expected the header 'filename,label'"), std::string::npos);
  std::ofstream(csv_root / "val.csv") << "filename,label\nmissing.jpg,n004\n";
  EXPECT_NE(message(Small(csv_root)).find("missing.jpg' (" + (csv_root / "val.csv").string() + " line 2) is missing"),
            std::string::npos)
      << message(Small(csv_root));
  fs::remove_all(csv_root);
  fs::create_directories(csv_root);
  const std::string none = message(Small(csv_root), "mini-imagenet");
  EXPECT_NE(none.find("has none of the layouts"), std::string::npos) << none;
  EXPECT_NE(none.find("meta-learning-lstm"), std::string::npos) << none;  // where to get it
}

// The presets through the registry: their sizes and class counts, and the
// keys read from a config (unknown keys left for the caller to refuse).
TEST(ImageFolder, PresetsAreRegisteredWithTheirShapes) {
  const fs::path root = Root("class-lists");
  testing::MakeColourFixture(root, "class-lists");
  ConfigMap kwargs = ConfigMap::FromString("root: " + root.string() +
                                           "\nways: 3\nshots: 1\nquery: 2\ncheck-class-counts: false\n"
                                           "augment: {crop-padding: 4, flip: true}\n");
  const auto tasks = MakeFewShotTasks("cifar-fs", kwargs);  // class-lists with bertinetto by default
  EXPECT_EQ(tasks->input_shape(), (std::vector<int64_t>{3, 32, 32}));
  EXPECT_EQ(tasks->name(), "cifar-fs");
  kwargs.CheckNoUnknownKeys();
  for (const std::string name : {"mini-imagenet", "tiered-imagenet", "fc100"}) {
    EXPECT_FALSE(Preset(name).classes.empty()) << name;
    EXPECT_EQ(Preset(name).mean.size(), 3u) << name;
  }
  EXPECT_EQ(Preset("mini-imagenet").classes, (std::vector<int64_t>{64, 16, 20}));
  EXPECT_EQ(Preset("tiered-imagenet").classes, (std::vector<int64_t>{351, 97, 160}));
  EXPECT_EQ(Preset("fc100").classes, (std::vector<int64_t>{60, 20, 20}));
  EXPECT_EQ(Preset("mini-imagenet").image_size, 84);
  EXPECT_EQ(Preset("fc100").image_size, 32);
}

}  // namespace
}  // namespace metarl::envs::fewshot
