#include "models/dcos/cosmos.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/core/host_store.hpp"
#include "models/core/run_context.hpp"

namespace bootsim::models {

namespace {
// Admin Router's unit on the same master, whose nginx proxies /package/ to Cosmos.
constexpr std::string_view kAdminRouterUnit = "dcos-adminrouter";
}  // namespace

void Cosmos::on_ready() {
  attempts_ = 0;
  const auto id = control_->mark_started("serving on 127.0.0.1:7070");
  if (!id) return;
  ctx_.host(site_->node).hold(host_path::listening(site_->unit), process_, *id);
  // What the first-task-after-install check reads.
  serving_ = ctx_.keep(ctx_.event(site_->node_name, "cosmos", "serving", "127.0.0.1:7070", id));
  try_install(generation_);
}

// Installs every pending package if Admin Router serves here and a Marathon leads; else the
// operator tries again after `operator.install_retry`.
void Cosmos::try_install(std::uint64_t generation) {
  if (generation != generation_ || packages_.pending.empty()) return;
  const HostEntry* router =
      ctx_.host(site_->node).find(host_path::listening(std::string(kAdminRouterUnit)));
  ++attempts_;
  if (router != nullptr && apps_.has_leader()) {
    const sim::RecordId cause = std::max(serving_, router->cause);  // ids grow with time
    for (MarathonApp& app : packages_.pending) {
      ctx_.typed_event(
          sim::RecordType::kPlain, site_->node_name, "cosmos", "package_installed",
          fmt::format("{} through Admin Router, app posted to Marathon", app.task),
          {sim::arg_text("task", app.task), sim::arg_int("attempts", attempts_),
           sim::arg_record("serving", serving_), sim::arg_record("adminrouter", router->cause)},
          cause);
      apps_.add(std::move(app));
    }
    packages_.pending.clear();
    return;
  }
  // What the install waits for, typed for the reports (why.hpp: the cause "install").
  const std::string_view missing =
      router == nullptr ? (apps_.has_leader() ? "adminrouter" : "both") : "marathon";
  const sim::SimTime retry = ctx_.params().duration("operator.install_retry");
  ctx_.typed_event(
      sim::RecordType::kPlain, site_->node_name, "cosmos", "install_retry",
      fmt::format("{} pending; retry in {}", packages_.pending.size(), sim::format_duration(retry)),
      {sim::arg_text("waiting_for", missing), sim::arg_duration("retry", retry)});
  ctx_.network().after(process_, retry, [this, generation] { try_install(generation); });
}

}  // namespace bootsim::models
