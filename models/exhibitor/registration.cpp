#include "models/exhibitor/registration.hpp"

#include <memory>

#include "models/core/registry.hpp"
#include "models/core/run_context.hpp"
#include "models/exhibitor/bootstrap.hpp"
#include "models/exhibitor/exhibitor.hpp"

namespace bootsim::models {

void register_exhibitor_models(ModelRegistry& registry) {
  registry.add_process("exhibitor", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<Exhibitor>(ctx, ctx.shared<ZooKeeperEnsemble>(), def.start);
  });
  registry.add_gate(
      "bootstrap", bootstrap_modes(), [](RunContext& ctx, const GateDef& def, Role role) {
        return make_bootstrap_gate(ctx, def.arg, role, ctx.shared<ZooKeeperEnsemble>());
      });
}

}  // namespace bootsim::models
