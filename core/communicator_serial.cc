// core/communicator.h for builds without MPI (METARL_MPI=OFF or no MPI found).

#include <stdexcept>
#include <string>

#include "core/communicator.h"
#include "core/launcher.h"

namespace metarl {

const Communicator& World() {
  static const LocalCommunicator local;
  return local;
}

bool BuiltWithMpi() { return false; }

DistributedSession::DistributedSession(int*, char***) {
  const int ranks = LaunchedRanks();
  if (ranks > 1) {
    throw std::invalid_argument(
        "started as one of " + std::to_string(ranks) +
        " MPI ranks, but this metarl was built without MPI (CMake option METARL_MPI; "
        "install libopenmpi-dev and rebuild), so every rank would train alone and overwrite the others' files");
  }
}

DistributedSession::~DistributedSession() = default;

}  // namespace metarl
