#pragma once
// Internal to `metarl render`: the parts shared by the MAML-family renderer
// (runners/render_command.cc) and the RL² one (runners/render_trial.cc).

#include <string>
#include <vector>

#include "core/config.h"
#include "envs/render/scene_renderer.h"
#include "envs/task.h"
#include "envs/task_distribution.h"
#include "runners/checkpoint.h"
#include "runners/render_command.h"

namespace metarl::runners::render_internal {

// Stream tag of the rendered episodes' initial states and actions (beside
// the trainers' StreamTag values).
inline constexpr std::uint64_t kRenderEpisodes = 6;

// std::invalid_argument naming the option (and validating the scene).
envs::render::SceneOptions CheckOptions(const RenderCommandOptions& options);
// `episodes` copies of --task (validated by `dist`), or tasks sampled from
// the eval stream of --seed.
std::vector<envs::Task> TasksToRender(const RenderCommandOptions& options, const envs::TaskDistribution& dist);
// std::invalid_argument when `dist`'s envs have no MuJoCo model.
void RequireMujoco(const envs::TaskDistribution& dist, const std::string& env_name);
// options.fps, or real time for env steps of `dt` seconds every frame_skip.
int Fps(const RenderCommandOptions& options, double dt);
std::string FormatReturn(double value);  // one decimal

RenderSummary RenderRl2Trials(const RenderCommandOptions& options, ConfigMap& config, const Checkpoint& checkpoint);

}  // namespace metarl::runners::render_internal
