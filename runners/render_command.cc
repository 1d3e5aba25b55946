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

namespace metarl::runners {

namespace {

// Stream tag of the rendered episodes' initial states and sampled actions
// (beside MamlSetup's StreamTag values).
constexpr std::uint64_t kRenderEpisodes = 6;

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

std::string Format(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", v);
  return text;
}

}  // namespace

RenderSummary RunRenderCommand(const RenderCommandOptions& options) {
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

  const Checkpoint checkpoint = LoadCheckpoint(options.checkpoint_dir);
  ConfigMap config = ConfigMap::FromString(checkpoint.config_yaml, options.checkpoint_dir + "/checkpoint.pt (config)");
  MamlSetup setup(config);
  RestoreParams(checkpoint, setup.policy().ParameterNames(), setup.policy().parameters_list());
  const envs::TaskDistribution& dist = setup.distribution();

  std::vector<envs::Task> tasks;
  if (options.task.empty()) {
    Rng task_rng(StreamSeed(options.seed, {kEvalTasks}));
    tasks = dist.Sample(options.episodes, task_rng);
  } else {
    const envs::Task task = envs::Task::Parse(options.task);
    dist.ValidateTask(task);
    tasks.assign(static_cast<std::size_t>(options.episodes), task);
  }
  // Probe: rendering needs MuJoCo physics.
  if (dynamic_cast<envs::MujocoEnv*>(dist.MakeEnv().get()) == nullptr) {
    throw std::invalid_argument(Cat("env '", setup.options().env, "' has no MuJoCo model to render; ",
                                    "metarl render needs a MuJoCo env (HalfCheetah*, Ant*)"));
  }
  const MamlSetup::Rollouts rollouts =
      setup.RolloutWithAdaptation(tasks, options.grad_steps, StreamSeed(options.seed, {kEvalRollouts}));

  envs::render::GlOptions gl;
  gl.backend = options.gl;
  envs::render::GlContext context(gl);
  RenderSummary summary;
  summary.gl = context.description();
  const double dt = dist.spec().dt;
  const int fps = options.fps > 0 ? options.fps : std::max(1, static_cast<int>(std::lround(1.0 / (dt * options.frame_skip))));
  const int panels = options.grad_steps > 0 ? 2 : 1;
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
                                                    Format(panel.total)));
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

}  // namespace metarl::runners
