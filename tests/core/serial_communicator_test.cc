// core/communicator.h as built without MPI (core/communicator_serial.cc),
// compiled into its own small test binary in every build: a process started
// by an MPI launcher as one of several ranks must refuse to run, and one
// started alone (or as a job of one) is a job of one rank.

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/communicator.h"

namespace metarl {
namespace {

// Sets an environment variable for the scope of one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

TEST(SerialCommunicator, SeveralLaunchedRanksAreRefusedWithTheReason) {
  EXPECT_FALSE(BuiltWithMpi());
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
    const ScopedEnv env(variable, "4");
    int argc = 0;
    char** argv = nullptr;
    try {
      DistributedSession session(&argc, &argv);
      FAIL() << variable << ": expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("one of 4 MPI ranks, but this metarl was built without MPI"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(SerialCommunicator, AloneOrAJobOfOneIsOneRank) {
  for (const char* size : std::vector<const char*>{"1", nullptr}) {
    if (size != nullptr) setenv("OMPI_COMM_WORLD_SIZE", size, 1);
    int argc = 0;
    char** argv = nullptr;
    DistributedSession session(&argc, &argv);
    EXPECT_EQ(World().size(), 1);
    EXPECT_EQ(World().rank(), 0);
    EXPECT_EQ(AllGather(World(), std::vector<int>{7, 8}), (std::vector<int>{7, 8}));
    EXPECT_EQ(RankPrefix(), "");
    unsetenv("OMPI_COMM_WORLD_SIZE");
  }
}

}  // namespace
}  // namespace metarl
