#pragma once
// `metarl render`: video of a trained MAML-family policy on a task, before
// and after fast adaptation, side by side.
//
// Loads the run's checkpoint, adapts to each task exactly as `metarl eval`
// does (grad_steps policy-gradient steps on fast-batch-size sampled
// episodes, seeded by `seed`), then renders one episode per task with the
// policy's mean action (or sampled actions): with grad_steps = 0 one panel,
// otherwise the pre-adaptation policy (left) and the adapted one (right),
// stepped in lockstep from the same initial state. Each panel's overlay
// shows the task, the phase, the step and the running return. Episodes of
// several tasks follow one another in the one video.
// RL² checkpoints (runners/render_trial.cc): no gradient steps; each task
// gets one trial of episodes-per-trial episodes with the hidden state
// carried across them, and the video shows the trial's first episode (left)
// beside its last (right), the exploring and the exploiting one, with
// sampled actions (the policy's own behaviour).
// Output by extension: .mp4, .gif, or a folder of PNG frames
// (envs/render/video_writer.h). Needs a MuJoCo env.

#include <cstdint>
#include <string>
#include <vector>

namespace metarl::runners {

struct RenderCommandOptions {
  std::string checkpoint_dir;
  std::string task;             // "velocity=1.5"; empty: `episodes` tasks sampled from the eval stream
  int grad_steps = 0;           // adaptation steps before the right panel
  int episodes = 1;             // episodes rendered (one per task)
  std::string out = "rollout.mp4";
  int width = 480;              // pixels per panel
  int height = 360;
  int fps = 0;                  // 0: real time (1 / the env's dt, rounded)
  int frame_skip = 1;           // render every n-th env step
  bool sample_actions = false;  // false: the policy's mean action
  std::uint64_t seed = 0;       // adaptation rollouts, initial states, sampled actions
  std::string gl = "auto";      // OpenGL backend (envs/render/gl_context.h)
  std::string track_body;       // camera target; "" = the robot's root body
  double camera_distance = 4.0;
};

struct RenderSummary {
  int frames = 0;
  std::vector<std::string> tasks;
  std::vector<std::string> panels;     // what each panel shows: "before", "after 1 step"; RL²: "episode 1", "episode N"
  std::vector<double> return_before;  // per task: the left panel's return (before adaptation; RL²: episode 1)
  std::vector<double> return_after;   // per task: the right panel's (after grad_steps; RL²: the last episode)
  std::string gl;                     // the OpenGL context used
};

// Dispatches on the checkpoint's algorithm (MAML family or RL²).
RenderSummary RunRenderCommand(const RenderCommandOptions& options);

}  // namespace metarl::runners
