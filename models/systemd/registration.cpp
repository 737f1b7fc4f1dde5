#include "models/systemd/registration.hpp"

#include <memory>

#include "models/core/registry.hpp"
#include "models/systemd/generic_process.hpp"

namespace bootsim::models {

void register_systemd_models(ModelRegistry& registry) {
  registry.add_process("generic", [](RunContext& ctx, const UnitDef& def) {
    return std::make_unique<GenericProcess>(ctx, def.start);
  });
}

}  // namespace bootsim::models
