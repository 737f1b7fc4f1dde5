// The built-in DC/OS profiles: DC/OS 1.9.0 (the default) and DC/OS 2.3.
//
//   auto p = builtin_profile("dcos-1.9");  // nullopt for an unknown name
//
// Sources: DC/OS 1.9.0 unit files (reference: dcos-1.9-units.md §2) and DC/OS 2.3
// (dcos-facts.md §1).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/systemd/profile.hpp"

namespace bootsim::models {

std::vector<std::string> builtin_profile_names();
// nullopt for an unknown name.
std::optional<Profile> builtin_profile(std::string_view name);

}  // namespace bootsim::models
