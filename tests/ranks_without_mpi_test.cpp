// tools/sweep/ranks.cpp built without MPI (ctest: ranks_without_mpi): alone, a job of one rank
// whose gather and broadcast are local; started by an MPI launcher among several processes,
// refused with a message saying why, so that K copies never each do the whole sweep.
// A plain main(): the file is compiled a second time, without BOOTSIM_MPI, for this test alone.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "tools/sweep/ranks.hpp"

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("ranks_without_mpi: %s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) ++failures;
}

}  // namespace

int main() {
  using bootsim::sweep::Ranks;
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  ::unsetenv("PMI_SIZE");
  {
    auto alone = Ranks::join();
    check(std::holds_alternative<Ranks>(alone), "no launcher: a job of one rank");
    if (const auto* r = std::get_if<Ranks>(&alone)) {
      check(r->size() == 1 && r->rank() == 0 && r->root(), "rank 0 of 1");
      const auto all = r->gather("mine");
      check(all.size() == 1 && all[0] == "mine", "gather: this rank's string only");
      check(r->broadcast("text") == "text", "broadcast: its own text");
    }
  }
  ::setenv("OMPI_COMM_WORLD_SIZE", "1", 1);
  check(std::holds_alternative<Ranks>(Ranks::join()), "mpirun -np 1: one rank");
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    ::unsetenv("OMPI_COMM_WORLD_SIZE");
    ::setenv(name, "4", 1);
    const auto launched = Ranks::join();
    const auto* error = std::get_if<std::string>(&launched);
    check(error != nullptr && *error ==
                                  "started by an MPI launcher as one of 4 processes, but this "
                                  "bootsim is built without MPI, so each would do the whole "
                                  "sweep: build with -DBOOTSIM_MPI=ON (Debian's mpi-default-dev)",
          name);
    ::unsetenv(name);
  }
  return failures == 0 ? 0 : 1;
}
