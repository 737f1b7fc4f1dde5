#include "models/mesos/registration.hpp"

#include <memory>

#include "models/core/registry.hpp"
#include "models/core/run_context.hpp"
#include "models/mesos/agent.hpp"
#include "models/mesos/master.hpp"

namespace bootsim::models {

void register_mesos_models(ModelRegistry& registry) {
  registry.add_process("mesos-master", [](RunContext& ctx, const UnitDef& def) {
    MesosMasterElection::Options options;
    MesosMasterTesting testing;
    if (const auto* t = ctx.find_shared<TestingVariants>()) {
      options.testing_skip_step_down = t->mesos_master_keeps_leading;
      testing.skip_offer_validation = t->mesos_master_skips_offer_validation;
      testing.keep_unreachable_agents = t->mesos_master_keeps_unreachable_agents;
      testing.admit_while_recovering = t->mesos_master_admits_while_recovering;
    }
    return std::make_unique<MesosMaster>(ctx, def.start, options, testing);
  });
  registry.add_process("mesos-agent", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<MesosAgent>(ctx, def.start, ctx.shared<TaskPrograms>());
  });
}

}  // namespace bootsim::models
