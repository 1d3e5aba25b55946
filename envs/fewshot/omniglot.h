#pragma once
// N-way K-shot classification episodes from Omniglot (Lake et al. 2015) in
// its original layout, or any dataset laid out the same way:
//
//   ROOT/images_background/<alphabet>/<character>/<drawing>.png
//   ROOT/images_evaluation/<alphabet>/<character>/<drawing>.png
//
// Every character folder is one class. Images are read as 8-bit grey,
// inverted (strokes 1, background 0) and resized to image-size × image-size
// with an exact area (box) filter (AreaResize). With `rotations`, each
// character rotated by 0, 90, 180 and 270° gives four classes (Santoro et
// al. 2016, Finn et al. 2017), drawn per `class-pool`:
//   characters (default): N distinct characters, each at a rotation drawn
//     uniformly, as cbfinn/maml's data generator and learn2learn's
//     RandomClassRotation do, so no episode holds two rotations of one
//     character;
//   rotated: N distinct classes from the character × rotation pool (Santoro
//     et al., jakesnell/prototypical-networks), where two rotations of one
//     character can meet in an episode (≈ 29 % of 20-way test episodes).
//
// Split (by character, so the rotations of a character stay in one split):
// the characters of both folders in sorted path order are shuffled with
// split-seed; the first train-characters are meta-training, the next
// validation-characters meta-validation, the rest meta-test (standard:
// 1,100 + 100 = 1,200 for meta-training and validation, 423 for meta-test).
//
// Episode layout: support_x [T, N·K, 1, S, S] float, support_y [T, N·K] int64
// (class c of the episode, c = 0..N−1, in the order drawn; examples grouped
// by class); query likewise with N·query examples. Meta-training episodes
// may have their own shape (train-ways, train-shots, train-query; Snell et
// al. train 60-way and test 5-way); validation and test episodes have the
// evaluation shape (ways, shots, query). A drawing is never in both
// the support and the query set of an episode.

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "core/config.h"
#include "envs/fewshot/episode_shape.h"
#include "envs/fewshot/episodes.h"

namespace metarl::envs::fewshot {

// The episode shape (ways, shots, query, train-ways, …) is EpisodeShape's.
struct OmniglotOptions : EpisodeShape {
  std::string root;                  // dataset folder (required), e.g. data/omniglot
  int image_size = 28;               // S: side of the resized images
  bool rotations = true;             // 90° rotations as extra classes
  bool rotated_pool = false;         // class-pool: rotated (true) | characters (false)
  int train_characters = 1100;       // meta-training characters
  int validation_characters = 100;   // meta-validation characters (the rest: meta-test)
  std::uint64_t split_seed = 0;      // shuffle of the characters before the split

  void Read(ConfigMap& config);  // keys: root, ways, shots, query, image-size, rotations,
                                 // class-pool, train-ways, train-shots, train-query,
                                 // train-characters, validation-characters, split-seed
  void Validate() const;
};

// Exact area (box) resampling of a grey image [H, W] to [s, s]: output pixel
// (i, j) is the mean of the input over [i·H/s, (i+1)·H/s) × [j·W/s,
// (j+1)·W/s), a pixel partly inside weighted by the fraction covered (PIL's
// BOX filter; OpenCV's INTER_AREA when shrinking). Float in, float out.
at::Tensor AreaResize(const at::Tensor& image, int64_t s);

class OmniglotTasks final : public FewShotTasks {
 public:
  // Reads every image. std::invalid_argument naming the folder or file for a
  // missing or malformed dataset (with the layout expected and where to get
  // it), too few characters for the split, or too few drawings per class.
  explicit OmniglotTasks(OmniglotOptions options);

  std::string name() const override { return "omniglot"; }
  bool classification() const override { return true; }
  std::vector<int64_t> input_shape() const override { return {1, options_.image_size, options_.image_size}; }
  int64_t num_outputs() const override { return options_.ways; }
  int64_t train_ways() const override { return options_.Ways(true); }
  EpisodeBatch Sample(int64_t tasks, Split split, Rng& rng) const override;

  // "split,character" lines (character = path under the root), one per
  // character, in split order: saved with a run so its split can be checked.
  std::string SplitListing() const override;
  int64_t num_characters(Split split) const;
  const OmniglotOptions& options() const { return options_; }

 private:
  struct Character {
    std::string path;      // relative to the root
    int64_t first_image;   // index into images_
    int64_t num_images;
  };
  const std::vector<int64_t>& SplitCharacters(Split split) const;

  OmniglotOptions options_;
  std::vector<Character> characters_;          // sorted path order
  std::vector<int64_t> train_, validation_, test_;  // character indices per split
  at::Tensor images_;                          // [num images, S, S] float, inverted
};

}  // namespace metarl::envs::fewshot
