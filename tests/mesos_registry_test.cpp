// The registry as replicated-log writes store it (models/mesos/registry.hpp): each write reads
// back as the registry after its operations, however long the chain behind it, and an earlier
// write keeps its own value.
#include "models/mesos/registry.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

namespace mesos = bootsim::models::mesos;

namespace {

mesos::RegistryOperation admit(const std::string& id) {
  return [id](mesos::Registry& r) { r.agents[id] = {mesos::SlaveInfo{id, "*", {}, id}}; };
}

mesos::RegistryOperation mark_unreachable(const std::string& id) {
  return [id](mesos::Registry& r) { r.unreachable.insert(id); };
}

}  // namespace

TEST_CASE("stored registry: every write reads back as the registry after it", "[mesos][registry]") {
  // 1,000 writes of one or two operations: long enough for the chain to be cut several times.
  std::vector<std::shared_ptr<const mesos::StoredRegistry>> writes;
  std::vector<mesos::Registry> expected;
  mesos::Registry registrar;  // the registrar's in-memory copy
  std::shared_ptr<const mesos::StoredRegistry> last;
  for (int i = 0; i < 1000; ++i) {
    std::vector<mesos::RegistryOperation> ops{admit("S" + std::to_string(i))};
    if (i % 7 == 3) ops.push_back(mark_unreachable("S" + std::to_string(i - 3)));
    last = mesos::StoredRegistry::after(last, ops, registrar);
    for (const auto& op : ops) op(registrar);
    writes.push_back(last);
    expected.push_back(registrar);
  }
  CHECK(registrar.agents.size() == 1000);
  CHECK(registrar.unreachable.size() == 143);
  for (std::size_t i = 0; i < writes.size(); ++i) {
    INFO("write " << i);
    CHECK(writes[i]->read() == expected[i]);
  }
}

TEST_CASE("stored registry: the first write starts from the empty registry", "[mesos][registry]") {
  const auto first = mesos::StoredRegistry::after(nullptr, {admit("S0")}, {});
  const mesos::Registry r = first->read();
  REQUIRE(r.agents.size() == 1);
  CHECK(r.agents.at("S0").info.hostname == "S0");
  CHECK(r.unreachable.empty());
  // A second write from the same value leaves the first as it was.
  const auto second = mesos::StoredRegistry::after(first, {mark_unreachable("S0")}, r);
  CHECK(second->read().unreachable.count("S0") == 1);
  CHECK(first->read().unreachable.empty());
}
