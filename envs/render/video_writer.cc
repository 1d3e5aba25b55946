#include "envs/render/video_writer.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <sys/wait.h>

#include "core/error.h"
#include "core/programs.h"

namespace metarl::envs::render {

namespace fs = std::filesystem;

namespace {

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// 'path' quoted for /bin/sh.
std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

VideoWriter::VideoWriter(const std::string& path, int width, int height, int fps)
    : path_(path), width_(width), height_(height), fps_(fps) {
  METARL_REQUIRE(fps >= 1 && fps <= 240, "fps = ", fps, ": expected 1..240 frames per second");
  METARL_REQUIRE(width >= 1 && height >= 1, "video size ", width, "×", height, ": expected positive sizes");
  format_ = EndsWith(path, ".mp4") ? Format::kMp4 : EndsWith(path, ".gif") ? Format::kGif : Format::kPngFolder;
  if (format_ == Format::kPngFolder) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec || !fs::is_directory(path)) {
      throw std::runtime_error(Cat("could not create the frame folder '", path, "': ", ec.message()));
    }
    return;
  }
  if (format_ == Format::kMp4) {
    METARL_REQUIRE(width % 2 == 0 && height % 2 == 0, "video size ", width, "×", height,
                   ": H.264 (yuv420p) needs even sizes; choose an even width and height");
  }
  METARL_REQUIRE(ProgramOnPath("ffmpeg"), "writing '", path, "' needs ffmpeg on PATH (Debian package ffmpeg); ",
                 "or give a folder name to write PNG frames");
  static const bool sigpipe_ignored = [] { return std::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
  (void)sigpipe_ignored;
  const fs::path target(path);
  partial_ = (target.parent_path() / ("." + target.filename().string() + ".partial")).string();
  std::ostringstream cmd;
  cmd << "ffmpeg -nostdin -hide_banner -loglevel error -y -f rawvideo -pix_fmt rgb24 -s " << width << "x" << height
      << " -r " << fps << " -i - ";
  if (format_ == Format::kMp4) {
    cmd << "-c:v libx264 -pix_fmt yuv420p -f mp4 ";
  } else {
    cmd << "-vf 'split[a][b];[a]palettegen[p];[b][p]paletteuse' -f gif ";
  }
  cmd << ShellQuote(partial_);
  pipe_ = popen(cmd.str().c_str(), "w");
  if (pipe_ == nullptr) throw std::runtime_error(Cat("could not start ffmpeg for '", path, "'"));
}

VideoWriter::~VideoWriter() {
  if (closed_) return;
  if (pipe_ != nullptr) {
    pclose(pipe_);
    std::remove(partial_.c_str());
  }
}

void VideoWriter::Write(const RgbImage& frame) {
  METARL_REQUIRE(!closed_, "VideoWriter: frame written after Close()");
  METARL_REQUIRE(frame.width == width_ && frame.height == height_, "video frame ", frame.width, "×", frame.height,
                 ": expected ", width_, "×", height_, " like the first");
  if (format_ == Format::kPngFolder) {
    char name[32];
    std::snprintf(name, sizeof(name), "frame_%05d.png", frames_);
    WritePng((fs::path(path_) / name).string(), frame);
  } else if (std::fwrite(frame.pixels.data(), 1, frame.pixels.size(), pipe_) != frame.pixels.size()) {
    throw std::runtime_error(Cat("ffmpeg stopped taking frames for '", path_, "' (frame ", frames_, ")"));
  }
  ++frames_;
}

int VideoWriter::Close() {
  if (closed_) return frames_;
  closed_ = true;
  if (format_ == Format::kPngFolder) return frames_;
  const int status = pclose(pipe_);
  pipe_ = nullptr;
  if (status != 0 || frames_ == 0) {
    std::remove(partial_.c_str());
    throw std::runtime_error(Cat("ffmpeg failed to write '", path_, "' (exit status ",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, ", ", frames_, " frames)"));
  }
  std::error_code ec;
  fs::rename(partial_, path_, ec);
  if (ec) throw std::runtime_error(Cat("could not move the video to '", path_, "': ", ec.message()));
  return frames_;
}

}  // namespace metarl::envs::render
