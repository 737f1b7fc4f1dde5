// The Mesos models in the registry: processes "mesos-master" and "mesos-agent".
#pragma once

namespace bootsim::models {

class ModelRegistry;

// Masters report to the run's LeadershipMonitor; agents run tasks' programs from its TaskPrograms
// (RunContext::shared).
void register_mesos_models(ModelRegistry& registry);

}  // namespace bootsim::models
