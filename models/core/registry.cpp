#include "models/core/registry.hpp"

#include <algorithm>
#include <cassert>

namespace bootsim::models {

void ModelRegistry::add_process(std::string name, ProcessFactory factory) {
  const bool added = processes_.emplace(std::move(name), std::move(factory)).second;
  assert(added && "a process model registered twice");
  (void)added;
}

void ModelRegistry::add_gate(std::string kind, std::vector<std::string> arguments,
                             GateFactory factory) {
  const bool added =
      gates_.emplace(std::move(kind), GateKind{std::move(arguments), std::move(factory)}).second;
  assert(added && "a gate kind registered twice");
  (void)added;
}

bool ModelRegistry::has_process(std::string_view name) const {
  return processes_.find(name) != processes_.end();
}

bool ModelRegistry::has_gate(std::string_view kind) const {
  return gates_.find(kind) != gates_.end();
}

bool ModelRegistry::accepts(const GateDef& def) const {
  const auto it = gates_.find(def.kind);
  if (it == gates_.end()) return false;
  const auto& args = it->second.arguments;
  return std::find(args.begin(), args.end(), def.arg) != args.end();
}

std::vector<std::string> ModelRegistry::process_names() const {
  std::vector<std::string> out;
  for (const auto& [name, factory] : processes_) out.push_back(name);
  return out;
}

std::vector<std::string> ModelRegistry::gate_kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, entry] : gates_) out.push_back(kind);
  return out;
}

const std::vector<std::string>& ModelRegistry::gate_arguments(std::string_view kind) const {
  static const std::vector<std::string> kNone;
  const auto it = gates_.find(kind);
  return it == gates_.end() ? kNone : it->second.arguments;
}

std::unique_ptr<UnitProcess> ModelRegistry::make_process(RunContext& ctx,
                                                         const UnitDef& def) const {
  const auto it = processes_.find(def.process);
  return it == processes_.end() ? nullptr : it->second(ctx, def);
}

std::unique_ptr<Gate> ModelRegistry::make_gate(RunContext& ctx, const GateDef& def,
                                               Role role) const {
  if (!accepts(def)) return nullptr;
  return gates_.find(def.kind)->second.factory(ctx, def, role);
}

}  // namespace bootsim::models
