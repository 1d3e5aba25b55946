#pragma once
// Training checkpoints: DIR/checkpoint.pt, written atomically (temporary
// file, then rename), holding the policy's parameters by name, the number of
// completed iterations, a format version and the resolved configuration (YAML
// text). All randomness in training derives from (seed, iteration) streams,
// so parameters, the outer optimiser's state (Adam moments; none for TRPO)
// and the iteration are the whole training state (the baseline is refitted
// every batch).

#include <cstdint>
#include <string>
#include <vector>

#include "policies/params.h"

namespace metarl::runners {

inline constexpr int64_t kCheckpointFormatVersion = 1;
inline constexpr const char* kCheckpointFile = "checkpoint.pt";  // the latest state (resume from it)
inline constexpr const char* kBestCheckpointFile = "best.pt";    // the best by validation (runners/train_loop.h)

struct Checkpoint {
  int64_t iteration = 0;            // completed meta-iterations
  std::string config_yaml;          // resolved configuration of the run
  std::vector<std::string> names;   // parameter names (GaussianMlpPolicy::ParameterNames)
  policies::Params params;          // CPU tensors
  policies::Params optimizer_state; // outer optimiser (algorithms/common/adam.h State()); empty for TRPO
};

// Writes `dir`/`file` atomically: to `file`.tmp, fsync, rename, fsync of the
// directory. Throws std::runtime_error on I/O failure, and
// before writing anything when a parameter or optimiser tensor holds NaN or
// Inf (naming it), so a checkpoint never stores a diverged state.
void SaveCheckpoint(const std::string& dir, const Checkpoint& checkpoint, const std::string& file = kCheckpointFile);

// Reads `dir`/`file`. Throws std::invalid_argument naming the file for
// a missing, truncated or incompatible (format version) checkpoint.
Checkpoint LoadCheckpoint(const std::string& dir, const std::string& file = kCheckpointFile);

// Copies checkpoint parameters into `params` (module parameters) after
// checking names and shapes; std::invalid_argument naming the first mismatch
// (e.g. a checkpoint of a policy with other hidden sizes).
void RestoreParams(const Checkpoint& checkpoint, const std::vector<std::string>& names,
                   const policies::Params& params);

}  // namespace metarl::runners
