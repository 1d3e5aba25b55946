#include "runners/fewshot_setup.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <ATen/ATen.h>

#include "algorithms/fewshot/registry.h"
#include "core/device.h"
#include "core/error.h"
#include "core/threads.h"
#include "envs/fewshot/registry.h"

namespace metarl::runners {

void FewShotTrainOptions::Read(ConfigMap& config) {
  config.Read("task", &task);
  config.Read("learner", &learner);
  config.Read("meta-batch-size", &meta_batch_size);
  config.Read("num-batches", &num_batches);
  config.Read("checkpoint-every", &checkpoint_every);
  config.Read("log-every", &log_every);
  config.Read("eval-steps", &eval_steps);
  config.Read("validate-every", &validate_every);
  config.Read("validation-episodes", &validation_episodes);
  config.Read("seed", &seed);
  config.Read("device", &device);
  config.Read("threads", &threads);
  config.Read("deterministic", &deterministic);
}

void FewShotTrainOptions::Validate() const {
  METARL_REQUIRE(meta_batch_size >= 1, "meta-batch-size = ", meta_batch_size, ": expected an integer >= 1");
  METARL_REQUIRE(num_batches >= 1, "num-batches = ", num_batches, ": expected an integer >= 1");
  METARL_REQUIRE(checkpoint_every >= 1, "checkpoint-every = ", checkpoint_every, ": expected an integer >= 1");
  METARL_REQUIRE(log_every >= 1, "log-every = ", log_every, ": expected an integer >= 1");
  METARL_REQUIRE(eval_steps >= 0, "eval-steps = ", eval_steps, ": expected an integer >= 0");
  METARL_REQUIRE(validate_every >= 0, "validate-every = ", validate_every, ": expected an integer >= 0 (0: never)");
  METARL_REQUIRE(validation_episodes >= 1, "validation-episodes = ", validation_episodes, ": expected >= 1");
  METARL_REQUIRE(threads >= 1, "threads = ", threads, ": expected an integer >= 1");
}

FewShotSetup::FewShotSetup(ConfigMap& config) {
  try {
    options_.Read(config);
    ConfigMap task_kwargs = config.Child("task-kwargs");
    tasks_ = envs::fewshot::MakeFewShotTasks(options_.task, task_kwargs);
    options_.Validate();
    const std::vector<int64_t> input = tasks_->input_shape();
    ConfigMap net_map = config.Child("net");
    if (input.size() == 1) {
      options_.mlp.Read(net_map);
      options_.mlp.Validate();
      net_ = std::make_shared<algorithms::fewshot::MlpNet>(input[0], tasks_->num_outputs(), options_.mlp);
    } else {
      net_map.Read("type", &options_.net_type);
      if (options_.net_type == "resnet12") {
        options_.resnet12.Read(net_map);
        net_ = std::make_shared<algorithms::fewshot::ResNet12>(input, tasks_->num_outputs(), options_.resnet12);
      } else {
        METARL_REQUIRE(options_.net_type == "conv", "net.type = '", options_.net_type,
                       "': expected conv (the 4-block conv net) or resnet12");
        options_.conv.Read(net_map);
        net_ = std::make_shared<algorithms::fewshot::ConvNet>(input, tasks_->num_outputs(), options_.conv);
      }
    }
    device_ = ParseDevice(options_.device);
    Rng init_rng(StreamSeed(options_.seed, {kFewShotInit}));
    algorithms::fewshot::Params init;
    for (const auto& p : net_->Init(init_rng)) init.push_back(p.to(device_));
    learner_ = algorithms::fewshot::MakeLearner(options_.learner, config, net_, tasks_->classification(), init,
                                                options_.num_batches, options_.seed);
    METARL_REQUIRE(tasks_->train_ways() == tasks_->num_outputs() || learner_->AnyWays(), "task-kwargs.train-ways = ",
                   tasks_->train_ways(), " differs from ways = ", tasks_->num_outputs(), ", but learner '",
                   options_.learner, "' has parameters sized by the ways (its head or label input); protonet, "
                   "matching, relation and siamese train on other ways than they are evaluated on");
    config.CheckNoUnknownKeys();
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    if (what.rfind(config.source(), 0) == 0) throw;
    throw std::invalid_argument(Cat(config.source(), ": ", what));
  }
  resolved_ = config.Resolved();
  if (options_.deterministic) {
    SetReproducibleMathThreads(options_.threads);
  } else {
    SetMathThreads(options_.threads);
  }
}

envs::fewshot::EpisodeBatch FewShotSetup::Sample(int64_t tasks, envs::fewshot::Split split,
                                                 std::uint64_t seed) const {
  Rng rng(seed);
  return tasks_->Sample(tasks, split, rng).To(device_);
}

void SaveOrCheckSplit(const envs::fewshot::FewShotTasks& tasks, const std::string& dir, bool check_existing) {
  const std::string listing = tasks.SplitListing();
  if (listing.empty()) return;
  const std::filesystem::path file = std::filesystem::path(dir) / "split.csv";
  if (check_existing && std::filesystem::exists(file)) {
    std::ifstream in(file);
    const std::string saved((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    METARL_REQUIRE(saved == listing, "'", file.string(), "' lists another class split than the dataset gives now (",
                   tasks.name(), "): the dataset folder changed since the run was trained");
    return;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  METARL_REQUIRE(!ec, "cannot create output directory '", dir, "': ", ec.message());
  WriteTextFile(file.string(), listing);
}

algorithms::fewshot::AdaptationCurve FewShotSetup::EvaluateEpisodes(envs::fewshot::Split split, int episodes,
                                                                    int steps, std::uint64_t seed, std::uint64_t tag) {
  std::vector<std::vector<at::Tensor>> losses(steps + 1), accuracies(steps + 1);
  for (int64_t done = 0, b = 0; done < episodes; ++b) {
    const int64_t n = std::min<int64_t>(options_.meta_batch_size, episodes - done);
    const auto batch = Sample(n, split, StreamSeed(seed, {tag, static_cast<std::uint64_t>(b)}));
    const algorithms::fewshot::AdaptationCurve curve = learner_->Evaluate(batch, steps);
    for (int s = 0; s <= steps; ++s) {
      losses[s].push_back(curve.query_loss[s]);
      if (tasks_->classification()) accuracies[s].push_back(curve.query_accuracy[s]);
    }
    done += n;
  }
  algorithms::fewshot::AdaptationCurve all;
  for (int s = 0; s <= steps; ++s) {
    all.query_loss.push_back(at::cat(losses[s]));
    if (tasks_->classification()) all.query_accuracy.push_back(at::cat(accuracies[s]));
  }
  return all;
}

bool IsFewShotConfig(const ConfigMap& config) { return config.Has("learner"); }

}  // namespace metarl::runners
