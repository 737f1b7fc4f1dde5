// The Exhibitor models in the registry: process "exhibitor", gate kind "bootstrap".
#pragma once

namespace bootsim::models {

class ModelRegistry;

// Both drive the run's ZooKeeperEnsemble (RunContext::shared).
void register_exhibitor_models(ModelRegistry& registry);

}  // namespace bootsim::models
