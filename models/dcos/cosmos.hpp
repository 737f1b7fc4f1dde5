// Cosmos: the main process of dcos-cosmos (the package manager behind `dcos package install`,
// DC/OS 1.9), and the install path of the scenario's services. Once its JVM is up it serves on
// 127.0.0.1:7070 (the `serving` event); the installs reach it through Admin Router on the same
// master (nginx's /package/ location proxies to 127.0.0.1:7070), so a package is installed only
// while both serve there. Cosmos then posts the package's Marathon app (POST /v2/apps) to the
// leading Marathon, which queues its instance (MarathonApps::add); with no Marathon leading the
// post fails and is tried again.
//
//   CosmosPackages packages;                        // one per run: RunContext::provide
//   packages.pending.push_back({"kafka-scheduler", {.cpus = 1, .mem = 1230}});
//
// Simplifications: the operator's `dcos package install` requests are made as soon as they can
// succeed, one per service, retried every 5 s (an operator's loop, not a DC/OS default) while
// Admin Router or a leading Marathon is missing; each package is installed once, by the first
// Cosmos that can (the packages' universe is not modelled).
//
// Records (component "cosmos"): serving; install_retry while it cannot install (arg
// waiting_for: "adminrouter", "marathon" for a leading Marathon, or "both"; arg retry); and
// package_installed per package (args task, attempts, and the records serving and adminrouter
// that it waited for).
#pragma once

#include <cstdint>
#include <vector>

#include "models/core/unit.hpp"
#include "models/dcos/marathon.hpp"
#include "sim/distribution.hpp"

namespace bootsim::models {

// The packages the operator installs, in order; each leaves `pending` once installed.
struct CosmosPackages {
  std::vector<MarathonApp> pending;
};

class Cosmos final : public UnitProcess {
 public:
  Cosmos(RunContext& ctx, sim::Distribution start, CosmosPackages& packages, MarathonApps& apps)
      : UnitProcess(ctx, std::move(start)), packages_(packages), apps_(apps) {}
  void on_exit() override { ++generation_; }

 private:
  void on_ready() override;
  void try_install(std::uint64_t generation);
  CosmosPackages& packages_;
  MarathonApps& apps_;
  std::uint64_t generation_ = 0;  // bumps on exit: timers of an older process are ignored
  sim::RecordId serving_{};
  int attempts_ = 0;  // install attempts of this process
};

}  // namespace bootsim::models
