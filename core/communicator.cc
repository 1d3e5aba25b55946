#include "core/communicator.h"

#include <cstdlib>
#include <string>

#include "core/launcher.h"

namespace metarl {

int LaunchedRanks() {
  // Open MPI's mpirun; MPICH/Hydra and Slurm's PMI; PMIx launchers.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    char* end = nullptr;
    const long n = std::strtol(value, &end, 10);
    if (*end == '\0' && n >= 1) return static_cast<int>(n);
  }
  return 0;
}

int LocalCommunicator::rank() const { return 0; }
int LocalCommunicator::size() const { return 1; }
std::vector<char> LocalCommunicator::AllGatherBytes(const std::vector<char>& local) const { return local; }
void LocalCommunicator::Abort(int exit_code) const { std::exit(exit_code); }

std::string RankPrefix() {
  const Communicator& world = World();
  if (world.size() == 1) return "";
  return "rank " + std::to_string(world.rank()) + " of " + std::to_string(world.size()) + ": ";
}

}  // namespace metarl
