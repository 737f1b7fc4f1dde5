#include "tools/sweep/ranks.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <numeric>

#if BOOTSIM_MPI
#include <mpi.h>
#include <pthread.h>

#include <csignal>
#endif

namespace bootsim::sweep {

namespace {

#if BOOTSIM_MPI
// The variables an MPI launcher sets in each process it starts (Open MPI's mpirun, PMIx as
// srun --mpi=pmix starts it, PMI-1/2 as MPICH's hydra or srun --mpi=pmi2 do).
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}
#else
// How many processes a launcher says it started with this one ("1" when none).
std::string launched_processes() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (const char* n = std::getenv(name)) return n;
  }
  return "1";
}
#endif

#if BOOTSIM_MPI
// MPI's counts are int: a message longer than this goes in pieces.
constexpr std::size_t kMaxCount = static_cast<std::size_t>(std::numeric_limits<int>::max());

// MPI_Init with SIGINT and SIGTERM blocked, so that the threads Open MPI starts inherit the
// block: the sweep's runner takes those signals in the main thread (runner.hpp); one delivered
// to a thread of MPI's would end the process before the runs done were gathered and kept.
void init_mpi() {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  MPI_Init(nullptr, nullptr);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}
#endif

}  // namespace

std::variant<Ranks, std::string> Ranks::join() {
#if BOOTSIM_MPI
  if (launched_by_mpi()) {
    init_mpi();
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return Ranks(rank, size, true);
  }
#else
  if (const std::string n = launched_processes(); n != "1") {
    return "started by an MPI launcher as one of " + n +
           " processes, but this bootsim is built without MPI, so each would do the whole "
           "sweep: build with -DBOOTSIM_MPI=ON (Debian's mpi-default-dev)";
  }
#endif
  return Ranks(0, 1, false);
}

Ranks::Ranks(Ranks&& other) noexcept : rank_(other.rank_), size_(other.size_), mpi_(other.mpi_) {
  other.mpi_ = false;
}

Ranks::~Ranks() {
#if BOOTSIM_MPI
  if (mpi_) MPI_Finalize();
#endif
}

std::vector<std::string> Ranks::gather(const std::string& mine) const {
  if (size_ == 1) return {mine};
  std::vector<std::string> all(root() ? static_cast<std::size_t>(size_) : 0);
#if BOOTSIM_MPI
  // Rounds of pieces small enough that all of a round's pieces fit in an int at rank 0.
  const std::size_t piece = kMaxCount / static_cast<std::size_t>(size_);
  std::vector<int> sizes(all.size()), offsets(all.size());
  std::string bytes;
  for (std::size_t sent = 0;;) {
    int n = static_cast<int>(std::min(piece, mine.size() - sent));
    int most = n;
    MPI_Allreduce(MPI_IN_PLACE, &most, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (most == 0) break;
    MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::exclusive_scan(sizes.begin(), sizes.end(), offsets.begin(), 0);
    bytes.resize(root() ? static_cast<std::size_t>(offsets.back() + sizes.back()) : 0);
    MPI_Gatherv(mine.data() + sent, n, MPI_CHAR, bytes.data(), sizes.data(), offsets.data(),
                MPI_CHAR, 0, MPI_COMM_WORLD);
    for (std::size_t r = 0; r < all.size(); ++r) {
      all[r].append(bytes, static_cast<std::size_t>(offsets[r]),
                    static_cast<std::size_t>(sizes[r]));
    }
    sent += static_cast<std::size_t>(n);
  }
#endif
  return all;
}

std::string Ranks::broadcast(const std::string& text) const {
  if (size_ == 1) return text;
  std::string out = text;
#if BOOTSIM_MPI
  std::uint64_t total = out.size();
  MPI_Bcast(&total, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  out.resize(total);
  for (std::size_t done = 0; done < total;) {
    const auto n = static_cast<int>(std::min<std::size_t>(kMaxCount, total - done));
    MPI_Bcast(out.data() + done, n, MPI_CHAR, 0, MPI_COMM_WORLD);
    done += static_cast<std::size_t>(n);
  }
#endif
  return out;
}

}  // namespace bootsim::sweep
