#pragma once
// A tiny dataset in the Omniglot layout for tests:
//   DIR/images_background/alphabet{a}/character{cc}/{id}_{dd}.png and
//   DIR/images_evaluation/… (`alphabets` per set, `characters` per alphabet,
//   `drawings` per character, size × size pixels).
// Every image is white (255) except two marker pixels, so that a sampled
// (inverted) image tells where it came from: pixel (0, 0) = 255 − 10·(character
// + 1) and (0, 1) = 255 − 10·(drawing + 1), characters numbered in sorted path
// order from 0. After inversion the markers read (character + 1)·10/255 and
// (drawing + 1)·10/255.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/png_file.h"
#include "envs/fewshot/omniglot.h"

namespace metarl::testing {

inline void MakeOmniglotFixture(const std::filesystem::path& dir, int alphabets, int characters, int drawings,
                                int size) {
  std::filesystem::remove_all(dir);
  int character_id = 0;
  for (const char* set : {"images_background", "images_evaluation"}) {
    for (int a = 0; a < alphabets; ++a) {
      for (int c = 0; c < characters; ++c, ++character_id) {
        char name[32];
        std::snprintf(name, sizeof(name), "character%02d", c + 1);
        const auto folder = dir / set / ("alphabet" + std::to_string(a)) / name;
        std::filesystem::create_directories(folder);
        for (int d = 0; d < drawings; ++d) {
          std::vector<std::uint8_t> pixels(static_cast<std::size_t>(size * size), 255);
          pixels[0] = static_cast<std::uint8_t>(255 - 10 * (character_id + 1));
          pixels[1] = static_cast<std::uint8_t>(255 - 10 * (d + 1));
          char file[32];
          std::snprintf(file, sizeof(file), "%04d_%02d.png", character_id + 1, d + 1);
          WritePngFile((folder / file).string(), size, size, pixels.data(), PngLayout::kGrey);
        }
      }
    }
  }
}

}  // namespace metarl::testing
