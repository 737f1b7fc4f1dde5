// The DNS models in the registry: processes "dns-proxy" (Spartan), "gen-resolvconf",
// "spartan-watchdog", "mesos-dns", "adminrouter-upstream", "adminrouter" and
// "adminrouter-agent" (nginx and how it keeps leader.mesos), "adminrouter-reload"
// (nginx -s reload); gate kind "ping".
#pragma once

namespace bootsim::models {

class ModelRegistry;

void register_dns_models(ModelRegistry& registry);

}  // namespace bootsim::models
