#include "envs/fewshot/episode_shape.h"

#include "core/error.h"

namespace metarl::envs::fewshot {

void EpisodeShape::ReadShape(ConfigMap& config) {
  config.Read("ways", &ways);
  config.Read("shots", &shots);
  config.Read("query", &query);
  config.Read("train-ways", &train_ways);
  config.Read("train-shots", &train_shots);
  config.Read("train-query", &train_query);
}

void EpisodeShape::ValidateShape() const {
  METARL_REQUIRE(ways >= 2, "task-kwargs.ways = ", ways, ": expected at least 2 classes per episode");
  METARL_REQUIRE(shots >= 1, "task-kwargs.shots = ", shots, ": expected at least 1");
  METARL_REQUIRE(query >= 1, "task-kwargs.query = ", query, ": expected at least 1");
  METARL_REQUIRE(train_ways == 0 || train_ways >= 2, "task-kwargs.train-ways = ", train_ways,
                 ": expected 0 (ways) or at least 2");
  METARL_REQUIRE(train_shots >= 0, "task-kwargs.train-shots = ", train_shots, ": expected 0 (shots) or more");
  METARL_REQUIRE(train_query >= 0, "task-kwargs.train-query = ", train_query, ": expected 0 (query) or more");
}

}  // namespace metarl::envs::fewshot
