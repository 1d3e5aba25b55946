// Few-shot task distributions: the sinusoid's points lie on one sinusoid per
// task with parameters in range; sampling is deterministic for a seed.

#include <algorithm>
#include <cmath>
#include <fstream>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "core/png_file.h"
#include "envs/fewshot/omniglot.h"
#include "envs/fewshot/registry.h"
#include "envs/fewshot/sinusoid.h"
#include "tests/envs/omniglot_fixture.h"
#include "tests/test_util.h"

namespace metarl::envs::fewshot {
namespace {

TEST(Sinusoid, EpisodesLieOnOneSinusoidPerTask) {
  SinusoidOptions o;
  o.shots = 5;
  o.query = 7;
  Rng rng(11);
  const EpisodeBatch b = SinusoidTasks(o).Sample(40, Split::kTrain, rng);
  ASSERT_EQ(b.support_x.sizes(), at::IntArrayRef({40, 5, 1}));
  ASSERT_EQ(b.query_y.sizes(), at::IntArrayRef({40, 7, 1}));
  const at::Tensor x = at::cat({b.support_x, b.query_x}, 1).to(at::kDouble).squeeze(2);
  const at::Tensor y = at::cat({b.support_y, b.query_y}, 1).to(at::kDouble).squeeze(2);
  EXPECT_GE(x.min().item<double>(), -5.0);
  EXPECT_LT(x.max().item<double>(), 5.0);
  for (int64_t t = 0; t < 40; ++t) {
    // y = A sin(x − φ) = (A cos φ) sin x − (A sin φ) cos x: fit on the support
    // points, predict the query points.
    const at::Tensor basis = at::stack({at::sin(x[t]), at::cos(x[t])}, 1);
    const at::Tensor coef = std::get<0>(at::linalg_lstsq(basis.narrow(0, 0, 5), y[t].narrow(0, 0, 5).unsqueeze(1)));
    const double c = coef[0][0].item<double>(), s = -coef[1][0].item<double>();
    const double amplitude = std::hypot(c, s), phase = std::atan2(s, c);
    EXPECT_GE(amplitude, 0.1 - 1e-5);
    EXPECT_LE(amplitude, 5.0 + 1e-5);
    EXPECT_GE(phase, -1e-5);
    EXPECT_LE(phase, M_PI + 1e-5);
    const at::Tensor residual = at::matmul(basis, coef).squeeze(1) - y[t];
    EXPECT_LT(residual.abs().max().item<double>(), 1e-5) << "task " << t;
  }
}

TEST(Sinusoid, SameSeedSameEpisodes) {
  SinusoidTasks tasks{SinusoidOptions{}};
  Rng a(5), b(5), c(6);
  const EpisodeBatch x = tasks.Sample(3, Split::kTrain, a), y = tasks.Sample(3, Split::kTrain, b);
  const EpisodeBatch z = tasks.Sample(3, Split::kTrain, c);
  EXPECT_TRUE(at::equal(x.query_y, y.query_y));
  EXPECT_FALSE(at::equal(x.query_y, z.query_y));
}

TEST(FewShotRegistry, BadKwargsAreNamed) {
  auto make = [](const std::string& kwargs) {
    ConfigMap map(YAML::Load(kwargs), "test", "task-kwargs");
    return MakeFewShotTasks("sinusoid", map);
  };
  EXPECT_NE(testing::InvalidArgumentMessage([&] { make("{shots: 0}"); }).find("shots"), std::string::npos);
  EXPECT_NE(testing::InvalidArgumentMessage([&] { make("{amplitude: [5, 1]}"); }).find("amplitude"),
            std::string::npos);
  ConfigMap empty(YAML::Load("{}"), "test");
  EXPECT_NE(testing::InvalidArgumentMessage([&] { MakeFewShotTasks("sinusiod", empty); }).find("sinusoid"),
            std::string::npos);
}

// 2 sets × 2 alphabets × 3 characters = 12 characters of 8 drawings, 8×8 px,
// in a folder of the running test's own (ctest runs tests in parallel processes).
std::filesystem::path Fixture() {
  const auto dir = std::filesystem::temp_directory_path() /
                   (std::string("metarl_omniglot_fixture_") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
  testing::MakeOmniglotFixture(dir, 2, 3, 8, 8);
  return dir;
}

OmniglotOptions SmallOptions(const std::filesystem::path& root) {
  OmniglotOptions o;
  o.root = root.string();
  o.ways = 3;
  o.shots = 2;
  o.query = 3;
  o.image_size = 8;
  o.train_characters = 6;
  o.validation_characters = 3;  // and 3 for meta-test: each split holds `ways` characters
  return o;
}

// Which (character, quarter turns) an inverted fixture image is, and its drawing.
struct Origin {
  int character = -1, drawing = -1, turns = -1;
};
Origin Decode(const at::Tensor& image) {  // [S, S]
  for (int turns = 0; turns < 4; ++turns) {
    const at::Tensor back = at::rot90(image, -turns, {0, 1});  // undo `turns` counter-clockwise turns
    const double c = back[0][0].item<double>() * 255.0 / 10.0, d = back[0][1].item<double>() * 255.0 / 10.0;
    if (c > 0.5 && d > 0.5) return {static_cast<int>(std::lround(c)) - 1, static_cast<int>(std::lround(d)) - 1, turns};
  }
  return {};
}

std::map<std::string, std::set<int>> SplitCharacters(const OmniglotTasks& tasks) {
  // Characters are numbered in sorted path order; the listing names their paths.
  std::vector<std::string> paths;
  for (const char* set : {"images_background", "images_evaluation"}) {
    for (int a = 0; a < 2; ++a) {
      for (int c = 1; c <= 3; ++c) paths.push_back(std::string(set) + "/alphabet" + std::to_string(a) + "/character0" + std::to_string(c));
    }
  }
  std::map<std::string, std::set<int>> split;
  std::istringstream in(tasks.SplitListing());
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    const auto id = std::find(paths.begin(), paths.end(), line.substr(comma + 1)) - paths.begin();
    split[line.substr(0, comma)].insert(static_cast<int>(id));
  }
  return split;
}

// Both class pools: labels map to one (character, rotation) each, support
// and query never share a drawing, and the classes of an episode differ; the
// default pool (cbfinn/maml, learn2learn) draws distinct characters and then
// a rotation, so no episode holds two rotations of one character, while the
// rotated pool (ProtoNets) lets them meet.
TEST(Omniglot, EpisodesHaveDistinctClassesAndDisjointSupportAndQuery) {
  const auto root = Fixture();
  for (bool rotated_pool : {false, true}) {
    SCOPED_TRACE(rotated_pool ? "class-pool: rotated" : "class-pool: characters");
    OmniglotOptions o = SmallOptions(root);
    o.rotated_pool = rotated_pool;
    const OmniglotTasks tasks(o);
    const auto split = SplitCharacters(tasks);
    ASSERT_EQ(split.at("train").size(), 6u);
    ASSERT_EQ(split.at("validation").size(), 3u);
    ASSERT_EQ(split.at("test").size(), 3u);
    Rng rng(3);
    std::set<int> turns_seen;
    int episodes_with_a_repeated_character = 0;
    for (Split which : {Split::kTrain, Split::kValidation, Split::kTest}) {
      const EpisodeBatch b = tasks.Sample(20, which, rng);
      ASSERT_EQ(b.support_x.sizes(), at::IntArrayRef({20, 6, 1, 8, 8}));
      ASSERT_EQ(b.query_x.sizes(), at::IntArrayRef({20, 9, 1, 8, 8}));
      for (int64_t t = 0; t < 20; ++t) {
        std::map<int64_t, std::pair<int, int>> label_class;  // label -> (character, turns)
        std::map<int64_t, std::set<int>> support_drawings, query_drawings;
        for (int part = 0; part < 2; ++part) {
          const at::Tensor x = part == 0 ? b.support_x[t] : b.query_x[t];
          const at::Tensor y = part == 0 ? b.support_y[t] : b.query_y[t];
          for (int64_t i = 0; i < x.size(0); ++i) {
            const Origin origin = Decode(x[i][0]);
            ASSERT_GE(origin.character, 0) << "unrecognised image";
            EXPECT_EQ(split.at(SplitName(which)).count(origin.character), 1u) << "a character of another split";
            const int64_t label = y[i].item<int64_t>();
            ASSERT_TRUE(label >= 0 && label < 3);
            const auto cls = std::make_pair(origin.character, origin.turns);
            if (!label_class.count(label)) label_class[label] = cls;
            EXPECT_EQ(label_class[label], cls) << "one label, two classes";
            auto& drawings = part == 0 ? support_drawings[label] : query_drawings[label];
            EXPECT_TRUE(drawings.insert(origin.drawing).second) << "a drawing twice";
            turns_seen.insert(origin.turns);
          }
        }
        ASSERT_EQ(label_class.size(), 3u);
        std::set<std::pair<int, int>> distinct;
        std::set<int> characters;
        for (const auto& [label, cls] : label_class) {
          distinct.insert(cls);
          characters.insert(cls.first);
        }
        EXPECT_EQ(distinct.size(), 3u) << "classes of an episode must differ";
        if (characters.size() < 3) ++episodes_with_a_repeated_character;
        for (int64_t c = 0; c < 3; ++c) {
          EXPECT_EQ(support_drawings[c].size(), 2u);
          EXPECT_EQ(query_drawings[c].size(), 3u);
          for (int d : support_drawings[c]) EXPECT_EQ(query_drawings[c].count(d), 0u) << "support drawing in the query";
        }
      }
    }
    EXPECT_EQ(turns_seen.size(), 4u);  // every rotation occurs
    if (rotated_pool) {
      // 3 of the 12 rotated classes of 3 characters (validation, test): two share a
      // character with probability 1 − (12·8·4)/(12·11·10) = 0.71; seen in many of 40 episodes.
      EXPECT_GT(episodes_with_a_repeated_character, 10);
    } else {
      EXPECT_EQ(episodes_with_a_repeated_character, 0);
    }
  }
}

// Meta-training episodes take the train-ways/-shots/-query shape; validation
// and test episodes the evaluation shape; each batch says its ways.
TEST(Omniglot, TrainingEpisodesHaveTheirOwnShape) {
  OmniglotOptions o = SmallOptions(Fixture());
  o.train_ways = 6;  // all 6 training characters
  o.train_shots = 1;
  o.train_query = 4;
  const OmniglotTasks tasks(o);
  EXPECT_EQ(tasks.train_ways(), 6);
  EXPECT_EQ(tasks.num_outputs(), 3);
  Rng rng(2);
  const EpisodeBatch train = tasks.Sample(2, Split::kTrain, rng);
  EXPECT_EQ(train.ways, 6);
  EXPECT_EQ(train.support_x.sizes(), at::IntArrayRef({2, 6, 1, 8, 8}));
  EXPECT_EQ(train.query_x.sizes(), at::IntArrayRef({2, 24, 1, 8, 8}));
  EXPECT_EQ(train.support_y.max().item<int64_t>(), 5);
  for (Split which : {Split::kValidation, Split::kTest}) {
    const EpisodeBatch b = tasks.Sample(2, which, rng);
    EXPECT_EQ(b.ways, 3);
    EXPECT_EQ(b.support_x.sizes(), at::IntArrayRef({2, 6, 1, 8, 8}));  // 3 ways × 2 shots
    EXPECT_EQ(b.query_x.sizes(), at::IntArrayRef({2, 9, 1, 8, 8}));
  }
  o.train_ways = 7;  // more than the 6 training characters
  const std::string m = testing::InvalidArgumentMessage([&] { OmniglotTasks t(o); });
  EXPECT_NE(m.find("train-ways = 7"), std::string::npos) << m;
}

TEST(Omniglot, SplitIsSeededAndDisjoint) {
  const auto root = Fixture();
  const OmniglotTasks a(SmallOptions(root)), b(SmallOptions(root));
  EXPECT_EQ(a.SplitListing(), b.SplitListing());
  OmniglotOptions other = SmallOptions(root);
  other.split_seed = 7;
  EXPECT_NE(OmniglotTasks(other).SplitListing(), a.SplitListing());
  const auto split = SplitCharacters(a);
  std::set<int> all;
  for (const auto& [name, characters] : split) all.insert(characters.begin(), characters.end());
  EXPECT_EQ(all.size(), 12u);  // every character in exactly one split
}

// Every drawing replaced by one known 6×6 pattern p; resized to 4×4 (1.5
// source pixels per output pixel) the inverted image q = 1 − p/255 must be
// its area average, edge pixels weighted by the half they cover, written out
// here for three output pixels; area resampling keeps the image's mean.
TEST(Omniglot, ImagesAreInvertedAndAreaResized) {
  const auto root = Fixture();
  testing::MakeOmniglotFixture(root, 2, 3, 8, 6);
  std::vector<std::uint8_t> p(36);
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 6; ++j) p[static_cast<std::size_t>(6 * i + j)] = static_cast<std::uint8_t>((37 * i + 11 * j) % 256);
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() == ".png") WritePngFile(entry.path().string(), 6, 6, p.data(), PngLayout::kGrey);
  }
  const auto q = [&](int i, int j) { return 1.0 - p[static_cast<std::size_t>(6 * i + j)] / 255.0; };
  OmniglotOptions o = SmallOptions(root);
  o.image_size = 4;
  o.rotations = false;
  const OmniglotTasks tasks(o);
  Rng rng(1);
  const at::Tensor image = tasks.Sample(1, Split::kTrain, rng).support_x[0][0][0].to(at::kDouble);
  ASSERT_EQ(image.sizes(), at::IntArrayRef({4, 4}));
  // Output (0, 0) covers [0, 1.5) × [0, 1.5): pixel 0 whole, pixel 1 half, in each axis.
  const double o00 = (q(0, 0) + 0.5 * q(0, 1) + 0.5 * q(1, 0) + 0.25 * q(1, 1)) / 2.25;
  // (0, 1): rows [0, 1.5), columns [1.5, 3).
  const double o01 = (0.5 * q(0, 1) + q(0, 2) + 0.25 * q(1, 1) + 0.5 * q(1, 2)) / 2.25;
  // (1, 1): rows and columns [1.5, 3).
  const double o11 = (0.25 * q(1, 1) + 0.5 * q(1, 2) + 0.5 * q(2, 1) + q(2, 2)) / 2.25;
  EXPECT_NEAR(image[0][0].item<double>(), o00, 1e-6);
  EXPECT_NEAR(image[0][1].item<double>(), o01, 1e-6);
  EXPECT_NEAR(image[1][1].item<double>(), o11, 1e-6);
  double mean = 0.0;
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 6; ++j) mean += q(i, j) / 36.0;
  }
  EXPECT_NEAR(image.mean().item<double>(), mean, 1e-6);
  EXPECT_GT(std::abs(o00 - o11), 0.05);  // the pattern is not flat
}

