#include "runners/render_command.h"

#include <cmath>
#include <cstdio>
#include <memory>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/error.h"
#include "envs/mujoco/mujoco_env.h"
#include "envs/render/gl_context.h"
#include "envs/render/scene_renderer.h"
#include "envs/render/video_writer.h"
#include "runners/checkpoint.h"
#include "runners/maml_setup.h"
#include "runners/render_common.h"
#include "runners/rl2_setup.h"

namespace metarl::runners {

namespace {

using render_internal::kRenderEpisodes;

// One panel: an env, the parameters that act in it, its renderer.
struct Panel {
  std::unique_ptr<envs::Env> env;
  envs::MujocoEnv* mujoco = nullptr;
  policies::Params params;  // unbatched, CPU
  std::unique_ptr<envs::render::SceneRenderer> renderer;
  std::vector<float> obs;
  Rng rng;
  std::string label;
  double total = 0.0;
  int steps = 0;
  bool done = false;
  envs::render::RgbImage last;
};

// The MAML family: before / after grad_steps adaptation steps.
RenderSummary RenderAdaptation(const RenderCommandOptions& options, ConfigMap& config, const Checkpoint& checkpoint) {
  const envs::render::SceneOptions scene = render_internal::CheckOptions(options);
  MamlSetup setup(config);
  RestoreParams(checkpoint, setup.policy().ParameterNames(), setup.policy().parameters_list());
  const envs::TaskDistribution& dist = setup.distribution();
  const std::vector<envs::Task> tasks = render_internal::TasksToRender(options, dist);
  render_internal::RequireMujoco(dist, setup.options().env);
  const MamlSetup::Rollouts rollouts =
      setup.RolloutWithAdaptation(tasks, options.grad_steps, StreamSeed(options.seed, {kEvalRollouts}));

  envs::render::GlOptions gl;
  gl.backend = options.gl;
  envs::render::GlContext context(gl);
  RenderSummary summary;
  summary.gl = context.description();
  const int fps = render_internal::Fps(options, dist.spec().dt);
  const int panels = options.grad_steps > 0 ? 2 : 1;
  summary.panels = {"before adaptation"};
  if (panels > 1) summary.panels.push_back(Cat("after ", options.grad_steps, " step", options.grad_steps > 1 ? "s" : ""));
  std::unique_ptr<envs::render::VideoWriter> video;

  torch::NoGradGuard no_grad;
  for (int e = 0; e < options.episodes; ++e) {
    const envs::Task& task = tasks[static_cast<std::size_t>(e)];
    std::vector<Panel> row(static_cast<std::size_t>(panels));
    for (int p = 0; p < panels; ++p) {
      Panel& panel = row[static_cast<std::size_t>(p)];
      const int step = p == 0 ? 0 : options.grad_steps;
      for (const auto& t : rollouts.params[static_cast<std::size_t>(step)]) panel.params.push_back(t[e].to(at::kCPU));
      panel.label = step == 0 ? "before adaptation" : Cat("after ", step, " step", step > 1 ? "s" : "");
      panel.env = dist.MakeEnv();
      panel.mujoco = dynamic_cast<envs::MujocoEnv*>(panel.env.get());
      panel.env->ResetTask(task);
      // Both panels start from the same state; their action noise differs.
      Rng reset(StreamSeed(options.seed, {kRenderEpisodes, static_cast<std::uint64_t>(e)}));
      panel.rng = Rng(StreamSeed(options.seed, {kRenderEpisodes, static_cast<std::uint64_t>(e), static_cast<std::uint64_t>(p + 1)}));
      panel.obs.assign(static_cast<std::size_t>(panel.env->spec().obs_dim), 0.0f);
      panel.env->Reset(reset, Span<float>(panel.obs.data(), panel.obs.size()));
      panel.renderer = std::make_unique<envs::render::SceneRenderer>(panel.mujoco->model(), scene);
    }
    const int act_dim = row[0].env->spec().act_dim;
    std::vector<float> action(static_cast<std::size_t>(act_dim));
    for (int t = 0;; ++t) {
      bool all_done = true;
      for (Panel& panel : row) all_done = all_done && panel.done;
      if (all_done) break;
      if (t % options.frame_skip == 0) {
        std::vector<envs::render::RgbImage> images;
        for (Panel& panel : row) {
          if (!panel.done) {
            panel.last = panel.renderer->Render(panel.mujoco->data(), "task\npolicy\nstep\nreturn",
                                                Cat(task.ToString(), "\n", panel.label, "\n", panel.steps, "\n",
                                                    render_internal::FormatReturn(panel.total)));
          }
          images.push_back(panel.last);
        }
        const envs::render::RgbImage frame = envs::render::SideBySide(images);
        if (!video) video = std::make_unique<envs::render::VideoWriter>(options.out, frame.width, frame.height, fps);
        video->Write(frame);
      }
      for (Panel& panel : row) {
        if (panel.done) continue;
        const at::Tensor obs = at::from_blob(panel.obs.data(), {1, static_cast<int64_t>(panel.obs.size())}, at::kFloat);
        const policies::DiagGaussian pi = setup.policy().Forward(obs, panel.params);
        const at::Tensor mean = pi.mean().to(at::kDouble).reshape(-1);
        const at::Tensor std = pi.log_std().exp().to(at::kDouble).expand_as(pi.mean()).reshape(-1);
        for (int a = 0; a < act_dim; ++a) {
          double v = mean[a].item<double>();
          if (options.sample_actions) v += std[a].item<double>() * panel.rng.Normal();
          action[static_cast<std::size_t>(a)] = static_cast<float>(v);
        }
        const envs::StepResult r = panel.env->Step(Span<const float>(action.data(), action.size()),
                                                   Span<float>(panel.obs.data(), panel.obs.size()));
        panel.total += r.reward;
        ++panel.steps;
        panel.done = r.terminated || r.truncated;
      }
    }
    summary.tasks.push_back(task.ToString());
    summary.return_before.push_back(row.front().total);
    summary.return_after.push_back(row.back().total);
  }
  summary.frames = video->Close();
  return summary;
}

}  // namespace

namespace render_internal {

envs::render::SceneOptions CheckOptions(const RenderCommandOptions& options) {
  METARL_REQUIRE(options.grad_steps >= 0, "--grad-steps = ", options.grad_steps, ": expected >= 0");
  METARL_REQUIRE(options.episodes >= 1, "--episodes = ", options.episodes, ": expected >= 1");
  METARL_REQUIRE(options.frame_skip >= 1, "--frame-skip = ", options.frame_skip, ": expected >= 1");
  METARL_REQUIRE(options.fps >= 0, "--fps = ", options.fps, ": expected >= 1 (or 0 for real time)");
  envs::render::SceneOptions scene;
  scene.width = options.width;
  scene.height = options.height;
  scene.track_body = options.track_body;
  scene.distance = options.camera_distance;
  scene.Validate();
  return scene;
}

std::vector<envs::Task> TasksToRender(const RenderCommandOptions& options, const envs::TaskDistribution& dist) {
  if (options.task.empty()) {
    Rng task_rng(StreamSeed(options.seed, {kEvalTasks}));
    return dist.Sample(options.episodes, task_rng);
  }
  const envs::Task task = envs::Task::Parse(options.task);
  dist.ValidateTask(task);
  return std::vector<envs::Task>(static_cast<std::size_t>(options.episodes), task);
}

void RequireMujoco(const envs::TaskDistribution& dist, const std::string& env_name) {
  if (dynamic_cast<envs::MujocoEnv*>(dist.MakeEnv().get()) == nullptr) {
    throw std::invalid_argument(Cat("env '", env_name, "' has no MuJoCo model to render; ",
                                    "metarl render needs a MuJoCo env (HalfCheetah*, Ant*)"));
  }
}

int Fps(const RenderCommandOptions& options, double dt) {
  return options.fps > 0 ? options.fps
                         : std::max(1, static_cast<int>(std::lround(1.0 / (dt * options.frame_skip))));
}

std::string FormatReturn(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", value);
  return text;
}

}  // namespace render_internal

RenderSummary RunRenderCommand(const RenderCommandOptions& options) {
  const Checkpoint checkpoint = LoadCheckpoint(options.checkpoint_dir);
  ConfigMap config = ConfigMap::FromString(checkpoint.config_yaml, options.checkpoint_dir + "/checkpoint.pt (config)");
  if (ConfiguredAlgorithm(ConfigMap::FromString(checkpoint.config_yaml, options.checkpoint_dir)) == kRl2Algorithm) {
    return render_internal::RenderRl2Trials(options, config, checkpoint);
  }
  return RenderAdaptation(options, config, checkpoint);
}

}  // namespace metarl::runners
