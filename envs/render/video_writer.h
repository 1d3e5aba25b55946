#pragma once
// Writes a sequence of equally sized frames as a video or as PNG files.
//
// The format follows the path:
//   *.mp4   H.264 (yuv420p) through ffmpeg, frames fed through a pipe
//   *.gif   an animated GIF through ffmpeg (a palette computed from the frames)
//   other   a folder of PNG files frame_00000.png, frame_00001.png, … (created)
// Videos are written to DIR/.NAME.partial and renamed on Close(), so an
// interrupted or failed run never leaves a half-written file under the
// final name. ffmpeg must be on PATH (Debian package ffmpeg).
// The first writer in a process ignores SIGPIPE, so that an ffmpeg that dies
// is reported as an error instead of killing the process.
// Not thread-safe.

#include <cstdio>
#include <string>

#include "envs/render/image.h"

namespace metarl::envs::render {

class VideoWriter {
 public:
  // std::invalid_argument for fps outside 1..240, odd sizes for mp4 (yuv420p
  // needs even ones), or a missing ffmpeg; std::runtime_error when ffmpeg or
  // the folder cannot be started/created.
  VideoWriter(const std::string& path, int width, int height, int fps);
  ~VideoWriter();  // abandons an unclosed video (its partial file is removed)
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  // std::invalid_argument for a frame of another size; std::runtime_error
  // when the frame cannot be written (ffmpeg died, disk full).
  void Write(const RgbImage& frame);
  // Finishes the file; std::runtime_error naming the path when ffmpeg
  // reports a failure. Returns the number of frames written.
  int Close();

  enum class Format { kMp4, kGif, kPngFolder };
  Format format() const { return format_; }

 private:
  std::string path_, partial_;
  int width_, height_, fps_;
  Format format_;
  FILE* pipe_ = nullptr;
  int frames_ = 0;
  bool closed_ = false;
};

}  // namespace metarl::envs::render
