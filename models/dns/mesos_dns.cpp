#include "models/dns/mesos_dns.hpp"

#include <fmt/format.h>

#include "models/core/run_context.hpp"
#include "sim/request.hpp"

namespace bootsim::models {

void MesosDns::on_ready() {
  control_->mark_started("ZooKeeper detector started");
  running_ = true;
  arm_detection_timeout();
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
  serving_ = false;
  records_.clear();
  records_cause_.reset();
  leader_cause_.reset();
  marathon_cause_.reset();
  leader_record_.clear();
  marathon_record_ = false;
}

void MesosDns::arm_detection_timeout() {
  ctx_.network().cancel(detection_timer_);
  const sim::SimTime timeout = ctx_.params().duration("mesos-dns.zkDetectionTimeout");
  detection_timer_ = ctx_.network().after(process_, timeout, [this, timeout] {
    control_->exit(
        fmt::format("master detection timed out after {}", sim::format_duration(timeout)));
  });
}

void MesosDns::on_leader_change(const std::optional<DetectedMaster>& leader) {
  if (!running_) return;
  if (!leader) {
    detected_.reset();
    arm_detection_timeout();
    return;
  }
  ctx_.network().cancel(detection_timer_);
  if (detected_ && *detected_ == leader->info.hostname) return;
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
  if (!running_ || !detector_ || !detector_->leader()) return;
  const DetectedMaster& leader = *detector_->leader();
  ctx_.event(site_->node_name, "mesos-dns", "reload", std::move(why));
  const sim::SimTime timeout = ctx_.params().duration("mesos-dns.stateTimeoutSeconds");
  sim::request(ctx_.network(), process_, {leader.node, ports::kMesosMaster},
               std::make_shared<mesos::GetState>(), timeout,
               [this, timeout, from = leader.info.hostname](sim::Message answer) {
                 if (const auto* s = answer ? sim::message_as<mesos::State>(answer) : nullptr) {
                   return on_state(*s);
                 }
                 ctx_.event(site_->node_name, "mesos-dns", "reload failed",
                            fmt::format("GET {}:5050/master/state timed out after {}; old "
                                        "records kept",
                                        from, sim::format_duration(timeout)));
               });
}

void MesosDns::on_state(const mesos::State& state) {
  if (!running_) return;
  if (state.leader.empty()) {
    ctx_.event(site_->node_name, "mesos-dns", "reload failed",
               "no leader in state; old records kept");
    return;
  }
  records_.clear();
  records_["leader.mesos"] = {state.leader};
  for (const HostInfo& m : ctx_.topology().masters) records_["master.mesos"].push_back(m.name);
  for (std::size_t i = 0; i < state.frameworks.size(); ++i) {
    records_[state.frameworks[i] + ".mesos"].push_back(state.framework_hosts.at(i));
  }
  records_cause_ =
      ctx_.keep(ctx_.event(site_->node_name, "mesos-dns", "records rebuilt", state.leader));
  if (!serving_) serve_dns();
  if (leader_record_ != state.leader) {
    leader_record_ = state.leader;
    leader_cause_ = ctx_.milestone(
        site_->node_name, "mesos-dns.leader_record",
        fmt::format("leader.mesos -> {}", state.leader),
        RunContext::later(ctx_.latest_milestone("mesos-dns.started", site_->node_name),
                          ctx_.latest_milestone("mesos-master.leading", state.leader)));
  }
  if (records_.contains("marathon.mesos") && !marathon_record_) {
    marathon_record_ = true;
    marathon_cause_ = ctx_.keep(ctx_.event(
        site_->node_name, "mesos-dns", "marathon.mesos record", "refreshed from the leader's state",
        ctx_.latest_milestone("scheduler.registered", "marathon")));
  }
}

void MesosDns::serve_dns() {
  serving_ = true;
  ctx_.network().bind(process_, dns::kMesosDnsPort,
                      [this](sim::Address from, const sim::Message& m) {
                        if (const auto* q = sim::message_as<dns::Query>(m)) on_query(from, *q);
                      });
}

void MesosDns::on_query(sim::Address client, const dns::Query& q) const {
  auto r = std::make_shared<dns::Response>();
  r->name = q.name;
  r->ttl = ctx_.params().duration("mesos-dns.ttl");
  r->by = "mesos-dns on " + std::string(site_->node_name);
  r->cause = q.name == "leader.mesos"     ? leader_cause_
             : q.name == "marathon.mesos" ? marathon_cause_
                                          : records_cause_;
  const auto it = records_.find(q.name);
  if (it == records_.end()) {
    r->rcode = dns::Rcode::kNxDomain;
  } else {
    r->hosts = it->second;
  }
  ctx_.network().send_datagram(process_, dns::kMesosDnsPort, client, std::move(r));
}

}  // namespace bootsim::models
