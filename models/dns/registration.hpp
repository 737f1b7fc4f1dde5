// The DNS models in the registry: processes "dns-proxy", "gen-resolvconf", "mesos-dns";
// gate kind "ping".
#pragma once

namespace bootsim::models {

class ModelRegistry;

void register_dns_models(ModelRegistry& registry);

}  // namespace bootsim::models
