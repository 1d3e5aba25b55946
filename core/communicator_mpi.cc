// core/communicator.h over MPI_COMM_WORLD (builds with METARL_MPI).

#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <mpi.h>

#include "core/communicator.h"
#include "core/launcher.h"

namespace metarl {
namespace {

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  double seconds_in_collectives() const override { return seconds_; }

  std::vector<char> AllGatherBytes(const std::vector<char>& local) const override {
    const double start = MPI_Wtime();
    std::vector<char> out = AllGatherBytesUntimed(local);
    seconds_ += MPI_Wtime() - start;
    return out;
  }

 private:
  std::vector<char> AllGatherBytesUntimed(const std::vector<char>& local) const {
    if (local.size() > static_cast<std::size_t>(INT_MAX)) {
      throw std::runtime_error("MPI all-gather of " + std::to_string(local.size()) +
                               " bytes from one rank: more than MPI's int count allows");
    }
    const int count = static_cast<int>(local.size());
    std::vector<int> counts(size_), offsets(size_);
    Check(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
    long long total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[r] = static_cast<int>(total);
      total += counts[r];
      if (total > INT_MAX) throw std::runtime_error("MPI all-gather of more than 2 GiB");
    }
    std::vector<char> out(static_cast<std::size_t>(total));
    // MPI wants a non-null buffer even for zero bytes.
    char dummy = 0;
    Check(MPI_Allgatherv(count > 0 ? local.data() : &dummy, count, MPI_BYTE, out.empty() ? &dummy : out.data(),
                         counts.data(), offsets.data(), MPI_BYTE, MPI_COMM_WORLD),
          "MPI_Allgatherv");
    return out;
  }

 public:
  [[noreturn]] void Abort(int exit_code) const override {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);
  }

 private:
  static void Check(int code, const char* what) {
    if (code == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw std::runtime_error(std::string(what) + " failed: " + std::string(text, length));
  }

  int rank_ = 0;
  int size_ = 1;
  mutable double seconds_ = 0.0;  // in AllGatherBytes
};

const Communicator* g_world = nullptr;

}  // namespace

const Communicator& World() {
  static const LocalCommunicator local;
  return g_world != nullptr ? *g_world : local;
}

bool BuiltWithMpi() { return true; }

DistributedSession::DistributedSession(int* argc, char*** argv) {
  // Without a launcher, no MPI at all: a plain run pays nothing for it.
  if (LaunchedRanks() == 0) return;
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    throw std::runtime_error("MPI_Init_thread failed");
  }
  // Errors come back as codes (and become exceptions) instead of ending the job silently.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  static MpiCommunicator world;
  g_world = &world;
}

DistributedSession::~DistributedSession() {
  if (g_world == nullptr) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
  g_world = nullptr;
}

}  // namespace metarl
