// The generic unit process in the registry: process "generic" (a start duration, then up).
#pragma once

namespace bootsim::models {

class ModelRegistry;

void register_systemd_models(ModelRegistry& registry);

}  // namespace bootsim::models
