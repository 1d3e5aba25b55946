#pragma once
// Few-shot episodes and the distributions that produce them.
//
// An EpisodeBatch holds T tasks (episodes) of one distribution, stacked:
//   regression:     support_x [T, S, D] float, support_y [T, S, 1] float
//                   (query_x / query_y likewise with Q points);
//   classification: support_x [T, S, C, H, W] float, support_y [T, S] int64
//                   labels 0..N-1 (N ways; S = N·K support, Q = N·query).
// Labels are per episode: class c of an episode is the c-th class drawn for
// it, so the label permutation is random across episodes.
//
// Thread-safety: Sample() is const and may be called concurrently with
// different Rngs.

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "core/rng.h"

namespace metarl::envs::fewshot {

struct EpisodeBatch {
  at::Tensor support_x, support_y;
  at::Tensor query_x, query_y;
  int64_t ways = 0;  // classification: N, the labels' range; 0 for regression

  int64_t num_tasks() const { return support_x.size(0); }
  // The batch on `device` (a no-op when it is there already).
  EpisodeBatch To(const c10::Device& device) const;
  // Episodes [first, first + count) (views).
  EpisodeBatch Narrow(int64_t first, int64_t count) const;
};

// An uninitialised classification batch of `tasks` N-way episodes with K
// support and Q query images of [channels, s, s] per class: support_x
// [T, N·K, C, S, S] and query_x [T, N·Q, C, S, S] float, support_y [T, N·K]
// and query_y [T, N·Q] int64, ways = N; for a dataset's Sample() to fill.
EpisodeBatch EmptyImageEpisodes(int64_t tasks, int64_t n, int64_t k, int64_t q, int64_t channels, int64_t s);

// Meta-train / meta-validation / meta-test. For distributions over
// continuous task parameters (sinusoid) every split draws from the same
// distribution and held-out tasks come from a separate random stream; for
// image datasets the splits hold disjoint classes.
enum class Split { kTrain, kValidation, kTest };
const char* SplitName(Split split);

class FewShotTasks {
 public:
  virtual ~FewShotTasks() = default;

  virtual std::string name() const = 0;
  virtual bool classification() const = 0;
  // Per-example input shape ([1] for the sinusoid, [1, 28, 28] for Omniglot).
  virtual std::vector<int64_t> input_shape() const = 0;
  // Network outputs: 1 for regression, the number of ways for classification
  // (of evaluation and validation episodes).
  virtual int64_t num_outputs() const = 0;
  // The ways of meta-training episodes (train-ways); num_outputs() unless the
  // distribution trains on another episode shape.
  virtual int64_t train_ways() const { return num_outputs(); }
  // Draws `tasks` episodes of `split` from `rng` (CPU tensors).
  virtual EpisodeBatch Sample(int64_t tasks, Split split, Rng& rng) const = 0;
  // For datasets split by class: "split,class" CSV lines saved with a run
  // (DIR/split.csv) so that a resumed run or an evaluation can check it uses
  // the same split. Empty for distributions without a class split.
  virtual std::string SplitListing() const { return ""; }
};

}  // namespace metarl::envs::fewshot
