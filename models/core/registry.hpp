// ModelRegistry: names → factories, so that a run is built from data. A profile's unit names its
// main-process model (`process: mesos-master`) and each gate its kind (`kind: ping`); the run
// looks them up here instead of in an if-chain.
//
//   ModelRegistry registry;
//   registry.add_process("generic", [](RunContext& ctx, const UnitDef& u) {
//     return std::make_unique<GenericProcess>(ctx, u.start);
//   });
//   auto process = registry.make_process(ctx, unit_def);  // nullptr: no such model
//
// Contract: each component folder has one `register_<component>_models(ModelRegistry&, …)`
// function that adds its factories; the run builds one registry per run and calls each of them
// once, so a factory may capture the run's own objects (the ZooKeeper ensemble, say). Adding a
// model touches its folder and, for a new folder, one registration line. Lookups are by exact
// name in ordered maps: deterministic, O(log n). A name registered twice is a bug (asserted).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/core/unit.hpp"

namespace bootsim::models {

class ModelRegistry {
 public:
  using ProcessFactory = std::function<std::unique_ptr<UnitProcess>(RunContext&, const UnitDef&)>;
  // May return nullptr for an argument the kind does not accept.
  using GateFactory = std::function<std::unique_ptr<Gate>(RunContext&, const GateDef&, Role)>;

  void add_process(std::string name, ProcessFactory factory);
  // `arguments`: every argument the kind accepts ("" for a gate without one).
  void add_gate(std::string kind, std::vector<std::string> arguments, GateFactory factory);

  bool has_process(std::string_view name) const;
  bool has_gate(std::string_view kind) const;
  // True when `kind` is registered and accepts `def.arg`.
  bool accepts(const GateDef& def) const;

  std::vector<std::string> process_names() const;
  std::vector<std::string> gate_kinds() const;
  const std::vector<std::string>& gate_arguments(std::string_view kind) const;

  // nullptr when the name is unknown; callers validate first (accepts, has_process).
  std::unique_ptr<UnitProcess> make_process(RunContext& ctx, const UnitDef& def) const;
  std::unique_ptr<Gate> make_gate(RunContext& ctx, const GateDef& def, Role role) const;

 private:
  struct GateKind {
    std::vector<std::string> arguments;
    GateFactory factory;
  };
  std::map<std::string, ProcessFactory, std::less<>> processes_;
  std::map<std::string, GateKind, std::less<>> gates_;
};

}  // namespace bootsim::models
