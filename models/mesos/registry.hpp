// The registry (src/master/registry.proto, reduced) and what one replicated-log write of it
// stores.
//
//   const RegistryOperation gone = [](Registry& r) { r.unreachable.insert("S1"); };
//   auto write = StoredRegistry::after(nullptr, {gone}, {});  // the first write of a log
//   Registry now = write->read();                           // {unreachable: {"S1"}}
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "models/mesos/resources.hpp"

namespace bootsim::models::mesos {

// SlaveInfo, reduced: hostname, the role its resources are reserved for, its resources.
struct SlaveInfo {
  std::string hostname;  // the node name
  std::string role{kAnyRole};
  Resources resources;
  std::string id;  // empty until the master assigned one
  friend bool operator==(const SlaveInfo&, const SlaveInfo&) = default;
};

// The agents admitted, by id, and those marked unreachable.
struct RegisteredAgent {
  SlaveInfo info;
  friend bool operator==(const RegisteredAgent&, const RegisteredAgent&) = default;
};
struct Registry {
  std::map<std::string, RegisteredAgent> agents;  // admitted, by agent id
  std::set<std::string> unreachable;              // agent ids
  friend bool operator==(const Registry&, const Registry&) = default;
};
using RegistryOperation = std::function<void(Registry&)>;

// The registry one log write holds. The registrar stores the whole registry in each write (a
// state Variable); the simulation keeps it as the previous write's value plus this write's
// operations, so that a write costs its operations, not a copy of every agent (that copy made
// admitting N agents O(N^2)). A chain as long as its registry is large is cut with a full copy,
// so reading stays linear and the copies cost O(1) per operation, amortised. Immutable.
class StoredRegistry {
 public:
  // The value of `previous` (nullptr: the empty registry) with `operations` applied;
  // `before` must be previous's value (the registrar's in-memory registry).
  static std::shared_ptr<const StoredRegistry> after(std::shared_ptr<const StoredRegistry> previous,
                                                     std::vector<RegistryOperation> operations,
                                                     const Registry& before);
  // The registry this write holds.
  Registry read() const;

 private:
  std::shared_ptr<const StoredRegistry> previous_;
  std::vector<RegistryOperation> operations_;
  std::optional<Registry> whole_;  // set where the chain starts
  std::size_t chained_ = 0;        // operations since the last whole copy, these included
};

}  // namespace bootsim::models::mesos
