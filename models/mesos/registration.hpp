// The Mesos models in the registry: processes "mesos-master" and "mesos-agent".
#pragma once

namespace bootsim::models {

class ModelRegistry;

// Agents run tasks' programs from the run's TaskPrograms (RunContext::shared).
void register_mesos_models(ModelRegistry& registry);

}  // namespace bootsim::models
