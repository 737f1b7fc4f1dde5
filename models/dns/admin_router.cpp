#include "models/dns/admin_router.hpp"

#include <fmt/format.h>

#include "models/core/host_store.hpp"
#include "models/core/run_context.hpp"
#include "models/dns/stub_resolver.hpp"

namespace bootsim::models {

namespace {
constexpr std::string_view kLeader = "leader.mesos";
}  // namespace

void AdminRouter::on_ready() {
  if (resolution_ == LeaderResolution::kAtConfigLoad) return load_configuration(true);
  if (!started()) return;
  leader_ = std::make_unique<CachedLookup>(ctx_, process_, std::string(site_->node_name),
                                           std::string(kLeader));
  leader_->start();
}

bool AdminRouter::started() {
  const auto id = control_->mark_started();
  if (!id) return false;
  ctx_.host(site_->node).hold(host_path::listening(site_->unit), process_, *id);
  if (!ui_milestone_.empty()) ctx_.milestone(site_->node_name, ui_milestone_, {}, id);
  return true;
}

void AdminRouter::on_exit() {
  leader_.reset();
  upstream_.reset();
}

void AdminRouter::on_hangup() {
  if (resolution_ == LeaderResolution::kAtConfigLoad) return load_configuration(false);
  if (leader_) leader_->reload();
}

// nginx parses its configuration and resolves the upstream servers' names (getaddrinfo,
// through the host's resolv.conf) before it serves with it.
void AdminRouter::load_configuration(bool starting) {
  resolve(ctx_, process_, std::string(kLeader), [this, starting](const Resolution& r) {
    if (r.ok) {
      if (upstream_ != r.hosts.front()) {
        ctx_.event(site_->node_name, site_->unit, "upstream",
                   fmt::format("{} -> {}", kLeader, r.hosts.front()), r.cause);
      }
      upstream_ = r.hosts.front();
      note_leader_lookup(ctx_, site_->node_name, r);
      if (starting) started();
      return;
    }
    if (starting) {
      control_->exit(fmt::format("nginx: [emerg] host not found in upstream \"{}:5050\" ({})",
                                 kLeader, r.failure));
      return;
    }
    // A failed reload: nginx keeps the running cycle, and with it the view it had.
    ctx_.event(site_->node_name, site_->unit, "reload failed", r.failure);
  });
}

// `nginx -s reload` reads the pid file and sends SIGHUP; its failure is ignored by the unit.
void AdminRouterReload::on_ready() {
  const bool sent = ctx_.host(site_->node).signal_unit(target_, Signal::kHup, site_->unit);
  control_->mark_started(sent ? fmt::format("SIGHUP to {}", target_)
                              : fmt::format("{} not running (failure ignored)", target_));
}

}  // namespace bootsim::models
