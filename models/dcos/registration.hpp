// The DC/OS-specific models in the registry: processes "marathon", "adminrouter",
// "telegraf"; the host-local gate kinds "file", "http", "socket", "check-time".
#pragma once

namespace bootsim::models {

class ModelRegistry;

// Marathon instances share the run's MarathonApps (RunContext::shared), the launch queue they
// keep in ZooKeeper.
void register_dcos_models(ModelRegistry& registry);

}  // namespace bootsim::models
