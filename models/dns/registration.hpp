// The DNS models in the registry: processes "dns-proxy" (Spartan), "gen-resolvconf",
// "mesos-dns", "adminrouter" and "adminrouter-agent" (nginx and its DNS cache);
// gate kind "ping".
#pragma once

namespace bootsim::models {

class ModelRegistry;

void register_dns_models(ModelRegistry& registry);

}  // namespace bootsim::models
