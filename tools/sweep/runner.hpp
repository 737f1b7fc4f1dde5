// Runner: does a sweep's runs on a pool of threads, records each as it finishes (results file,
// progress), and stops cleanly on SIGINT or SIGTERM.
//
//   Runner runner(points, runs, first_seed);
//   RunnerStatus st = runner.run(pending, RunnerOptions{.jobs = 4, .journal = &j}, records);
//
// Contract: run i (index = point * runs + k) is execute(points[point], first_seed + k): a pure
// function of its index, so records[i] is the same whatever the number of threads and the
// order in which runs finish. Threads take indices from `pending` in order; only the calling
// thread touches the journal, `records` and standard error. While run() runs, SIGINT and
// SIGTERM are blocked in every thread and taken by the calling thread (sigtimedwait): on one,
// no new run starts, the runs under way finish and are recorded, the journal is synced and run()
// returns the signal (a second one, unblocked by then, ends the process as usual).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "models/run/cluster.hpp"
#include "tools/sweep/journal.hpp"
#include "tools/sweep/record.hpp"

namespace bootsim::sweep {

struct RunnerOptions {
  std::size_t jobs = 1;
  Journal* journal = nullptr;  // none: nothing kept
  bool progress = false;       // a progress line on standard error
};

struct RunnerStatus {
  int signal = 0;        // SIGINT or SIGTERM when interrupted
  std::string error;     // a run that could not be built, or the journal could not be written
  std::size_t done = 0;  // runs finished in this call
};

class Runner {
 public:
  Runner(const std::vector<models::PreparedRun>& points, std::size_t runs, std::uint64_t first_seed)
      : points_(points), runs_(runs), first_seed_(first_seed) {}

  std::size_t total() const { return points_.size() * runs_; }
  std::uint64_t seed_of(std::uint64_t index) const { return first_seed_ + index % runs_; }
  // One run, by index; an error when the run cannot be built (an input problem).
  std::variant<RunRecord, std::string> run_one(std::uint64_t index) const;

  RunnerStatus run(std::span<const std::uint64_t> pending, const RunnerOptions& options,
                   std::vector<std::optional<RunRecord>>& records) const;

 private:
  const std::vector<models::PreparedRun>& points_;
  std::size_t runs_;
  std::uint64_t first_seed_;
};

}  // namespace bootsim::sweep
