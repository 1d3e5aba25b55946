#pragma once
// What `metarl fewshot train|eval` and `metarl bench fewshot` share: the
// configuration, the task distribution, the network and the learner on
// their device.
//
// Config keys: task (registry: metarl fewshot tasks) with task-kwargs,
// learner (maml | meta-sgd | anil | reptile) with that learner's keys at the
// top level, net {hidden-sizes} (vector inputs) or {filters, blocks}
// (images), meta-batch-size, num-batches,
// checkpoint-every, log-every, eval-steps, validate-every,
// validation-episodes, seed, device, threads, deterministic.
//
// Random streams: StreamSeed(seed, {kFewShotInit}) initialises the network;
// meta-training batch i is drawn from {kFewShotTrain, i}; `fewshot eval`
// draws held-out episodes from {kFewShotEval, batch} of its own seed (the
// test split for image datasets); meta-validation after iteration i draws
// batch b from StreamSeed(StreamSeed(seed, {kFewShotValidation, i}),
// {kFewShotValidation, b}) (the validation split).

#include <cstdint>
#include <memory>
#include <string>

#include <c10/core/Device.h>
#include <yaml-cpp/yaml.h>

#include "algorithms/fewshot/conv_net.h"
#include "algorithms/fewshot/resnet12.h"
#include "algorithms/fewshot/functional_net.h"
#include "algorithms/fewshot/learner.h"
#include "algorithms/fewshot/mlp_net.h"
#include "core/config.h"
#include "envs/fewshot/episodes.h"

namespace metarl::runners {

enum FewShotStream : std::uint64_t {
  kFewShotInit = 101,
  kFewShotTrain = 102,
  kFewShotEval = 103,
  kFewShotValidation = 104,
};

struct FewShotTrainOptions {
  std::string task = "sinusoid";   // few-shot task distribution; its options under task-kwargs
  std::string learner = "maml";    // maml | meta-sgd | anil | reptile (their keys: algorithms/fewshot/*.h)
  algorithms::fewshot::MlpNetOptions mlp;    // key `net` for vector inputs: hidden-sizes [40, 40]
  // Images: net.type conv (ConvNetOptions: filters 64, blocks 4) or resnet12 (ResNet12Options).
  std::string net_type = "conv";
  algorithms::fewshot::ConvNetOptions conv;
  algorithms::fewshot::ResNet12Options resnet12;
  int meta_batch_size = 25;        // tasks (episodes) per meta-update
  int num_batches = 20000;         // meta-iterations
  int checkpoint_every = 1000;     // iterations between checkpoints (and one at the end)
  int log_every = 100;             // iterations between progress lines (every one is in metrics.csv)
  int eval_steps = 10;             // inner steps `fewshot eval` reports by default (rows 0..eval-steps)
  int validate_every = 0;          // iterations between meta-validations (0: none)
  int validation_episodes = 100;   // validation-split episodes per meta-validation (adapted eval-steps steps)
  std::uint64_t seed = 1;          // base seed of every random stream
  std::string device = "cpu";      // cpu | cuda | cuda:N | auto
  int threads = 1;                 // LibTorch intra-op threads
  // true: results bit-identical for any `threads` (the BLAS on one thread,
  // oneDNN's convolutions off; core/threads.h). false: the BLAS on `threads`
  // threads and oneDNN's convolutions, faster on several threads; a run then
  // repeats bit for bit only at the same thread count.
  bool deterministic = true;

  void Read(ConfigMap& config);
  void Validate() const;
};

class FewShotSetup {
 public:
  // Reads and validates every key (messages name the key and the source).
  explicit FewShotSetup(ConfigMap& config);

  const FewShotTrainOptions& options() const { return options_; }
  const envs::fewshot::FewShotTasks& tasks() const { return *tasks_; }
  algorithms::fewshot::FewShotLearner& learner() { return *learner_; }
  const algorithms::fewshot::FunctionalNet& net() const { return *net_; }
  const c10::Device& device() const { return device_; }
  const YAML::Node& resolved_config() const { return resolved_; }

  // `tasks` episodes of `split` from the stream `seed`, on the device.
  envs::fewshot::EpisodeBatch Sample(int64_t tasks, envs::fewshot::Split split, std::uint64_t seed) const;

  // Adapts the learner to `episodes` episodes of `split` (batches of
  // meta-batch-size, batch b drawn from StreamSeed(seed, {tag, b})) for
  // 0..steps steps; the curve's tensors hold every episode, [episodes].
  algorithms::fewshot::AdaptationCurve EvaluateEpisodes(envs::fewshot::Split split, int episodes, int steps,
                                                        std::uint64_t seed, std::uint64_t tag);

 private:
  FewShotTrainOptions options_;
  std::unique_ptr<envs::fewshot::FewShotTasks> tasks_;
  std::shared_ptr<const algorithms::fewshot::FunctionalNet> net_;
  std::unique_ptr<algorithms::fewshot::FewShotLearner> learner_;
  c10::Device device_{c10::kCPU};
  YAML::Node resolved_;
};

// Writes the task distribution's split listing to DIR/split.csv, or, when
// `check_existing` and the file exists, checks that it is the same
// (std::invalid_argument naming the file otherwise: the dataset changed).
void SaveOrCheckSplit(const envs::fewshot::FewShotTasks& tasks, const std::string& dir, bool check_existing);

// True when a config is a few-shot one (it names a `learner`), so the RL
// commands can point the user to `metarl fewshot`.
bool IsFewShotConfig(const ConfigMap& config);

}  // namespace metarl::runners
