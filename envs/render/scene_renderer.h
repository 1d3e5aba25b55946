#pragma once
// MuJoCo's own renderer drawing one model into an offscreen framebuffer,
// with a camera that follows a body (its subtree centre of mass, every
// frame: an image depends only on the state drawn) and a text overlay.
//
// Needs a GlContext current on the calling thread for the renderer's whole
// life (construction, Render, destruction). The model is copied (its
// offscreen buffer size is set on the copy), so a shared env model is never
// modified; Render() reads any mjData of that model.
// Not thread-safe.

#include <memory>
#include <string>

#include <mujoco/mujoco.h>

#include "envs/render/image.h"

namespace metarl::envs::render {

struct SceneOptions {
  int width = 640;           // pixels
  int height = 480;          // pixels
  std::string track_body;    // body the camera follows; "" = body 1 (the root of the robot)
  double distance = 4.0;     // camera distance from the tracked body [m]
  double elevation = -15.0;  // camera elevation [degrees; negative looks down]
  double azimuth = 90.0;     // camera azimuth [degrees; 90 looks at the robot's side along +y]

  void Validate() const;  // std::invalid_argument naming the option
};

class SceneRenderer {
 public:
  // std::invalid_argument for bad options or an unknown track_body.
  SceneRenderer(const mjModel* model, SceneOptions options);
  ~SceneRenderer();
  SceneRenderer(const SceneRenderer&) = delete;
  SceneRenderer& operator=(const SceneRenderer&) = delete;

  // Draws `data`'s state; `titles` / `values`: the overlay's two columns in
  // the top-left corner (lines separated by '\n'; empty = no overlay).
  RgbImage Render(mjData* data, const std::string& titles = "", const std::string& values = "");

  const SceneOptions& options() const { return options_; }

 private:
  struct State;
  SceneOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace metarl::envs::render
