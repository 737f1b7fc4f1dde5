// MesosDns: the main process of dcos-mesos-dns (mesosphere/mesos-dns; DC/OS 1.9 pins bf08ab70).
// - It detects the leading master through ZooKeeper (/mesos). With no leader within
//   `mesos-dns.zkDetectionTimeout` it exits ("master detection timed out"); the timer is armed
//   at start and again whenever ZooKeeper reports no leader (main.go; mesos-dns#320), and
//   systemd restarts the process after RestartSec.
// - A reload fetches /master/state from the detected leader with a timeout of
//   `mesos-dns.stateTimeoutSeconds`; it runs at once when the detected leader changes and every
//   `mesos-dns.refreshSeconds`. A reload that times out, or whose state names no leader, fails
//   and the old records stay.
// - It serves nothing before its first successful reload (its DNS server starts after it); then
//   UDP 61053 answers from the records of the last good reload, with TTL `mesos-dns.ttl`:
//   leader.mesos (A, the leader), master.mesos (A, every master), and `<framework>.mesos` for
//   each framework (A, the scheduler's host: marathon.mesos, and the installed services), as
//   records/generator.go names them; any other name in the domain is NXDOMAIN.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/core/unit.hpp"
#include "models/dns/dns_wire.hpp"
#include "models/mesos/group.hpp"
#include "models/mesos/protocol.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class MesosDns final : public UnitProcess {
 public:
  MesosDns(RunContext& ctx, sim::Distribution start) : UnitProcess(ctx, std::move(start)) {}
  void on_exit() override;

 private:
  void on_ready() override;
  void on_leader_change(const std::optional<DetectedMaster>& leader);
  void arm_detection_timeout();
  void reload(std::string why);
  void arm_refresh();
  void on_state(const mesos::State& state);
  void serve_dns();
  void on_query(sim::Address client, const dns::Query& q) const;

  std::unique_ptr<MasterDetector> detector_;
  bool running_ = false;
  sim::TimerId detection_timer_{};
  std::optional<std::string> detected_;                      // leader name as ZooKeeper reports it
  bool serving_ = false;                                     // the first reload has succeeded
  std::map<std::string, std::vector<std::string>> records_;  // name → A records (hosts)
  // What made each answer so, for critical chains: the last rebuild, the leader.mesos record
  // (mesos-dns.leader_record) and the marathon.mesos record.
  std::optional<sim::RecordId> records_cause_, leader_cause_, marathon_cause_;
  std::string leader_record_;
  bool marathon_record_ = false;
};

}  // namespace bootsim::models
