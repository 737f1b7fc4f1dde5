// Ranks: the processes of an MPI job that shares one sweep (`mpirun -np K bootsim sweep …`), or
// this process alone. The only code of the project that speaks MPI (ranks.cpp).
//
//   auto ranks = Ranks::join();             // MPI_Init when a launcher started this process
//   auto all = ranks.gather(mine);          // rank 0: every rank's string, in rank order
//   std::string go = ranks.broadcast(text); // every rank: rank 0's text
//
// Contract: join() initialises MPI only when the environment shows an MPI launcher started the
// process (OMPI_COMM_WORLD_SIZE: Open MPI's mpirun; PMIX_RANK: srun --mpi=pmix; PMI_RANK: a
// PMI-1/2 launcher); otherwise, and in a build without MPI (-DBOOTSIM_MPI=OFF), it is a job of
// one rank whose operations are local copies, so bootsim alone behaves as if MPI did not exist;
// a build without MPI started by a launcher among several processes is refused (the error).
// The destructor finalises MPI. gather() and broadcast() are collective: every rank calls them
// in the same order. One owner (a command's main thread); MPI is initialised for that thread only.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace bootsim::sweep {

class Ranks {
 public:
  static std::variant<Ranks, std::string> join();
  Ranks(Ranks&& other) noexcept;
  Ranks& operator=(Ranks&&) = delete;
  Ranks(const Ranks&) = delete;
  ~Ranks();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }

  // Rank 0: each rank's `mine`, index = rank; other ranks: empty.
  std::vector<std::string> gather(const std::string& mine) const;
  // Rank 0's `text`, on every rank.
  std::string broadcast(const std::string& text) const;

 private:
  Ranks(int rank, int size, bool initialised) : rank_(rank), size_(size), mpi_(initialised) {}

  int rank_ = 0;
  int size_ = 1;
  bool mpi_ = false;  // MPI_Init was called here: finalise it
};

}  // namespace bootsim::sweep
