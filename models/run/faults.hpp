// The fault registry (models/run only): fault kind → handler, so that firing a fault looks its
// kind up instead of switching over kinds. A handler applies its fault when it fires and returns
// what undoes it later — restart_after, resume_after, heal_after — when the spec asks for one
// and the kind has one.
//
//   const FaultRegistry faults = standard_faults();
//   if (auto undo = faults.at(spec.kind).apply(world, spec, rng)) schedule(undo->after, undo->run);
//
// Contract: handlers act through the kernel's fault API (STYLE #11) on the World's hosts — crash
// and restart a host, kill, pause and resume a process, partition and heal the network — and
// trace what they do as "fault" events; they keep no state between firings. Adding a kind
// touches this folder: its handler and one line in standard_faults(). A kind registered twice,
// or looked up without a handler, is a bug (asserted).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "models/scenario/fault_spec.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace bootsim::models {

class World;

// What undoes an applied fault, `after` it was applied.
struct FaultUndo {
  sim::SimTime after;
  std::function<void()> run;
};

class FaultHandler {
 public:
  virtual ~FaultHandler() = default;
  // Applies `fault` now; `rng` is the fault's own stream (the any-master / any-agent draws).
  virtual std::optional<FaultUndo> apply(World& world, const FaultSpec& fault,
                                         sim::RandomStream& rng) const = 0;
};

class FaultRegistry {
 public:
  void add(FaultKind kind, std::unique_ptr<FaultHandler> handler);
  bool has(FaultKind kind) const { return handlers_.count(kind) != 0; }
  const FaultHandler& at(FaultKind kind) const;  // has(kind) must hold

 private:
  std::map<FaultKind, std::unique_ptr<FaultHandler>> handlers_;
};

// Every kind of FaultKind.
FaultRegistry standard_faults();

// Whether `fault` lasts to the end of the run once fired: a kind that can be undone whose spec
// has no undo (a host crash without restart_after, a pause without resume_after, a partition
// or link change that neither heal_after nor a kind=heal in `all` heals, a crash loop, slow
// disk, clock or DNS outage without `for`). A process crash is not: systemd restarts it.
bool fault_lasts(const FaultSpec& fault, const std::vector<FaultSpec>& all);

}  // namespace bootsim::models
