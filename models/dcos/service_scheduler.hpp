// ServiceScheduler: the scheduler of an installed DC/OS service (e.g. Kafka). Marathon launches
// it as a task on an agent: it is the program of that task (TaskPrograms, under
// scheduler_task()), which the agent execs. Once the scheduler's own start time has passed, it
// registers as a framework and launches its instances on offered agents, declining the rest
// with the default refuse filter of 5 s (mesos.proto Filters.refuse_seconds).
#pragma once

#include <optional>
#include <string>

#include "models/mesos/scheduler_driver.hpp"
#include "models/mesos/task_programs.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class ServiceScheduler final : public TaskProgram {
 public:
  ServiceScheduler(RunContext& ctx, std::string name, sim::Distribution start, int instances);
  // The name of the Marathon task that runs this scheduler.
  std::string scheduler_task() const { return name_ + "-scheduler"; }
  // The agent execs Marathon's task for this scheduler as `process`.
  void on_exec(sim::ProcessId process) override;

 private:
  RunContext& ctx_;
  std::string name_;
  sim::Distribution start_;
  int instances_;
  int launched_ = 0;
  SchedulerDriver driver_;
};

}  // namespace bootsim::models
