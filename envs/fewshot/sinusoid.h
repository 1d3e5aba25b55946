#pragma once
// Sinusoid regression (Finn et al. 2017, §5.1): a task is y = A·sin(x − φ)
// with amplitude A ~ U[0.1, 5] and phase φ ~ U[0, π]; inputs x ~ U[−5, 5].
// An episode has `shots` support points and `query` separate query points of
// the same task, all drawn independently.
//
// Layout: x [T, shots|query, 1], y [T, shots|query, 1], float32.

#include <vector>

#include "core/config.h"
#include "envs/fewshot/episodes.h"

namespace metarl::envs::fewshot {

struct SinusoidOptions {
  int shots = 10;                                  // K: support points per task
  int query = 10;                                  // query points per task
  std::vector<double> amplitude = {0.1, 5.0};      // [low, high) of A
  std::vector<double> phase = {0.0, 3.14159265358979323846};  // [low, high) of φ (radians)
  std::vector<double> input_range = {-5.0, 5.0};   // [low, high) of x

  void Read(ConfigMap& config);  // keys: shots, query, amplitude, phase, input-range
  void Validate() const;
};

class SinusoidTasks final : public FewShotTasks {
 public:
  explicit SinusoidTasks(SinusoidOptions options);

  std::string name() const override { return "sinusoid"; }
  bool classification() const override { return false; }
  std::vector<int64_t> input_shape() const override { return {1}; }
  int64_t num_outputs() const override { return 1; }
  // Every split draws from the same distribution (see episodes.h).
  EpisodeBatch Sample(int64_t tasks, Split split, Rng& rng) const override;

  const SinusoidOptions& options() const { return options_; }

 private:
  SinusoidOptions options_;
};

}  // namespace metarl::envs::fewshot
