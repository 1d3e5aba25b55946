// `metarl render` for RL² checkpoints: one trial per task, its first episode
// beside its last (runners/render_command.h).

#include <algorithm>
#include <memory>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "core/error.h"
#include "envs/mujoco/mujoco_env.h"
#include "envs/render/gl_context.h"
#include "envs/render/video_writer.h"
#include "runners/render_common.h"
#include "runners/rl2_setup.h"

namespace metarl::runners::render_internal {

RenderSummary RenderRl2Trials(const RenderCommandOptions& options, ConfigMap& config, const Checkpoint& checkpoint) {
  METARL_REQUIRE(options.grad_steps == 0, "--grad-steps = ", options.grad_steps, ": ", options.checkpoint_dir,
                 " holds an RL² run, which adapts within a trial without gradient steps; the video shows the ",
                 "trial's first and last episodes");
  const envs::render::SceneOptions scene = CheckOptions(options);
  Rl2Setup setup(config);
  RestoreParams(checkpoint, setup.policy().ParameterNames(), setup.policy().parameters_list());
  policies::RecurrentPolicy& policy = setup.policy();
  const envs::TaskDistribution& dist = setup.distribution();
  const std::vector<envs::Task> tasks = TasksToRender(options, dist);
  RequireMujoco(dist, setup.options().env);
  const int episodes = setup.options().episodes_per_trial;

  envs::render::GlOptions gl;
  gl.backend = options.gl;
  envs::render::GlContext context(gl);
  RenderSummary summary;
  summary.gl = context.description();
  summary.panels = {"episode 1"};
  if (episodes > 1) summary.panels.push_back(Cat("episode ", episodes));
  std::unique_ptr<envs::render::VideoWriter> video;
  torch::NoGradGuard no_grad;
  for (std::size_t e = 0; e < tasks.size(); ++e) {
    const envs::Task& task = tasks[e];
    const std::unique_ptr<envs::Env> env = dist.MakeEnv();
    auto* mujoco = dynamic_cast<envs::MujocoEnv*>(env.get());
    envs::render::SceneRenderer renderer(mujoco->model(), scene);
    const envs::EnvSpec& spec = env->spec();
    Rng rng(StreamSeed(options.seed, {kRenderEpisodes, static_cast<std::uint64_t>(e)}));
    std::vector<float> obs(static_cast<std::size_t>(spec.obs_dim)), action(static_cast<std::size_t>(spec.act_dim)),
        clipped(action.size(), 0.0f), input(static_cast<std::size_t>(policy.input_dim()));
    env->ResetTask(task);
    at::Tensor h = at::zeros({1, policy.hidden_size()}, policy.parameters_list()[0].options().requires_grad(false));
    float prev_reward = 0.0f;
    bool prev_done = false, first = true;
    // Frames of the first and the last episode of the trial.
    std::vector<envs::render::RgbImage> shown[2];
    std::vector<double> returns(static_cast<std::size_t>(episodes), 0.0);
    for (int k = 0; k < episodes; ++k) {
      env->Reset(rng, Span<float>(obs));
      const int panel = k == 0 ? 0 : k == episodes - 1 ? 1 : -1;
      for (int t = 0;; ++t) {
        if (panel >= 0 && t % options.frame_skip == 0) {
          shown[panel].push_back(renderer.Render(
              mujoco->data(), "task\ntrial\nstep\nreturn",
              Cat(task.ToString(), "\nepisode ", k + 1, " of ", episodes, "\n", t, "\n",
                  FormatReturn(returns[static_cast<std::size_t>(k)]))));
        }
        policy.WriteInput(obs.data(), first, clipped.data(), prev_reward, prev_done, input.data());
        first = false;
        const at::Tensor x = at::from_blob(input.data(), {1, static_cast<int64_t>(input.size())}, at::kFloat);
        policies::RecurrentPolicy::ActResult step = policy.Act(x, h);
        h = step.hidden;
        step.sampler->Sample(0, rng, action.data());
        for (std::size_t i = 0; i < action.size(); ++i) {
          clipped[i] = std::clamp(action[i], spec.act_low[i], spec.act_high[i]);
        }
        const envs::StepResult r = env->Step(Span<const float>(action), Span<float>(obs));
        returns[static_cast<std::size_t>(k)] += r.reward;
        prev_reward = static_cast<float>(r.reward);
        prev_done = r.terminated || r.truncated;
        if (prev_done) break;
      }
    }
    // Side by side (one panel for one-episode trials); the shorter episode
    // holds its last frame.
    const int panels = episodes > 1 ? 2 : 1;
    const std::size_t frames = std::max(shown[0].size(), panels > 1 ? shown[1].size() : std::size_t{0});
    for (std::size_t f = 0; f < frames; ++f) {
      std::vector<envs::render::RgbImage> images;
      for (int p = 0; p < panels; ++p) images.push_back(shown[p][std::min(f, shown[p].size() - 1)]);
      const envs::render::RgbImage frame = envs::render::SideBySide(images);
      if (!video) {
        video = std::make_unique<envs::render::VideoWriter>(options.out, frame.width, frame.height,
                                                            Fps(options, dist.spec().dt));
      }
      video->Write(frame);
    }
    summary.tasks.push_back(task.ToString());
    summary.return_before.push_back(returns.front());
    summary.return_after.push_back(returns.back());
  }
  summary.frames = video->Close();
  return summary;
}

}  // namespace metarl::runners::render_internal
