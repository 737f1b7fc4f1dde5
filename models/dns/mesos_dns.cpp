#include "models/dns/mesos_dns.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "models/core/run_context.hpp"
#include "models/dns/dns_facts.hpp"
#include "models/mesos/protocol.hpp"

namespace bootsim::models {

namespace {
constexpr sim::Port kHttpPort = 8123;  // Mesos-DNS HTTP API port in DC/OS
}

void MesosDns::on_spawned() {
  ctx_.network().bind(process_, kHttpPort,
                      [this](sim::Address, const sim::Message& m) { on_message(m); });
}

void MesosDns::on_ready() {
  control_->mark_started("ZooKeeper detector started");
  running_ = true;
  // A fatal exit if ZooKeeper reports no leader within zkDetectionTimeout.
  ctx_.network().after(process_, ctx_.params().duration("mesos-dns.zkDetectionTimeout"), [this] {
    if (!detected_) control_->exit("timed out waiting for initial ZK detection");
  });
  // mesos-dns detects the leader with mesos-go's ZooKeeper detector (a Go client: it learns
  // of an expired session from the server, not from a local timer).
  detector_ = std::make_unique<MasterDetector>(
      ctx_, process_, zookeeper_servers(ctx_.topology()),
      ctx_.params().duration("mesos-master.zk_session_timeout"),
      [this](const std::optional<DetectedMaster>& leader) { on_leader_change(leader); },
      GroupOptions{.expiry = ExpiryDetection::kOnReconnect, .name = "mesos-dns"});
  detector_->start();
  arm_refresh();
}

void MesosDns::on_exit() {
  running_ = false;
  detector_.reset();
  detected_.reset();
  leader_record_.clear();
  marathon_record_ = false;
  if (!site_) return;
  Facts& f = ctx_.facts();
  f.clear(site_->node.value, fact::kMesosDnsServing);
  f.clear(site_->node.value, fact::kMesosDnsLeaderRecord);
  f.clear(site_->node.value, fact::kMesosDnsMarathonRecord);
}

void MesosDns::on_leader_change(const std::optional<DetectedMaster>& leader) {
  if (!running_) return;
  if (!leader || (detected_ && *detected_ == leader->info.hostname)) return;
  detected_ = leader->info.hostname;
  reload("leader change detected");
}

void MesosDns::arm_refresh() {
  ctx_.network().after(process_, ctx_.params().duration("mesos-dns.refreshSeconds"), [this] {
    reload("refreshSeconds elapsed");
    arm_refresh();
  });
}

void MesosDns::reload(std::string why) {
  if (!running_ || !detected_) return;
  if (!detector_ || !detector_->leader()) return;
  const DetectedMaster& leader = *detector_->leader();
  ctx_.event(site_->node_name, "mesos-dns", "reload", std::move(why));
  auto get = std::make_shared<mesos::GetState>();
  get->reply_to = {site_->node, kHttpPort};
  ctx_.network().send_datagram(process_, {leader.node, ports::kMesosMaster}, std::move(get));
}

void MesosDns::on_message(const sim::Message& m) {
  const auto* state = sim::message_as<mesos::State>(m);
  if (state == nullptr || !running_) return;
  Facts& f = ctx_.facts();
  if (state->leader.empty()) return;  // the reload fails; old records stay
  const auto serving = ctx_.event(site_->node_name, "mesos-dns", "records rebuilt", state->leader);
  if (!f.get(site_->node.value, fact::kMesosDnsServing)) {
    f.set(site_->node.value, fact::kMesosDnsServing, serving);
  }
  if (leader_record_ != state->leader) {
    leader_record_ = state->leader;
    const auto id = ctx_.milestone(
        site_->node_name, "mesos-dns.leader_record",
        fmt::format("leader.mesos -> {}", state->leader),
        RunContext::later(ctx_.latest_milestone("mesos-dns.started", site_->node_name),
                          ctx_.latest_milestone("mesos-master.leading", state->leader)));
    f.set(site_->node.value, fact::kMesosDnsLeaderRecord, id);
  }
  const bool marathon = std::find(state->frameworks.begin(), state->frameworks.end(), "marathon") !=
                        state->frameworks.end();
  if (marathon && !marathon_record_) {
    marathon_record_ = true;
    f.set(site_->node.value, fact::kMesosDnsMarathonRecord,
          ctx_.event(site_->node_name, "mesos-dns", "marathon.mesos record",
                     "refreshed from the leader's state",
                     ctx_.latest_milestone("scheduler.registered", "marathon")));
  }
}

}  // namespace bootsim::models
