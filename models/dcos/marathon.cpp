#include "models/dcos/marathon.hpp"

#include "models/core/run_context.hpp"
#include "models/mesos/group.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace bootsim::models {

namespace {
// DC/OS sets LIBPROCESS_PORT=15101 for Marathon (dcos-config.yaml).
constexpr sim::Port kLibprocessPort = 15101;
// Marathon 1.4's Curator latch path under its ZooKeeper root (--zk zk://…/marathon).
constexpr std::string_view kLatchPath = "/marathon/leader-curator";
constexpr std::string_view kStatePath = "/marathon/state";
constexpr std::string_view kFrameworkIdPath = "/marathon/state/framework-id";
// Leadership is offered after the election service's ExponentialBackoff ("offerLeadership",
// ElectionModule.scala): 0.5 s initially, doubled up to 16 s by each abdication on error
// (ExponentialBackoff.scala; ElectionServiceBase.startLeadership's backoffAbdicate), reset
// after a successful election. In Marathon 1.4 the abdication exits the JVM instead of offering
// again ("Marathon should abort after losing leadership", mesosphere/marathon#4656, a 1.4
// blocker, DCOS-9927; dcos-facts § Marathon), and the backoff lives in memory: every offer is
// a new process's first, 0.5 s. Marathon 1.4.x's own source is not at hand: this relies on the
// ElectionServiceBase/CuratorElectionService/ExponentialBackoff of the 1.3-1.4 line, those
// issues, and the reference notes.
constexpr sim::SimTime kLeadershipBackoff = sim::milliseconds(500);
constexpr sim::SimTime kMarathonFailoverTimeout =
    sim::seconds(604'800);                                       // MarathonConf --failover_timeout
constexpr std::size_t kMaxInstancesPerOffer = 100;               // DC/OS 1.9 --max_tasks_per_offer
constexpr sim::SimTime kMinReviveInterval = sim::seconds(5);     // --min_revive_offers_interval
constexpr sim::SimTime kReconciliationDelay = sim::seconds(15);  // --reconciliation_initial_delay
constexpr sim::SimTime kReconciliationInterval = sim::seconds(600);  // --reconciliation_interval
}  // namespace

Marathon::Marathon(RunContext& ctx, sim::Distribution start, MarathonApps& apps)
    : UnitProcess(ctx, std::move(start)),
      apps_(apps),
      driver_(ctx, {"marathon", std::string(mesos::kPublicRole), kMarathonFailoverTimeout, ""},
              ctx.params().duration("marathon.decline_offer_duration"),
              {[this](const mesos::Offer& o) { return on_offer(o); },
               [this](const mesos::StatusUpdate& s) { on_update(s); },
               [this] { update_offer_interest(); }}) {}

// The start timer dies with the process incarnation, so no generation check is needed here.
void Marathon::on_ready() {
  control_->mark_started("JVM up, joining the leader latch");
  join_latch();
}

void Marathon::on_exit() {
  if (leading_) apps_.on_added = nullptr;
  ++generation_;
  zk_.reset();  // the session stays until the ensemble expires it: so does the latch znode
  latch_node_.clear();
  leading_ = false;
  offering_ = false;
  driver_.stop();
}

void Marathon::lost(const std::string& reason) {
  // Marathon 1.4 exits on any ZooKeeper trouble of its leader (CuratorElectionService).
  control_->exit(reason);
}

void Marathon::join_latch() {
  zk_ = std::make_unique<ZooKeeperClient>(
      ctx_, process_, zookeeper_servers(ctx_.topology()),
      ctx_.params().duration("marathon.zk_session_timeout"),
      ZooKeeperClient::Options{ExpiryDetection::kOnReconnect, "marathon"});
  const std::uint64_t generation = generation_;
  zk_->on_session_event([this, generation](SessionEvent e) {
    if (generation != generation_) return;
    if (e == SessionEvent::kExpired) {
      lost("ZooKeeper session expired, exiting");
    } else if (e == SessionEvent::kDisconnected && leading_) {
      lost("ZooKeeper connection lost while leading, exiting");
    }
  });
  zk_->connect();
  create_path(0, generation);
}

// Curator creates the latch's parents as needed, then its ephemeral sequential node.
void Marathon::create_path(std::size_t depth, std::uint64_t generation) {
  static constexpr std::string_view kParents[] = {"/marathon", kLatchPath};
  if (depth < std::size(kParents)) {
    zk_->create(std::string(kParents[depth]), "", CreateMode::kPersistent,
                [this, depth, generation](ZkError e, const std::string&) {
                  if (generation != generation_) return;
                  if (e != ZkError::kOk && e != ZkError::kNodeExists) {
                    lost("cannot create the leader latch path");
                    return;
                  }
                  create_path(depth + 1, generation);
                });
    return;
  }
  zk_->create(std::string(kLatchPath) + "/latch-", std::string(site_->node_name),
              CreateMode::kEphemeralSequential,
              [this, generation](ZkError e, const std::string& path) {
                if (generation != generation_) return;
                if (e != ZkError::kOk) {
                  lost("cannot join the leader latch");
                  return;
                }
                latch_node_ = path;
                ctx_.event(site_->node_name, "marathon", "latch", path);
                check_latch(generation);
              });
}

void Marathon::check_latch(std::uint64_t generation) {
  zk_->get_children(
      std::string(kLatchPath),
      [this, generation](const WatchEvent&) {
        if (generation == generation_) check_latch(generation);
      },
      [this, generation](ZkError e, const std::vector<std::string>& children) {
        if (generation != generation_ || e != ZkError::kOk || children.empty()) return;
        // Sequence numbers are the last 10 digits; the lowest holds the latch.
        const std::string lowest = *std::min_element(
            children.begin(), children.end(), [](const std::string& a, const std::string& b) {
              return a.substr(a.size() - 10) < b.substr(b.size() - 10);
            });
        const bool me = std::string(kLatchPath) + "/" + lowest == latch_node_;
        if (leading_ && !me) {
          lost("lost leadership (Curator), exiting");
          return;
        }
        if (!me || leading_ || offering_) return;
        // The election service offers leadership after its backoff's first value (an error
        // that would double it makes Marathon 1.4 exit instead: kLeadershipBackoff).
        offering_ = true;
        ctx_.event(site_->node_name, "marathon", "latch_acquired",
                   fmt::format("offering leadership in {}s", kLeadershipBackoff.to_seconds()));
        ctx_.network().after(process_, kLeadershipBackoff, [this, generation] {
          if (generation == generation_) lead();
        });
      });
}

// On election: the state load, then the driver with the same ZooKeeper session.
void Marathon::lead() {
  leading_ = true;
  suppressed_ = false;
  ctx_.milestone("marathon", "scheduler.started", "leader on " + std::string(site_->node_name),
                 ctx_.latest_milestone("marathon.started", site_->node_name));
  const std::uint64_t generation = generation_;
  ctx_.network().after(process_, kReconciliationDelay,
                       [this, generation] { reconcile(generation); });
  // The state load: the records under /marathon/state (absent on a new cluster).
  zk_->get_children(std::string(kStatePath), {},
                    [this, generation](ZkError e, const std::vector<std::string>& children) {
                      if (generation != generation_) return;
                      if (e != ZkError::kOk && e != ZkError::kNoNode) {
                        lost("cannot load its state, exiting");
                        return;
                      }
                      ctx_.event(site_->node_name, "marathon", "state_loaded",
                                 fmt::format("{} records", children.size()));
                      start_driver(generation);
                    });
}

void Marathon::start_driver(std::uint64_t generation) {
  driver_.start(process_, kLibprocessPort, *zk_, std::string(kFrameworkIdPath));
  apps_.on_added = [this, generation] {
    if (generation != generation_ || !leading_) return;
    // The deployment of the app just posted (MarathonApps::add): its instance joins the launch
    // queue, launched on an offer after the revive.
    const std::string& task = apps_.apps.back().task;
    ctx_.typed_event(sim::RecordType::kPlain, site_->node_name, "marathon", "app_queued", task,
                     {sim::arg_text("task", task)});
    if (driver_.registered()) update_offer_interest();
  };
}

void Marathon::reconcile(std::uint64_t generation) {
  if (generation != generation_ || !leading_) return;
  ctx_.event(site_->node_name, "marathon", "reconcile", "implicit reconciliation of its tasks");
  driver_.reconcile();
  ctx_.network().after(process_, kReconciliationInterval,
                       [this, generation] { reconcile(generation); });
}

// The launch queue: app instances not launched, in app order, as many as fit the offer.
std::vector<mesos::Task> Marathon::on_offer(const mesos::Offer& offer) {
  std::vector<mesos::Task> tasks;
  // DC/OS runs Marathon with --default_accepted_resource_roles '*': an app that names no
  // acceptedResourceRoles (the services' schedulers) takes only unreserved resources, so a
  // public agent's slave_public offer is declined (dcos/dcos packages/marathon; DC/OS docs).
  if (offer.role != mesos::kAnyRole) {
    update_offer_interest();
    return tasks;
  }
  mesos::Resources left = offer.resources;
  for (const MarathonApp& app : apps_.apps) {
    if (tasks.size() == kMaxInstancesPerOffer) break;
    if (apps_.launched.count(app.task) != 0 || !app.resources.fits_in(left)) continue;
    left -= app.resources;
    apps_.launched.insert(app.task);
    tasks.push_back({driver_.framework_id(), app.task, app.resources, mesos::TaskState::kStaging});
  }
  update_offer_interest();
  return tasks;
}

void Marathon::on_update(const mesos::StatusUpdate& s) {
  if (mesos::terminal(s.state) || s.state == mesos::TaskState::kUnreachable) {
    if (apps_.launched.erase(s.task) != 0) update_offer_interest();
  }
}

// Suppress with an empty queue; revive, no more often than every 5 s, with a non-empty one.
void Marathon::update_offer_interest() {
  const bool queued = apps_.launched.size() < apps_.apps.size();
  if (!queued && !suppressed_) {
    suppressed_ = true;
    driver_.suppress();
  } else if (queued && suppressed_) {
    const sim::SimTime wait = last_revive_ + kMinReviveInterval - ctx_.now();
    if (wait > sim::SimTime::zero()) {
      const std::uint64_t generation = generation_;
      ctx_.network().after(process_, wait, [this, generation] {
        if (generation == generation_ && leading_) update_offer_interest();
      });
      return;
    }
    suppressed_ = false;
    last_revive_ = ctx_.now();
    driver_.revive();
  }
}

}  // namespace bootsim::models
