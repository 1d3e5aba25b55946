#pragma once
// The processes of one distributed job (MPI ranks) and the collectives the
// trainers use: an all-gather of byte blocks and a job-wide abort.
//
// `World()` is MPI_COMM_WORLD when this build has MPI (CMake option
// METARL_MPI) and the process was started by an MPI launcher (mpirun,
// mpiexec, srun); otherwise a job of one rank, and no MPI call is made.
// A build without MPI started as one of several ranks refuses to run (the
// ranks would otherwise each train alone and overwrite each other's files).
//
// Contract of the collectives: every rank calls them in the same order, from
// the thread that created the DistributedSession (MPI_THREAD_FUNNELED);
// they block until every rank has arrived. Not thread-safe.

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace metarl {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;  // 0 .. size() − 1
  virtual int size() const = 0;  // >= 1
  bool is_root() const { return rank() == 0; }

  // The concatenation, in rank order, of every rank's `local` block (blocks
  // may differ in size between ranks).
  virtual std::vector<char> AllGatherBytes(const std::vector<char>& local) const = 0;

  // Wall-clock seconds this process has spent in collectives so far
  // (transfers and waiting for the other ranks); 0 for a job of one rank.
  virtual double seconds_in_collectives() const { return 0.0; }

  // Ends every rank of the job with `exit_code` (MPI_Abort); a job of one
  // rank just exits. Call after printing the reason.
  [[noreturn]] virtual void Abort(int exit_code) const = 0;
};

// The job this process belongs to (valid after a DistributedSession was
// created; a job of one rank before).
const Communicator& World();

// "rank R of N: " when the job has several ranks, else "" (error prefixes).
std::string RankPrefix();

// Initialises MPI when the process was started by an MPI launcher and this
// build has MPI, and finalises it on destruction; one per process, in main.
// Throws std::invalid_argument when launched as one of several ranks by a
// build without MPI.
class DistributedSession {
 public:
  DistributedSession(int* argc, char*** argv);
  ~DistributedSession();
  DistributedSession(const DistributedSession&) = delete;
  DistributedSession& operator=(const DistributedSession&) = delete;
};

// Whether this build has MPI support.
bool BuiltWithMpi();

// Every rank's `local` values, concatenated in rank order (trivially
// copyable T).
template <typename T>
std::vector<T> AllGather(const Communicator& comm, const std::vector<T>& local) {
  static_assert(std::is_trivially_copyable_v<T>, "AllGather copies bytes");
  if (comm.size() == 1) return local;
  std::vector<char> bytes(local.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), local.data(), bytes.size());
  const std::vector<char> all = comm.AllGatherBytes(bytes);
  std::vector<T> out(all.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), all.data(), all.size());
  return out;
}

}  // namespace metarl
