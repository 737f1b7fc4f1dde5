#include "models/dcos/registration.hpp"

#include <memory>

#include "models/core/host_store.hpp"
#include "models/core/registry.hpp"
#include "models/core/run_context.hpp"
#include "models/dcos/cosmos.hpp"
#include "models/dcos/exec_start_pre.hpp"
#include "models/dcos/marathon.hpp"
#include "models/dcos/signal.hpp"
#include "models/systemd/generic_process.hpp"

namespace bootsim::models {

void register_dcos_models(ModelRegistry& registry) {
  registry.add_process("marathon", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<Marathon>(ctx, def.start, ctx.shared<MarathonApps>());
  });
  registry.add_process("cosmos", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<Cosmos>(ctx, def.start, ctx.shared<CosmosPackages>(),
                                    ctx.shared<MarathonApps>());
  });
  registry.add_process("dcos-signal", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<DcosSignal>(ctx, def.start);
  });
  registry.add_process("telegraf", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<GenericProcess>(ctx, def.start, host_path::kTelegrafSocket);
  });
  const auto local = [](RunContext& ctx, const GateDef& def, Role) {
    return make_dcos_local_gate(ctx, def);
  };
  registry.add_gate("file", {"cluster-id"}, local);
  registry.add_gate("http", {"oauth", "bouncer-jwks"}, local);
  registry.add_gate("socket", {"telegraf"}, local);
  registry.add_gate("check-time", {""}, local);
}

}  // namespace bootsim::models
