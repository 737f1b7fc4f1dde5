#include "models/marathon.hpp"

#include "models/run_context.hpp"

namespace bootsim::models {

namespace {
// DC/OS sets LIBPROCESS_PORT=15101 for Marathon (dcos-config.yaml).
constexpr sim::Port kLibprocessPort = 15101;
}  // namespace

Marathon::Marathon(RunContext& ctx, sim::Distribution start, ZkGroupStandIn& latch,
                   MarathonApps& apps)
    : start_(std::move(start)),
      latch_(latch),
      apps_(apps),
      driver_(ctx, "marathon", ctx.params().duration("marathon.decline_offer_duration"),
              [this](const std::string&) -> std::optional<std::string> {
                if (apps_.pending.empty()) return std::nullopt;
                std::string task = apps_.pending.front();
                apps_.pending.pop_front();
                return task;
              }) {}

void Marathon::on_exec(const UnitSite& site, sim::ProcessId process, UnitControl& control) {
  site_ = site;
  process_ = process;
  control_ = &control;
  if (!subscribed_) {
    subscribed_ = true;
    latch_.watch([this] { on_latch_change(); });
  }
  RunContext& ctx = *site.ctx;
  sim::RandomStream rng = ctx.process_stream(process, "start");
  ctx.network().after(process, start_.sample(rng), [this] {
    control_->mark_started("JVM up, joining the leader latch");
    sequence_ = latch_.join(site_->node, site_->node_name);
    on_latch_change();
  });
}

void Marathon::on_exit() {
  if (sequence_) {
    latch_.leave(*sequence_, site_->ctx->params().duration("marathon.zk_session_timeout"));
  }
  sequence_.reset();
  leading_ = false;
  driver_.stop();
}

void Marathon::on_latch_change() {
  if (!sequence_) return;
  const auto leader = latch_.leader();
  const bool me = leader && leader->sequence == *sequence_;
  if (leading_ && !me) {
    control_->exit("lost leadership (Curator), exiting");
    return;
  }
  if (!me || leading_) return;
  leading_ = true;
  site_->ctx->milestone("marathon", "scheduler.started", "leader on " + site_->node_name,
                        site_->ctx->latest_milestone("marathon.started", site_->node_name));
  driver_.start(process_, kLibprocessPort);
}

}  // namespace bootsim::models
