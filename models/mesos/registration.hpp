// The Mesos models in the registry: processes "mesos-master" and "mesos-agent".
#pragma once

namespace bootsim::models {

class ModelRegistry;

// Masters report to the run's LeadershipMonitor and agents to its TaskStarted (RunContext::shared).
void register_mesos_models(ModelRegistry& registry);

}  // namespace bootsim::models
