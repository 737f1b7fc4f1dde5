// MesosAgent: the main process of dcos-mesos-slave(-public). After start it recovers (nothing to
// recover on a fresh boot), detects the leading master through ZooKeeper, and registers: first
// after U(0, b) with b = `mesos-agent.registration_backoff_factor`, then, until acknowledged,
// after U(0, 2b), U(0, 4b)… capped at `mesos-agent.max_registration_backoff`
// (src/slave/slave.cpp doReliableRegistration). The master answers over its own connection back
// to the agent's port 5051. The agent then runs the tasks the master sends it, each in a process
// of its own that execs the task's program, if the run registered one (task_programs.hpp).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "models/core/unit.hpp"
#include "models/mesos/group.hpp"
#include "models/mesos/task_programs.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class MesosAgent final : public UnitProcess {
 public:
  // `programs`: what tasks run, by name (the run's, RunContext::shared). The start time and the
  // registration back-off come from one stream, "<process>/<incarnation>" (no purpose).
  MesosAgent(RunContext& ctx, sim::Distribution start, const TaskPrograms& programs)
      : UnitProcess(ctx, std::move(start), ""), programs_(programs) {}
  void on_exit() override;

 private:
  void on_spawned() override;
  void on_ready() override;
  void on_leader_change(const std::optional<DetectedMaster>& leader);
  void try_register(std::uint64_t generation);
  void on_message(const sim::Message& m);

  const TaskPrograms& programs_;
  bool running_ = false;
  bool registered_ = false;
  std::unique_ptr<MasterDetector> detector_;  // started after recovery (slave.cpp)
  std::optional<DetectedMaster> leader_;
  std::uint64_t generation_ = 0;  // bumps on each new leader: restarts the back-off
  sim::SimTime backoff_;
  std::map<std::string, sim::ProcessId> task_processes_;
};

}  // namespace bootsim::models
