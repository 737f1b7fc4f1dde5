// The DC/OS-specific models in the registry: processes "marathon", "cosmos", "telegraf"; the
// host-local gate kinds "file", "http", "socket", "check-time".
#pragma once

namespace bootsim::models {

class ModelRegistry;

// Marathon instances share the run's MarathonApps (RunContext::shared), the launch queue they
// keep in ZooKeeper; Cosmos instances share the run's CosmosPackages, the installs to make.
void register_dcos_models(ModelRegistry& registry);

}  // namespace bootsim::models
