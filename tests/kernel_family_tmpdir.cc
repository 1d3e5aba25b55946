// Linked into the test programs: a test process run under another CPU kernel
// family (ATEN_CPU_CAPABILITY set, as the kernels-<family>.* reruns of
// tests/CMakeLists.txt are) moves its temporary files into a folder of that
// family, TMPDIR/metarl-kernels-<family>/, by setting TMPDIR before any test
// runs. std::filesystem::temp_directory_path() and every program the test
// starts (the CLI, mpirun) then use it, so a rerun never shares a temporary
// folder with its original and both can run at the same time.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace {

bool MoveTemporaryFilesForKernelFamily() {
  const char* family = std::getenv("ATEN_CPU_CAPABILITY");
  if (family == nullptr || *family == '\0') return false;
  std::error_code error;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path(error) / (std::string("metarl-kernels-") + family);
  if (error) return false;
  std::filesystem::create_directories(dir, error);
  if (error) return false;
  return setenv("TMPDIR", dir.c_str(), /*overwrite=*/1) == 0;
}

const bool kMoved = MoveTemporaryFilesForKernelFamily();

}  // namespace
