// MesosAgent: the main process of dcos-mesos-slave(-public). After start it recovers (nothing to
// recover on a fresh boot), detects the leading master through ZooKeeper, and registers: first
// after U(0, b) with b = `mesos-agent.registration_backoff_factor`, then, until acknowledged,
// after U(0, 2b), U(0, 4b)… capped at `mesos-agent.max_registration_backoff`
// (src/slave/slave.cpp doReliableRegistration). The master answers over its own connection back
// to the agent's port 5051. The agent then runs the tasks the master sends it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "models/core/unit.hpp"
#include "models/mesos/group.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

// Invoked when a task starts running on an agent; the cluster uses it to start the scheduler of
// an installed service, whose scheduler is itself a Marathon task.
using TaskStarted = std::function<void(const std::string& task, sim::ProcessId process)>;

class MesosAgent final : public UnitProcess {
 public:
  MesosAgent(RunContext& ctx, sim::Distribution start, TaskStarted on_task)
      // Its start time and registration back-off come from one stream, "<process>/<incarnation>".
      : UnitProcess(ctx, std::move(start), ""), on_task_(std::move(on_task)) {}
  void on_exit() override;

 private:
  void on_spawned() override;
  void on_ready() override;
  void on_leader_change(const std::optional<DetectedMaster>& leader);
  void try_register(std::uint64_t generation);
  void on_message(const sim::Message& m);

  TaskStarted on_task_;
  bool running_ = false;
  bool registered_ = false;
  std::unique_ptr<MasterDetector> detector_;  // started after recovery (slave.cpp)
  std::optional<DetectedMaster> leader_;
  std::uint64_t generation_ = 0;  // bumps on each new leader: restarts the back-off
  sim::SimTime backoff_;
  std::map<std::string, sim::ProcessId> task_processes_;
};

}  // namespace bootsim::models
