#pragma once
// Shared by the two builds of core/communicator (with and without MPI): how a
// process learns that an MPI launcher started it, and the one-rank job.
// Internal to core/communicator*.cc.

#include <vector>

#include "core/communicator.h"

namespace metarl {

// The job size an MPI launcher announced in the environment
// (OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_SIZE); 0 when none did.
int LaunchedRanks();

// A job of one rank: gathers return the local block, Abort exits.
class LocalCommunicator final : public Communicator {
 public:
  int rank() const override;
  int size() const override;
  std::vector<char> AllGatherBytes(const std::vector<char>& local) const override;
  [[noreturn]] void Abort(int exit_code) const override;
};

}  // namespace metarl
