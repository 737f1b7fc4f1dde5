#include "models/dcos/service_scheduler.hpp"

#include <fmt/format.h>
#include <charconv>

#include "models/core/run_context.hpp"

namespace bootsim::models {

namespace {
// dcos-commons SchedulerConfig: frameworks fail over within two weeks.
constexpr sim::SimTime kServiceFailoverTimeout = sim::hours(24 * 14);
}  // namespace

ServiceScheduler::ServiceScheduler(RunContext& ctx, std::string name, sim::Distribution start,
                                   int instances, mesos::Resources per_instance, sim::Port port)
    : ctx_(ctx),
      name_(std::move(name)),
      start_(std::move(start)),
      instances_(instances),
      per_instance_(per_instance),
      port_(port),
      driver_(ctx, {name_, name_ + "-role", kServiceFailoverTimeout, ""},
              ctx.params().duration("scheduler.refuse_seconds"),
              {[this](const mesos::Offer& o) { return on_offer(o); },
               [this](const mesos::StatusUpdate& s) { on_update(s); },
               {}}) {
  if (const auto* t = ctx_.find_shared<TestingVariants>()) {
    testing_ignores_offer_resources_ = t->scheduler_ignores_offer_resources;
  }
}

void ServiceScheduler::on_exec(sim::ProcessId process) {
  sim::RandomStream rng = ctx_.stream({name_, "start", ctx_.network().incarnation(process)});
  ctx_.network().after(process, start_.sample(rng), [this, process] {
    ctx_.milestone(name_, "scheduler.started",
                   fmt::format("on {}", ctx_.network().node_name(ctx_.network().node_of(process))),
                   ctx_.latest_milestone("scheduler.first_task_running", "marathon"));
    // dcos-commons connects to master.mesos:2181, i.e. the ensemble.
    zk_ = std::make_unique<ZooKeeperClient>(
        ctx_, process, zookeeper_servers(ctx_.topology()),
        ctx_.params().duration("mesos-master.zk_session_timeout"),
        ZooKeeperClient::Options{ExpiryDetection::kOnReconnect, name_});
    zk_->connect();
    driver_.start(process, port_, *zk_, "/dcos-service-" + name_ + "/FrameworkID");
  });
}

std::vector<mesos::Task> ServiceScheduler::on_offer(const mesos::Offer& offer) {
  std::vector<mesos::Task> tasks;
  mesos::Resources left = offer.resources;
  const bool check_fit = !testing_ignores_offer_resources_;
  for (int i = 0; i < instances_ && (per_instance_.fits_in(left) || !check_fit); ++i) {
    if (launched_.count(i) != 0) continue;
    launched_.insert(i);
    left -= per_instance_;
    tasks.push_back({driver_.framework_id(), fmt::format("{}-{}", name_, i), per_instance_,
                     mesos::TaskState::kStaging});
  }
  if (static_cast<int>(launched_.size()) == instances_) driver_.suppress();
  return tasks;
}

void ServiceScheduler::on_update(const mesos::StatusUpdate& s) {
  const std::string prefix = name_ + "-";
  int index = 0;
  const char* digits = s.task.data() + prefix.size();
  if (s.task.rfind(prefix, 0) != 0 ||
      std::from_chars(digits, s.task.data() + s.task.size(), index).ec != std::errc()) {
    return;
  }
  if (s.state == mesos::TaskState::kRunning) {
    if (running_.insert(index).second && static_cast<int>(running_.size()) == instances_) {
      ctx_.event(name_, "scheduler", "all_tasks_running",
                 fmt::format("{} of {} instances", instances_, instances_), driver_.last_running());
    }
    return;
  }
  if (!mesos::terminal(s.state) && s.state != mesos::TaskState::kUnreachable) return;
  running_.erase(index);
  launched_.erase(index);
  driver_.revive();
}

}  // namespace bootsim::models
