#include "runners/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include <ATen/ATen.h>
#include <torch/autograd.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "core/error.h"

namespace metarl::runners {
namespace fs = std::filesystem;

namespace {

// Forces `path` (a file or a directory) to stable storage. Throws
// std::runtime_error naming it.
void SyncToDisk(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(Cat("cannot open '", path.string(), "' to sync it to disk"));
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw std::runtime_error(Cat("cannot sync '", path.string(), "' to disk"));
}

// Throws std::runtime_error naming the first tensor with a NaN or Inf.
void RequireFinite(const policies::Params& tensors, const std::vector<std::string>& names, const char* what,
                   const std::string& dir, int64_t iteration) {
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].is_floating_point() && !at::isfinite(tensors[i].detach()).all().item<bool>()) {
      throw std::runtime_error(Cat("refusing to write a checkpoint to '", dir, "' after iteration ", iteration, ": ",
                                   what, " '", i < names.size() ? names[i] : std::to_string(i),
                                   "' holds NaN or Inf (the previous checkpoint is kept)"));
    }
  }
}

}  // namespace

void SaveCheckpoint(const std::string& dir, const Checkpoint& checkpoint, const std::string& file) {
  METARL_CHECK(checkpoint.names.size() == checkpoint.params.size(), "names/params size mismatch");
  RequireFinite(checkpoint.params, checkpoint.names, "parameter", dir, checkpoint.iteration);
  RequireFinite(checkpoint.optimizer_state, {}, "optimiser state tensor", dir, checkpoint.iteration);
  torch::serialize::OutputArchive archive;
  archive.write("format_version", c10::IValue(kCheckpointFormatVersion));
  archive.write("iteration", c10::IValue(checkpoint.iteration));
  archive.write("config_yaml", c10::IValue(checkpoint.config_yaml));
  archive.write("num_params", c10::IValue(static_cast<int64_t>(checkpoint.params.size())));
  for (std::size_t i = 0; i < checkpoint.params.size(); ++i) {
    archive.write("name_" + std::to_string(i), c10::IValue(checkpoint.names[i]));
    archive.write("param_" + std::to_string(i), checkpoint.params[i].detach().to(at::kCPU));
  }
  archive.write("num_optimizer_state", c10::IValue(static_cast<int64_t>(checkpoint.optimizer_state.size())));
  for (std::size_t i = 0; i < checkpoint.optimizer_state.size(); ++i) {
    archive.write("optimizer_state_" + std::to_string(i), checkpoint.optimizer_state[i].detach().to(at::kCPU));
  }
  const fs::path final_path = fs::path(dir) / file;
  const fs::path tmp = fs::path(dir) / (file + ".tmp");
  try {
    archive.save_to(tmp.string());
  } catch (const std::exception& e) {
    throw std::runtime_error(Cat("cannot write checkpoint '", tmp.string(), "': ", e.what()));
  }
  // The bytes reach the disk before the rename makes them the checkpoint,
  // and the rename itself before we return: a crash or power loss leaves
  // either the old checkpoint or the new one, never a torn file.
  SyncToDisk(tmp);
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) throw std::runtime_error(Cat("cannot rename '", tmp.string(), "' to '", final_path.string(), "': ", ec.message()));
  SyncToDisk(fs::path(dir).empty() ? fs::path(".") : fs::path(dir));
}

Checkpoint LoadCheckpoint(const std::string& dir, const std::string& file) {
  const fs::path path = fs::path(dir) / file;
  std::error_code ec;
  METARL_REQUIRE(fs::is_regular_file(path, ec), "checkpoint '", path.string(),
                 "' does not exist (expected the output directory of `metarl train`)");
  Checkpoint checkpoint;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    c10::IValue value;
    archive.read("format_version", value);
    METARL_REQUIRE(value.toInt() == kCheckpointFormatVersion, "checkpoint '", path.string(), "' has format version ",
                   value.toInt(), "; this build reads version ", kCheckpointFormatVersion);
    archive.read("iteration", value);
    checkpoint.iteration = value.toInt();
    archive.read("config_yaml", value);
    checkpoint.config_yaml = value.toStringRef();
    archive.read("num_params", value);
    const int64_t n = value.toInt();
    for (int64_t i = 0; i < n; ++i) {
      archive.read("name_" + std::to_string(i), value);
      checkpoint.names.push_back(value.toStringRef());
      at::Tensor t;
      archive.read("param_" + std::to_string(i), t);
      checkpoint.params.push_back(t);
    }
    // Absent in checkpoints written before optimiser state was stored (TRPO only).
    if (archive.try_read("num_optimizer_state", value)) {
      const int64_t m = value.toInt();
      for (int64_t i = 0; i < m; ++i) {
        at::Tensor t;
        archive.read("optimizer_state_" + std::to_string(i), t);
        checkpoint.optimizer_state.push_back(t);
      }
    }
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& e) {
    throw std::invalid_argument(Cat("checkpoint '", path.string(), "' cannot be read (truncated or not a metarl checkpoint): ",
                                    std::string(e.what()).substr(0, 200)));
  }
  return checkpoint;
}

void RestoreParams(const Checkpoint& checkpoint, const std::vector<std::string>& names,
                   const policies::Params& params) {
  METARL_REQUIRE(checkpoint.names == names, "checkpoint parameters (", checkpoint.names.size(),
                 " tensors) do not match the policy's (", names.size(), "): different policy architecture");
  for (std::size_t i = 0; i < params.size(); ++i) {
    METARL_REQUIRE(checkpoint.params[i].sizes() == params[i].sizes(), "checkpoint parameter '", names[i],
                   "' has shape ", checkpoint.params[i].sizes(), " but the configured policy needs ",
                   params[i].sizes(), " (policy sizes differ from the checkpoint's config)");
  }
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params.size(); ++i) {
    auto target = params[i];
    target.copy_(checkpoint.params[i]);
  }
}

}  // namespace metarl::runners
