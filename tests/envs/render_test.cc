// Headless rendering: an EGL context, MuJoCo's offscreen renderer on the
// half-cheetah, PNG files and videos (ffmpeg, checked with ffprobe). Skipped,
// with the reason, only where no OpenGL context can be made at all.

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "core/mujoco_model.h"
#include "envs/render/gl_context.h"
#include "envs/render/image.h"
#include "envs/render/scene_renderer.h"
#include "envs/render/video_writer.h"
#include "tests/test_util.h"

namespace metarl::envs::render {
namespace {

namespace fs = std::filesystem;

// A context, or the reason there is none.
std::unique_ptr<GlContext> Context(std::string* why) {
  try {
    return std::make_unique<GlContext>();
  } catch (const std::runtime_error& e) {
    *why = e.what();
    return nullptr;
  }
}

#define REQUIRE_GL(ctx)                                   \
  std::string why;                                        \
  const auto ctx = Context(&why);                         \
  if (!ctx) GTEST_SKIP() << "no OpenGL context: " << why

double MeanAbsDifference(const RgbImage& a, const RgbImage& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(int(a.pixels[i]) - int(b.pixels[i]));
  return sum / static_cast<double>(a.pixels.size());
}

double StdDev(const RgbImage& a) {
  double sum = 0.0, sq = 0.0;
  for (auto p : a.pixels) {
    sum += p;
    sq += double(p) * p;
  }
  const double n = static_cast<double>(a.pixels.size()), mean = sum / n;
  return std::sqrt(std::max(0.0, sq / n - mean * mean));
}

std::string Shell(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[256];
  while (std::fgets(buf, sizeof(buf), p)) out += buf;
  pclose(p);
  return out;
}

TEST(Render, CheetahImageHasTheSizeIsNotBlankAndFollowsTheState) {
  REQUIRE_GL(ctx);
  std::printf("context: %s\n", ctx->description().c_str());
  const MjModelPtr model = LoadMjcf(AssetsDir() + "/half_cheetah.xml");
  MjDataPtr data = MakeData(model.get());
  mj_forward(model.get(), data.get());
  SceneOptions o;
  o.width = 160;
  o.height = 120;
  SceneRenderer renderer(model.get(), o);
  const RgbImage first = renderer.Render(data.get());
  ASSERT_EQ(first.width, 160);
  ASSERT_EQ(first.height, 120);
  ASSERT_EQ(first.pixels.size(), 160u * 120u * 3u);
  EXPECT_GT(StdDev(first), 10.0) << "a blank or uniform image";
  // Same state, same image; bent joints, a different one.
  EXPECT_EQ(renderer.Render(data.get()).pixels, first.pixels);
  for (int j = 3; j < model->nq; ++j) data->qpos[j] = 0.6;
  mj_forward(model.get(), data.get());
  const RgbImage bent = renderer.Render(data.get());
  EXPECT_GT(MeanAbsDifference(first, bent), 0.5);
  // The overlay draws text over the scene.
  const RgbImage text = renderer.Render(data.get(), "velocity\nstep", "1.50\n0");
  EXPECT_GT(MeanAbsDifference(bent, text), 0.1);
}

TEST(Render, PngRoundTripsAndImagesStackSideBySide) {
  RgbImage a(3, 2), b(2, 1);
  for (std::size_t i = 0; i < a.pixels.size(); ++i) a.pixels[i] = static_cast<std::uint8_t>(i * 13);
  for (std::size_t i = 0; i < b.pixels.size(); ++i) b.pixels[i] = static_cast<std::uint8_t>(200 + i);
  const RgbImage both = SideBySide({a, b});
  ASSERT_EQ(both.width, 5);
  ASSERT_EQ(both.height, 2);
  EXPECT_EQ(both.at(3, 0)[0], 200);
  EXPECT_EQ(both.at(3, 1)[0], 0);  // padding below the shorter image
  EXPECT_EQ(both.at(2, 1)[2], a.at(2, 1)[2]);
  const fs::path file = fs::temp_directory_path() / "metarl_render_roundtrip.png";
  WritePng(file.string(), both);
  const RgbImage back = ReadPng(file.string());
  EXPECT_EQ(back.width, 5);
  EXPECT_EQ(back.pixels, both.pixels);
  EXPECT_NE(testing::InvalidArgumentMessage([] { ReadPng("/nonexistent/x.png"); }).find("/nonexistent/x.png"),
            std::string::npos);
}

// Ten rendered frames make an mp4 and a gif that ffprobe decodes to ten
// frames of the right size, and a folder of ten PNGs.
TEST(Render, TenFramesMakeVideosThatDecodeToTenFrames) {
  REQUIRE_GL(ctx);
  const MjModelPtr model = LoadMjcf(AssetsDir() + "/half_cheetah.xml");
  MjDataPtr data = MakeData(model.get());
  SceneOptions o;
  o.width = 96;
  o.height = 64;
  SceneRenderer renderer(model.get(), o);
  const fs::path dir = fs::temp_directory_path() / "metarl_render_video";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const std::string name : {"clip.mp4", "clip.gif", "frames"}) {
    mj_resetData(model.get(), data.get());
    VideoWriter video((dir / name).string(), o.width, o.height, 20);
    for (int f = 0; f < 10; ++f) {
      for (int k = 0; k < 5; ++k) mj_step(model.get(), data.get());
      video.Write(renderer.Render(data.get()));
    }
    EXPECT_EQ(video.Close(), 10);
    if (name == "frames") {
      int files = 0;
      for (const auto& e : fs::directory_iterator(dir / name)) files += e.path().extension() == ".png";
      EXPECT_EQ(files, 10);
      EXPECT_EQ(ReadPng((dir / name / "frame_00009.png").string()).width, 96);
      continue;
    }
    const std::string probe = Shell("ffprobe -v error -count_frames -select_streams v:0 -show_entries "
                                    "stream=nb_read_frames,width,height -of csv=p=0 '" + (dir / name).string() + "'");
    EXPECT_EQ(probe, "96,64,10\n") << name;
    EXPECT_FALSE(fs::exists(dir / ("." + name + ".partial"))) << name;
  }
  // An odd size cannot be H.264 yuv420p: refused before ffmpeg starts.
  EXPECT_NE(testing::InvalidArgumentMessage([&] { VideoWriter((dir / "odd.mp4").string(), 95, 64, 20); }).find("even"),
            std::string::npos);
}

TEST(Render, UnknownBackendAndBodyAreNamed) {
  GlOptions g;
  g.backend = "glx";
  EXPECT_NE(testing::InvalidArgumentMessage([&] { GlContext c(g); }).find("'glx'"), std::string::npos);
  REQUIRE_GL(ctx);
  const MjModelPtr model = LoadMjcf(AssetsDir() + "/half_cheetah.xml");
  SceneOptions o;
  o.track_body = "tail";
  EXPECT_NE(testing::InvalidArgumentMessage([&] { SceneRenderer r(model.get(), o); }).find("'tail'"),
            std::string::npos);
}

// One process renders through one OpenGL family: MuJoCo takes its GL
// functions from whichever of libEGL / libOSMesa is loaded, so once a context
// of one family exists the other is refused, naming the reason (rather than
// MuJoCo failing inside mjr_makeContext). OSMesa itself is rendered with in a
// fresh process by Cli.RenderThroughOsMesaMatchesEgl.
TEST(Render, TheOtherOpenGlFamilyIsRefusedInAProcessThatRendersWithOne) {
  REQUIRE_GL(ctx);
  const bool egl = ctx->description().rfind("egl", 0) == 0;
  GlOptions other;
  other.backend = egl ? "osmesa" : "egl-surfaceless";
  try {
    GlContext c(other);
    FAIL() << "a " << other.backend << " context was made in a process rendering with " << ctx->description();
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(other.backend + ":"), std::string::npos) << what;
    EXPECT_NE(what.find("one OpenGL family per process"), std::string::npos) << what;
  }
  // The first context still renders.
  ctx->MakeCurrent();
  const MjModelPtr model = LoadMjcf(AssetsDir() + "/half_cheetah.xml");
  MjDataPtr data = MakeData(model.get());
  mj_forward(model.get(), data.get());
  SceneOptions o;
  o.width = 32;
  o.height = 24;
  EXPECT_GT(StdDev(SceneRenderer(model.get(), o).Render(data.get())), 10.0);
}

}  // namespace
}  // namespace metarl::envs::render
