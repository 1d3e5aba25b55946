#pragma once
// The shape of N-way K-shot classification episodes, shared by the image
// datasets: evaluation (and validation) episodes have `ways` classes with
// `shots` support and `query` query examples per class; meta-training
// episodes may have their own (train-ways, train-shots, train-query; 0 =
// the evaluation value), as Snell et al. train 60-way and test 5-way.

#include <algorithm>
#include <cstdint>

#include "core/config.h"

namespace metarl::envs::fewshot {

struct EpisodeShape {
  int ways = 5;         // N: classes per episode
  int shots = 1;        // K: support examples per class
  int query = 15;       // query examples per class
  int train_ways = 0;   // meta-training episodes' N (0: ways)
  int train_shots = 0;  // meta-training episodes' K (0: shots)
  int train_query = 0;  // meta-training episodes' query per class (0: query)

  // keys: ways, shots, query, train-ways, train-shots, train-query
  void ReadShape(ConfigMap& config);
  void ValidateShape() const;  // std::invalid_argument naming task-kwargs.<key>

  int64_t Ways(bool training) const { return training && train_ways > 0 ? train_ways : ways; }
  int64_t Shots(bool training) const { return training && train_shots > 0 ? train_shots : shots; }
  int64_t Query(bool training) const { return training && train_query > 0 ? train_query : query; }
  // Examples one class must have for either episode shape (shots + query).
  int64_t ExamplesPerClass() const { return std::max(Shots(false) + Query(false), Shots(true) + Query(true)); }
};

}  // namespace metarl::envs::fewshot
