#include "models/mesos/registry.hpp"

#include <algorithm>
#include <utility>

namespace bootsim::models::mesos {

namespace {

// A chain may hold this many operations at least before it is cut, however small the registry.
constexpr std::size_t kMinChain = 64;

}  // namespace

std::shared_ptr<const StoredRegistry> StoredRegistry::after(
    std::shared_ptr<const StoredRegistry> previous, std::vector<RegistryOperation> operations,
    const Registry& before) {
  auto stored = std::make_shared<StoredRegistry>();
  const std::size_t chained = (previous ? previous->chained_ : 0) + operations.size();
  const std::size_t size = before.agents.size() + before.unreachable.size();
  if (previous == nullptr || chained > std::max(kMinChain, size)) {
    Registry whole = before;
    for (const RegistryOperation& op : operations) op(whole);
    stored->whole_ = std::move(whole);
    return stored;
  }
  stored->previous_ = std::move(previous);
  stored->operations_ = std::move(operations);
  stored->chained_ = chained;
  return stored;
}

Registry StoredRegistry::read() const {
  // Back to the last whole copy, then forward through each write's operations.
  std::vector<const StoredRegistry*> chain;
  const StoredRegistry* v = this;
  for (; !v->whole_; v = v->previous_.get()) chain.push_back(v);
  Registry r = *v->whole_;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (const RegistryOperation& op : (*it)->operations_) op(r);
  }
  return r;
}

}  // namespace bootsim::models::mesos
