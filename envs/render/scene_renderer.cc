#include "envs/render/scene_renderer.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/mujoco_model.h"

namespace metarl::envs::render {

struct SceneRenderer::State {
  mjModel* model = nullptr;  // our copy
  mjvScene scene;
  mjvCamera camera;
  mjvOption option;
  mjrContext context;
  int body = 1;  // tracked body
};

void SceneOptions::Validate() const {
  METARL_REQUIRE(width >= 16 && width <= 4096, "width = ", width, ": expected 16..4096 pixels");
  METARL_REQUIRE(height >= 16 && height <= 4096, "height = ", height, ": expected 16..4096 pixels");
  METARL_REQUIRE(std::isfinite(distance) && distance > 0.0, "camera distance = ", distance,
                 ": expected a positive number of metres");
  METARL_REQUIRE(std::isfinite(elevation) && std::isfinite(azimuth), "camera elevation/azimuth must be finite");
}

SceneRenderer::SceneRenderer(const mjModel* model, SceneOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {
  options_.Validate();
  int body = 1;
  if (!options_.track_body.empty()) {
    body = mj_name2id(model, mjOBJ_BODY, options_.track_body.c_str());
    METARL_REQUIRE(body >= 0, "track body '", options_.track_body, "': not a body of this model");
  }
  METARL_REQUIRE(body < model->nbody, "the model has no body to track");
  InstallMujocoHandlers();
  State& s = *state_;
  s.model = mj_copyModel(nullptr, model);
  METARL_CHECK(s.model != nullptr, "could not copy the MuJoCo model for rendering");
  s.model->vis.global.offwidth = options_.width;
  s.model->vis.global.offheight = options_.height;
  mjv_defaultScene(&s.scene);
  mjv_defaultCamera(&s.camera);
  mjv_defaultOption(&s.option);
  mjr_defaultContext(&s.context);
  mjv_makeScene(s.model, &s.scene, 2000);
  try {
    mjr_makeContext(s.model, &s.context, mjFONTSCALE_150);  // mju_error (no current context …) throws
  } catch (...) {
    mjv_freeScene(&s.scene);
    mj_deleteModel(s.model);
    s.model = nullptr;
    throw;
  }
  mjr_setBuffer(mjFB_OFFSCREEN, &s.context);
  if (s.context.offWidth < options_.width || s.context.offHeight < options_.height) {
    const int w = s.context.offWidth, h = s.context.offHeight;
    mjr_freeContext(&s.context);
    mjv_freeScene(&s.scene);
    mj_deleteModel(s.model);
    s.model = nullptr;
    throw std::runtime_error(Cat("the offscreen buffer is ", w, "×", h, ", smaller than the requested ",
                                 options_.width, "×", options_.height, " (the OpenGL driver's limit)"));
  }
  // A free camera whose target we set to the tracked body every frame:
  // MuJoCo's own tracking camera eases toward its target over frames, so
  // an image would depend on the frames drawn before it.
  s.camera.type = mjCAMERA_FREE;
  s.body = body;
  s.camera.distance = options_.distance;
  s.camera.elevation = options_.elevation;
  s.camera.azimuth = options_.azimuth;
}

SceneRenderer::~SceneRenderer() {
  if (state_ && state_->model != nullptr) {
    mjr_freeContext(&state_->context);
    mjv_freeScene(&state_->scene);
    mj_deleteModel(state_->model);
  }
}

RgbImage SceneRenderer::Render(mjData* data, const std::string& titles, const std::string& values) {
  State& s = *state_;
  const mjrRect viewport = {0, 0, options_.width, options_.height};
  for (int i = 0; i < 3; ++i) s.camera.lookat[i] = data->subtree_com[3 * s.body + i];
  mjv_updateScene(s.model, data, &s.option, nullptr, &s.camera, mjCAT_ALL, &s.scene);
  mjr_setBuffer(mjFB_OFFSCREEN, &s.context);
  mjr_render(viewport, &s.scene, &s.context);
  if (!titles.empty() || !values.empty()) {
    mjr_overlay(mjFONT_NORMAL, mjGRID_TOPLEFT, viewport, titles.c_str(), values.c_str(), &s.context);
  }
  RgbImage bottom_up(options_.width, options_.height);
  mjr_readPixels(bottom_up.pixels.data(), nullptr, viewport, &s.context);
  // OpenGL's rows run bottom to top; ours top to bottom.
  RgbImage image(options_.width, options_.height);
  const std::size_t row = static_cast<std::size_t>(options_.width) * 3;
  for (int y = 0; y < options_.height; ++y) {
    std::memcpy(image.pixels.data() + static_cast<std::size_t>(y) * row,
                bottom_up.pixels.data() + static_cast<std::size_t>(options_.height - 1 - y) * row, row);
  }
  return image;
}

}  // namespace metarl::envs::render
