#pragma once
// Whether an external program (ffmpeg, gnuplot, …) can be started: an
// executable regular file named `program` in one of $PATH's directories.
// Thread-safe (reads the environment only).

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

namespace metarl {

inline bool ProgramOnPath(const std::string& program) {
  namespace fs = std::filesystem;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::error_code ec;
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
    if (fs::is_regular_file(candidate, ec) &&
        (fs::status(candidate, ec).permissions() & fs::perms::owner_exec) != fs::perms::none) {
      return true;
    }
  }
  return false;
}

}  // namespace metarl
