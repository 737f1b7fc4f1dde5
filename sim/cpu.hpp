// SharedCpu: the cores of one host shared by the processes running on it (processor sharing),
// so that N processes starting at once on C cores each take longer than one alone.
//
//   sim::SharedCpu cpu(engine, /*cores_milli=*/2000);
//   const auto job = cpu.run(sim::milliseconds(340), 1000, [] { /* 340 ms of one core done */ });
//   cpu.cancel(job);  // the process died: its remaining work is dropped
//
// Contract:
// - A job is an amount of CPU time (core-seconds) done by `threads` busy threads (in
//   millithreads: 1000 = one thread, so at most one core). The scheduler shares the cores per
//   thread, as Linux's CFS does: job i progresses at min(threads_i, cores x threads_i / sum of
//   threads) cores. Its callback runs, once, at the instant its work is done. A job alone on a
//   host with enough cores takes work / threads.
// - Deterministic integer arithmetic: progress is CPU nanoseconds x millicores, shares are whole
//   millicores rounded down (2 cores / 3 = 666), so times are exact to about 0.2%; jobs
//   finishing at one instant complete in the order they were submitted.
// - Owns nothing but its jobs; the engine must outlive it. Cost O(k) per arrival or departure.
// - Pausing is not modelled: a job of a SIGSTOPped process keeps its share (callers that pause
//   processes during a job should not use it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "sim/engine.hpp"
#include "sim/time.hpp"

namespace bootsim::sim {

class SharedCpu {
 public:
  using JobId = std::uint64_t;

  // `cores_milli` in millicores (2 cores = 2000), positive.
  SharedCpu(Engine& engine, std::int64_t cores_milli);
  SharedCpu(const SharedCpu&) = delete;
  SharedCpu& operator=(const SharedCpu&) = delete;
  ~SharedCpu();

  // Starts a job of `work` CPU time on `threads_milli` (> 0) threads; `done` runs when it is
  // complete.
  JobId run(SimTime work, std::int64_t threads_milli, std::function<void()> done);
  // Drops a job (no callback); false if it is unknown or finished.
  bool cancel(JobId job);
  std::size_t active() const { return jobs_.size(); }

 private:
  struct Job {
    std::int64_t remaining = 0;  // CPU ns x millicores
    std::int64_t threads = 1000;
    std::function<void()> done;
  };
  std::int64_t rate(const Job& job) const;  // millicores `job` gets now
  void advance();     // charges the time since the last change to every active job
  void reschedule();  // arms the timer for the next completion
  void on_timer();

  Engine& engine_;
  const std::int64_t cores_milli_;
  std::int64_t threads_total_ = 0;  // of the active jobs
  std::map<JobId, Job> jobs_;       // ordered by submission
  JobId next_id_ = 1;
  SimTime last_change_;
  TimerId timer_;
};

}  // namespace bootsim::sim
