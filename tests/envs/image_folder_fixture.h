#pragma once
// Tiny colour datasets in the three layouts of envs/fewshot/image_folder.h,
// written by the tests. Every image is one uniform colour that says where it
// came from: R = 20·(class + 1), G = 20·(image + 1), B = 100 (class numbered
// from 0 in sorted name order across train, val, test; image from 0 in
// sorted file order), so a sampled pixel names its class and image even
// after JPEG compression (uniform blocks survive it to ±2).

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/jpeg_file.h"
#include "core/png_file.h"

namespace metarl::testing {

struct ColourFixture {
  std::vector<int> classes = {4, 3, 3};  // train, val, test
  int images = 6;                        // per class
  int size = 8;                          // side in pixels
};

inline void WriteUniform(const std::filesystem::path& file, int size, int r, int g, bool jpeg) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(size * size * 3));
  for (std::size_t i = 0; i < pixels.size(); i += 3) {
    pixels[i] = static_cast<std::uint8_t>(r);
    pixels[i + 1] = static_cast<std::uint8_t>(g);
    pixels[i + 2] = 100;
  }
  if (jpeg) {
    WriteJpegFile(file.string(), size, size, pixels.data(), PngLayout::kRgb);
  } else {
    WritePngFile(file.string(), size, size, pixels.data(), PngLayout::kRgb);
  }
}

// `layout`: csv (JPEG images, Ravi & Larochelle's CSV files), folders (PNG),
// class-lists (PNG, split lists under splits/bertinetto). Class names are
// n000, n001, … in train, val, test order.
inline void MakeColourFixture(const std::filesystem::path& root, const std::string& layout,
                              const ColourFixture& f = {}) {
  namespace fs = std::filesystem;
  fs::remove_all(root);
  fs::create_directories(root);
  const char* stems[3] = {"train", "val", "test"};
  int id = 0;
  for (int k = 0; k < 3; ++k) {
    std::ofstream csv, list;
    if (layout == "csv") {
      fs::create_directories(root / "images");
      csv.open(root / (std::string(stems[k]) + ".csv"));
      csv << "filename,label\n";
    } else if (layout == "class-lists") {
      fs::create_directories(root / "splits" / "bertinetto");
      list.open(root / "splits" / "bertinetto" / (std::string(stems[k]) + ".txt"));
    }
    for (int c = 0; c < f.classes[k]; ++c, ++id) {
      char name[16];
      std::snprintf(name, sizeof(name), "n%03d", id);
      fs::path dir = layout == "folders" ? root / stems[k] / name : root / "data" / name;
      if (layout != "csv") fs::create_directories(dir);
      if (layout == "class-lists") list << name << "\n";
      for (int i = 0; i < f.images; ++i) {
        char file[32];
        if (layout == "csv") {
          std::snprintf(file, sizeof(file), "%s%04d.jpg", name, i);
          WriteUniform(root / "images" / file, f.size, 20 * (id + 1), 20 * (i + 1), true);
          csv << file << "," << name << "\n";
        } else {
          std::snprintf(file, sizeof(file), "%02d.png", i);
          WriteUniform(dir / file, f.size, 20 * (id + 1), 20 * (i + 1), false);
        }
      }
    }
  }
}

}  // namespace metarl::testing
