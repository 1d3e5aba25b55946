// `metarl render`: the CLI of runners/render_command.h.

#include <iostream>

#include "core/config.h"
#include "core/error.h"
#include "runners/checkpoint.h"
#include "runners/cli/commands.h"
#include "runners/cli/parse.h"
#ifdef METARL_HAVE_RENDERING
#include "runners/render_command.h"
#endif

namespace metarl::cli {
namespace po = boost::program_options;

int RenderCommand(const std::vector<std::string>& args) {
#ifndef METARL_HAVE_RENDERING
  (void)args;
  throw std::runtime_error("this metarl was built without rendering (configured with -DMETARL_RENDERING=OFF); "
                           "rebuild with the EGL and OSMesa headers (libegl-dev, libosmesa6-dev) to use `metarl render`");
#else
  runners::RenderCommandOptions o;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")
      ("checkpoint", po::value(&o.checkpoint_dir)->required(), "output directory of `metarl train` (MAML family or RL²)")
      ("task", po::value(&o.task), "task to render, e.g. velocity=1.5 or direction=-1 (default: sampled tasks)")
      ("grad-steps", po::value(&o.grad_steps)->default_value(o.grad_steps),
       "adaptation steps; > 0 renders before (left) and after (right) side by side")
      ("episodes", po::value(&o.episodes)->default_value(o.episodes), "episodes (one per task) one after another")
      ("out", po::value(&o.out)->default_value(o.out), "output: FILE.mp4, FILE.gif or a folder for PNG frames")
      ("width", po::value(&o.width)->default_value(o.width), "pixels per panel")
      ("height", po::value(&o.height)->default_value(o.height), "pixels per panel")
      ("fps", po::value(&o.fps)->default_value(o.fps), "frames per second (0: real time)")
      ("frame-skip", po::value(&o.frame_skip)->default_value(o.frame_skip), "render every n-th env step")
      ("sample-actions", po::bool_switch(&o.sample_actions), "sample actions (default: the policy's mean)")
      ("seed", po::value(&o.seed)->default_value(o.seed), "seed of adaptation rollouts, initial states, actions")
      ("gl", po::value(&o.gl)->default_value(o.gl), "OpenGL: auto, egl-device, egl-surfaceless, egl-default, osmesa (or $METARL_GL)")
      ("track-body", po::value(&o.track_body), "body the camera follows (default: the robot's root)")
      ("camera-distance", po::value(&o.camera_distance)->default_value(o.camera_distance), "metres");
  po::variables_map vm;
  if (!Parse(args, desc,
             "usage: metarl render --checkpoint DIR [--task velocity=1.5] [--grad-steps K] [--episodes N]\n"
             "                     [--out rollout.mp4|rollout.gif|FOLDER] [--width W] [--height H] [--fps F]\n"
             "Headless video (EGL or OSMesa; no display needed) of a trained policy, before and after K adaptation steps\n"
             "(RL²: the first and the last episode of a trial).",
             &vm)) {
    return 0;
  }
  const runners::RenderSummary s = runners::RunRenderCommand(o);
  std::cout << "wrote " << o.out << ": " << s.frames << " frames (" << s.gl << ")\n";
  for (std::size_t e = 0; e < s.tasks.size(); ++e) {
    std::cout << "  " << s.tasks[e] << ": return " << s.return_before[e] << " (" << s.panels.front() << ")";
    if (s.panels.size() > 1) std::cout << ", " << s.return_after[e] << " (" << s.panels.back() << ")";
    std::cout << "\n";
  }
  return 0;
#endif
}

}  // namespace metarl::cli
