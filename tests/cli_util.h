#pragma once
// Helpers of the end-to-end tests of the `metarl` executable
// (METARL_CLI_PATH): run a command line, capture its output and exit code,
// scratch directories and files.

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace metarl::testing {

struct Result {
  int code = -1;
  std::string output;  // stdout and stderr
};

// Runs a shell command line, capturing stdout and stderr.
inline Result RunShell(const std::string& line) {
  const std::string command = line + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buf;
  while (fgets(buf.data(), buf.size(), pipe) != nullptr) result.output += buf.data();
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline Result RunCli(const std::string& args) { return RunShell(std::string(METARL_CLI_PATH) + " " + args); }

#ifdef METARL_MPIEXEC
// mpirun for `ranks` local processes; Open MPI refuses root without the flag.
// No single-copy shared memory (it needs ptrace rights that containers often
// withhold); the copy-in/copy-out path gives the same results. Under
// `timeout 300` (a hang fails the test) unless `bounded` is false.
inline std::string Mpirun(int ranks, bool bounded = true) {
  std::string line = std::string(bounded ? "timeout 300 " : "") + METARL_MPIEXEC +
                     " --oversubscribe --mca btl_vader_single_copy_mechanism none -np " + std::to_string(ranks);
  if (geteuid() == 0) line += " --allow-run-as-root";
  return line + " " + METARL_CLI_PATH + " ";
}
#endif

inline std::filesystem::path TempDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("metarl_cli_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace metarl::testing
