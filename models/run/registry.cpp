#include "models/run/registry.hpp"

#include "models/dcos/registration.hpp"
#include "models/dns/registration.hpp"
#include "models/exhibitor/registration.hpp"
#include "models/mesos/registration.hpp"
#include "models/systemd/registration.hpp"

namespace bootsim::models {

ModelRegistry standard_registry() {
  ModelRegistry registry;
  register_systemd_models(registry);
  register_exhibitor_models(registry);
  register_mesos_models(registry);
  register_dns_models(registry);
  register_dcos_models(registry);
  return registry;
}

}  // namespace bootsim::models
