// The Mesos messages the models exchange (libprocess messages and the replicated log's), as
// network payloads. One struct per message kind, named after the real protobuf message.
#pragma once

#include <string>
#include <vector>

#include "sim/network.hpp"

namespace bootsim::models::mesos {

template <const char* Name>
struct Named : sim::Payload {
  std::string_view kind() const override { return Name; }
};

inline constexpr char kRegisterSlave[] = "RegisterSlaveMessage";
inline constexpr char kSlaveRegistered[] = "SlaveRegisteredMessage";
inline constexpr char kRegisterFramework[] = "RegisterFrameworkMessage";
inline constexpr char kFrameworkRegistered[] = "FrameworkRegisteredMessage";
inline constexpr char kResourceOffers[] = "ResourceOffersMessage";
inline constexpr char kAccept[] = "Call::ACCEPT";
inline constexpr char kDecline[] = "Call::DECLINE";
inline constexpr char kRunTask[] = "RunTaskMessage";
inline constexpr char kStatusUpdate[] = "StatusUpdateMessage";
inline constexpr char kRecoverRequest[] = "RecoverRequest";
inline constexpr char kRecoverResponse[] = "RecoverResponse";
inline constexpr char kPromiseRequest[] = "PromiseRequest";
inline constexpr char kPromiseResponse[] = "PromiseResponse";
inline constexpr char kWriteRequest[] = "WriteRequest";
inline constexpr char kWriteResponse[] = "WriteResponse";
inline constexpr char kGetState[] = "GET /master/state";
inline constexpr char kState[] = "state.json";

struct RegisterSlave : Named<kRegisterSlave> {
  std::string agent;
  sim::Address reply_to;
};
struct SlaveRegistered : Named<kSlaveRegistered> {
  std::string master;
};
struct RegisterFramework : Named<kRegisterFramework> {
  std::string framework;
  sim::Address reply_to;
};
struct FrameworkRegistered : Named<kFrameworkRegistered> {
  std::string framework_id;
  std::string master;
};
struct ResourceOffers : Named<kResourceOffers> {
  int offer_id = 0;
  std::string agent;
};
struct Accept : Named<kAccept> {
  int offer_id = 0;
  std::string framework;
  std::string task;  // the task to launch on the offered agent
};
struct Decline : Named<kDecline> {
  int offer_id = 0;
  std::string framework;
  sim::SimTime refuse;  // Filters.refuse_seconds
};
struct RunTask : Named<kRunTask> {
  std::string framework;
  std::string task;
  sim::Address master;
};
struct StatusUpdate : Named<kStatusUpdate> {
  std::string framework;
  std::string task;
  std::string agent;
  std::string state;  // TASK_RUNNING
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
// The log coordinator's election before a read or write: only VOTING replicas promise.
struct PromiseRequest : Named<kPromiseRequest> {
  int proposal = 0;
  sim::Address reply_to;
};
struct PromiseResponse : Named<kPromiseResponse> {
  int proposal = 0;
  bool okay = false;
};
struct WriteRequest : Named<kWriteRequest> {
  int position = 0;
  sim::Address reply_to;
};
struct WriteResponse : Named<kWriteResponse> {
  int position = 0;
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
