// The Mesos messages the models exchange (libprocess messages and the replicated log's), as
// network payloads. One struct per message kind, named after the real protobuf message.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/mesos/registry.hpp"
#include "models/mesos/resources.hpp"
#include "sim/network.hpp"

namespace bootsim::models::mesos {

template <const char* Name>
struct Named : sim::Payload {
  std::string_view kind() const override { return Name; }
};

inline constexpr char kRegisterSlave[] = "RegisterSlaveMessage";
inline constexpr char kReregisterSlave[] = "ReregisterSlaveMessage";
inline constexpr char kSlaveRegistered[] = "SlaveRegisteredMessage";
inline constexpr char kSlaveReregistered[] = "SlaveReregisteredMessage";
inline constexpr char kPingSlave[] = "PingSlaveMessage";
inline constexpr char kPongSlave[] = "PongSlaveMessage";
inline constexpr char kRegisterFramework[] = "RegisterFrameworkMessage";
inline constexpr char kReregisterFramework[] = "ReregisterFrameworkMessage";
inline constexpr char kFrameworkRegistered[] = "FrameworkRegisteredMessage";
inline constexpr char kResourceOffers[] = "ResourceOffersMessage";
inline constexpr char kRescindResourceOffer[] = "RescindResourceOfferMessage";
inline constexpr char kAccept[] = "Call::ACCEPT";
inline constexpr char kDecline[] = "Call::DECLINE";
inline constexpr char kSuppress[] = "Call::SUPPRESS";
inline constexpr char kRevive[] = "Call::REVIVE";
inline constexpr char kRunTask[] = "RunTaskMessage";
inline constexpr char kStatusUpdate[] = "StatusUpdateMessage";
inline constexpr char kStatusUpdateAck[] = "StatusUpdateAcknowledgementMessage";
inline constexpr char kReconcileTasks[] = "ReconcileTasksMessage";
inline constexpr char kRecoverRequest[] = "RecoverRequest";
inline constexpr char kRecoverResponse[] = "RecoverResponse";
inline constexpr char kPromiseRequest[] = "PromiseRequest";
inline constexpr char kPromiseResponse[] = "PromiseResponse";
inline constexpr char kWriteRequest[] = "WriteRequest";
inline constexpr char kWriteResponse[] = "WriteResponse";
inline constexpr char kGetState[] = "GET /master/state";
inline constexpr char kState[] = "state.json";

// mesos.proto TaskState, the ones the models use.
enum class TaskState { kStaging, kStarting, kRunning, kLost, kUnreachable, kKilled };
inline std::string_view to_string(TaskState s) {
  switch (s) {
    case TaskState::kStaging:
      return "TASK_STAGING";
    case TaskState::kStarting:
      return "TASK_STARTING";
    case TaskState::kRunning:
      return "TASK_RUNNING";
    case TaskState::kLost:
      return "TASK_LOST";
    case TaskState::kUnreachable:
      return "TASK_UNREACHABLE";
    case TaskState::kKilled:
      return "TASK_KILLED";
  }
  return "?";
}
inline bool terminal(TaskState s) {
  return s == TaskState::kLost || s == TaskState::kKilled;
}

// TaskInfo, reduced: a task's name (its id) and its resources; with its state in Task.
struct Task {
  std::string framework_id;
  std::string name;
  Resources resources;
  TaskState state = TaskState::kStaging;
};

struct RegisterSlave : Named<kRegisterSlave> {
  SlaveInfo info;
  sim::Address reply_to;
};
// Sent by an agent that has an id (checkpointed, or from an earlier registration), with the
// tasks it runs (slave.cpp doReliableRegistration).
struct ReregisterSlave : Named<kReregisterSlave> {
  SlaveInfo info;
  sim::Address reply_to;
  std::vector<Task> tasks;
};
struct SlaveRegistered : Named<kSlaveRegistered> {
  std::string agent_id;
  std::string master;
  // MasterSlaveConnection.total_ping_timeout_seconds: agent_ping_timeout ·
  // max_agent_ping_timeouts; the agent re-detects the master when no ping came for this long.
  sim::SimTime total_ping_timeout;
};
struct SlaveReregistered : Named<kSlaveReregistered> {
  std::string agent_id;
  std::string master;
  sim::SimTime total_ping_timeout;
};
struct PingSlave : Named<kPingSlave> {
  bool connected = true;
  sim::Address reply_to;
};
struct PongSlave : Named<kPongSlave> {
  std::string agent_id;
};

// FrameworkInfo, reduced.
struct FrameworkInfo {
  std::string name;
  std::string role{kAnyRole};
  sim::SimTime failover_timeout;  // mesos.proto default 0
  std::string id;                 // empty when registering for the first time
};
struct RegisterFramework : Named<kRegisterFramework> {
  FrameworkInfo framework;
  sim::Address reply_to;
};
// A framework that has an id (after a master or scheduler failover) re-registers.
struct ReregisterFramework : Named<kReregisterFramework> {
  FrameworkInfo framework;
  sim::Address reply_to;
  bool failover = false;  // a new scheduler process takes over the framework
};
struct FrameworkRegistered : Named<kFrameworkRegistered> {
  std::string framework_id;
  std::string master;
  bool reregistered = false;
};
struct Offer {
  int id = 0;
  std::string agent_id;
  std::string hostname;
  Resources resources;
  std::string role{kAnyRole};  // the role the agent's resources are reserved for
};
struct ResourceOffers : Named<kResourceOffers> {
  std::vector<Offer> offers;
};
struct RescindResourceOffer : Named<kRescindResourceOffer> {
  int offer_id = 0;
};
// Call::ACCEPT with LAUNCH operations: the tasks to launch from the offer; what they leave is
// declined with `refuse` (Filters.refuse_seconds, default 5 s).
struct Accept : Named<kAccept> {
  std::string framework_id;
  int offer_id = 0;
  std::vector<Task> tasks;
  sim::SimTime refuse = sim::seconds(5);
};
struct Decline : Named<kDecline> {
  std::string framework_id;
  int offer_id = 0;
  sim::SimTime refuse = sim::seconds(5);  // Filters.refuse_seconds
};
struct Suppress : Named<kSuppress> {
  std::string framework_id;
};
struct Revive : Named<kRevive> {
  std::string framework_id;
};
struct RunTask : Named<kRunTask> {
  std::string framework_id;
  std::string framework;  // its name
  Task task;
  sim::Address master;
};
// From the agent's status update manager, forwarded by the master to the framework; `uuid`
// identifies the update for its acknowledgement.
struct StatusUpdate : Named<kStatusUpdate> {
  std::string framework_id;
  std::string task;
  std::string agent_id;
  std::string agent;  // hostname
  TaskState state = TaskState::kStaging;
  int uuid = 0;  // 0: generated by the master (LOST on agent removal): not acknowledged
};
struct StatusUpdateAck : Named<kStatusUpdateAck> {
  std::string framework_id;
  std::string task;
  std::string agent_id;
  int uuid = 0;
};
// The scheduler asks for the latest state of its tasks (explicit or implicit reconciliation).
struct ReconcileTasks : Named<kReconcileTasks> {
  std::string framework_id;
};

struct RecoverRequest : Named<kRecoverRequest> {
  int round = 0;
  sim::Address reply_to;
};
// A replica's status in the replicated log (src/log/log.proto Metadata::Status).
enum class ReplicaStatus { kEmpty, kStarting, kVoting, kRecovering };
inline std::string_view to_string(ReplicaStatus s) {
  switch (s) {
    case ReplicaStatus::kEmpty:
      return "EMPTY";
    case ReplicaStatus::kStarting:
      return "STARTING";
    case ReplicaStatus::kVoting:
      return "VOTING";
    case ReplicaStatus::kRecovering:
      return "RECOVERING";
  }
  return "?";
}

struct RecoverResponse : Named<kRecoverResponse> {
  int round = 0;
  ReplicaStatus status = ReplicaStatus::kEmpty;
};

// The log coordinator's election before a read or write (Paxos phase 1): a replica promises a
// proposal higher than any it promised, and answers with what it holds; only VOTING replicas
// take part (src/log/replica.cpp, coordinator.cpp).
struct PromiseRequest : Named<kPromiseRequest> {
  std::uint64_t proposal = 0;
  sim::Address reply_to;
};
struct PromiseResponse : Named<kPromiseResponse> {
  std::uint64_t proposal = 0;
  bool okay = false;
  std::uint64_t promised = 0;  // the replica's highest promise (a rejection says so)
  int position = 0;            // the replica's last written position
  std::shared_ptr<const StoredRegistry> registry;  // nullptr: nothing written
};
// Paxos phase 2 for one log position by the elected coordinator: accepted unless the replica
// promised a higher proposal since.
struct WriteRequest : Named<kWriteRequest> {
  std::uint64_t proposal = 0;
  int position = 0;
  std::shared_ptr<const StoredRegistry> registry;
  sim::Address reply_to;
};
struct WriteResponse : Named<kWriteResponse> {
  std::uint64_t proposal = 0;
  int position = 0;
  bool okay = false;
};
// Answered to the request's source address (sim/request.hpp).
struct GetState : Named<kGetState> {};
struct State : Named<kState> {
  std::string leader;  // empty when this master knows no leader
  sim::NodeId leader_node;
  std::vector<std::string> frameworks;
  std::vector<std::string> framework_hosts;  // parallel to frameworks: the scheduler's host
};

}  // namespace bootsim::models::mesos
