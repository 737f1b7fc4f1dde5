// MesosDns: the main process of dcos-mesos-dns. It detects the leading master through ZooKeeper
// and serves nothing before its first successful reload; it reloads at once when the detected
// leader changes and every `mesos-dns.refreshSeconds`, fetching /master/state from the leader.
// An answer without a leader keeps the old records. With no leader detected within
// `mesos-dns.zkDetectionTimeout` it exits ("timed out waiting for initial ZK detection") and
// systemd restarts it (mesosphere/mesos-dns main.go, records/config.go).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "models/core/unit.hpp"
#include "models/mesos/group.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

class MesosDns final : public UnitProcess {
 public:
  MesosDns(RunContext& ctx, sim::Distribution start) : UnitProcess(ctx, std::move(start)) {}
  void on_exit() override;

 private:
  void on_spawned() override;
  void on_ready() override;
  void on_leader_change(const std::optional<DetectedMaster>& leader);
  void reload(std::string why);
  void arm_refresh();
  void on_message(const sim::Message& m);

  std::unique_ptr<MasterDetector> detector_;
  bool running_ = false;
  std::optional<std::string> detected_;  // leader name as ZooKeeper reports it
  std::string leader_record_;            // what leader.mesos answers, empty before a reload
  bool marathon_record_ = false;
};

}  // namespace bootsim::models
