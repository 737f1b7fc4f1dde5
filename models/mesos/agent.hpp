// MesosAgent: the main process of dcos-mesos-slave(-public) (Mesos 1.2, src/slave/slave.cpp).
//
// - Recovery at start: the checkpointed agent id (meta/slaves/latest on the host's disk) is
//   kept unless the host rebooted since it was written (a new boot id: the agent then registers
//   as a new agent, as Slave::recover does); tasks whose executors still run are recovered, and
//   with any the agent waits `mesos-agent.executor_reregistration_timeout` before it detects the
//   master (MESOS-7539).
// - Registration: detects the leading master through ZooKeeper, then RegisterSlave (no id) or
//   ReregisterSlave (with its id and tasks) first after U(0, b), b =
//   `mesos-agent.registration_backoff_factor`, then until acknowledged after U(0, 2b), U(0, 4b)…
//   capped at `mesos-agent.max_registration_backoff` (doReliableRegistration). The master
//   answers over its own connection to port 5051.
// - Liveness: answers each PingSlaveMessage with a pong; no ping for the total ping timeout the
//   master gave (agent_ping_timeout · max_agent_ping_timeouts) and it re-detects the master and
//   registers again (Slave::pingTimeout).
// - Tasks: each runs in a process of its own; TASK_STAGING until the fetcher
//   (`mesos-agent.fetch`) and the container with its executor (`mesos-agent.container_start`)
//   are up, TASK_STARTING, then TASK_RUNNING once the command started (`mesos-agent.task_start`);
//   the task's program, if it has one (task_programs.hpp), is exec'd then. Status updates go
//   through the status update manager: one unacknowledged update per task at a time, resent
//   after 10 s doubling to 10 min (src/slave/constants.hpp STATUS_UPDATE_RETRY_INTERVAL_MIN /
//   _MAX), and held while the agent is not registered.
// - Its registration phases go out as typed state changes of component "mesos-agent" (from
//   "down"): recovering (waiting for executors to re-register), connecting (detecting the
//   leading master in ZooKeeper; Slave's DISCONNECTED state), backoff (the first U(0, b) delay
//   after a leader is detected, before any attempt), registering (one phase per attempt, args
//   attempt and retry_after: the draw it waits before the next one), registered (Slave's
//   RUNNING), and down again when the process exits.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "models/core/unit.hpp"
#include "models/mesos/group.hpp"
#include "models/mesos/protocol.hpp"
#include "models/mesos/task_programs.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

// Where the agent checkpoints (--work_dir=/var/lib/mesos/slave in DC/OS).
namespace host_path {
inline constexpr std::string_view kAgentLatest = "/var/lib/mesos/slave/meta/slaves/latest";
inline constexpr std::string_view kAgentBootId = "/var/lib/mesos/slave/meta/boot_id";
}  // namespace host_path

class MesosAgent final : public UnitProcess {
 public:
  // The registration phases the trace shows (the header says when each is entered).
  enum class Phase { kDown, kRecovering, kConnecting, kBackoff, kRegistering, kRegistered };

  // `programs`: what tasks run, by name (the run's, RunContext::shared). The start time and the
  // registration back-off come from one stream, "<process>/<incarnation>" (no purpose).
  MesosAgent(RunContext& ctx, sim::Distribution start, const TaskPrograms& programs)
      : UnitProcess(ctx, std::move(start), ""), programs_(programs) {}
  void on_exit() override;

 private:
  struct TaskRun {
    mesos::Task task;
    sim::ProcessId process;  // the executor's: it outlives the agent process, not the host
  };
  struct PendingUpdate {
    mesos::StatusUpdate update;
    sim::SimTime retry;  // the current retry interval
  };

  void on_spawned() override;
  void on_ready() override;
  std::size_t recover();
  void start_detector();
  void on_leader_change(const std::optional<DetectedMaster>& leader);
  void start_registration();
  void try_register(std::uint64_t generation);
  void on_message(const sim::Message& m);
  void registered(const std::string& agent_id, const std::string& master,
                  sim::SimTime total_ping_timeout);
  void on_ping(const mesos::PingSlave& p);
  void arm_ping_timer();
  void run_task(const mesos::RunTask& r);
  void task_step(const std::string& task, mesos::TaskState next);
  void send_update(const std::string& task, mesos::TaskState state);
  void flush_updates();
  void send_head(const std::string& task);
  void on_ack(const mesos::StatusUpdateAck& a);
  mesos::SlaveInfo info() const;
  std::uint64_t boot_id() const;
  // Records the move to `next` (a registering phase again for each attempt).
  void set_phase(Phase next, std::string detail, sim::ArgList args = {});

  const TaskPrograms& programs_;
  bool running_ = false;
  bool registered_ = false;
  std::string id_;                            // from the checkpoint or the master
  std::unique_ptr<MasterDetector> detector_;  // started after recovery (slave.cpp)
  std::optional<DetectedMaster> leader_;
  std::uint64_t generation_ = 0;  // bumps on each new leader: restarts the back-off
  Phase phase_ = Phase::kDown;
  int attempts_ = 0;  // registration attempts since the leader was detected
  sim::SimTime backoff_;
  sim::SimTime total_ping_timeout_;
  std::uint64_t ping_generation_ = 0;
  // Executors and their tasks outlive the agent process (not the host): the model keeps them.
  std::map<std::string, TaskRun> tasks_;
  std::map<std::string, sim::ProcessId> task_processes_;      // by task name, made once
  std::map<std::string, std::deque<PendingUpdate>> updates_;  // per task, oldest first
  int next_uuid_ = 0;
};

}  // namespace bootsim::models