TEST(Omniglot, MalformedDatasetsAreNamedWithTheLayoutExpected) {
  const auto root = Fixture();
  OmniglotOptions o = SmallOptions(root);
  o.root = (root / "nowhere").string();
  std::string m = testing::InvalidArgumentMessage([&] { OmniglotTasks t(o); });
  EXPECT_NE(m.find("nowhere"), std::string::npos) << m;
  EXPECT_NE(m.find("images_background/<alphabet>/<character>/*.png"), std::string::npos) << m;
  EXPECT_NE(m.find("github.com/brendenlake/omniglot"), std::string::npos) << m;

  std::filesystem::remove_all(root / "images_evaluation");
  o.root = root.string();
  m = testing::InvalidArgumentMessage([&] { OmniglotTasks t(o); });
  EXPECT_NE(m.find("images_evaluation"), std::string::npos) << m;

  testing::MakeOmniglotFixture(root, 2, 3, 4, 8);  // 4 drawings < shots + query = 5
  m = testing::InvalidArgumentMessage([&] { OmniglotTasks t(o); });
  EXPECT_NE(m.find("fewer than shots + query"), std::string::npos) << m;

  testing::MakeOmniglotFixture(root, 2, 3, 8, 8);
  std::filesystem::create_directories(root / "images_background/alphabet0/character09");  // no PNGs
  m = testing::InvalidArgumentMessage([&] { OmniglotTasks t(o); });
  EXPECT_NE(m.find("character09"), std::string::npos) << m;

  testing::MakeOmniglotFixture(root, 2, 3, 8, 8);
  { std::ofstream(root / "images_background/alphabet0/character01/0001_01.png") << "not a png"; }
  m = testing::InvalidArgumentMessage([&] { OmniglotTasks t(o); });
  EXPECT_NE(m.find("0001_01.png"), std::string::npos) << m;

  testing::MakeOmniglotFixture(root, 2, 3, 8, 8);
  o.train_characters = 9;
  m = testing::InvalidArgumentMessage([&] { OmniglotTasks t(o); });
  EXPECT_NE(m.find("leave none for meta-test"), std::string::npos) << m;
}

}  // namespace
}  // namespace metarl::envs::fewshot
