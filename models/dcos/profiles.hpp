// The built-in DC/OS profiles: DC/OS 1.9.0 (the default) and DC/OS 2.3, an overlay on it. They
// are the YAML files in models/dcos/profiles/, embedded in the binary at build time, so bootsim
// runs from any directory.
//
//   auto p = builtin_profile("dcos-1.9");  // nullopt for an unknown name
//   auto q = load_profile("my.yaml", "scenarios", builtin_profile_texts(), where);  // or a file
//
// Sources: DC/OS 1.9.0 unit files (reference: dcos-1.9-units.md §2) and DC/OS 2.3
// (dcos-facts.md §1), cited in the YAML files' comments. Contract: the texts are constant data;
// each load parses afresh (no cache, no global state).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/core/source_location.hpp"
#include "models/scenario/profile_loader.hpp"
#include "models/systemd/profile.hpp"

namespace bootsim::models {

std::vector<std::string> builtin_profile_names();
// The embedded YAML of every built-in profile, in builtin_profile_names() order (generated from
// models/dcos/profiles/*.yaml by models/dcos/CMakeLists.txt).
std::span<const ProfileText> builtin_profile_texts();

// A built-in profile as loaded (not yet checked against the model registry: see validate()),
// or the error in its file, located as `dcos-1.9.yaml:LINE:COL`.
std::variant<Profile, InputError> load_builtin_profile(std::string_view name);
// nullopt for an unknown name (and for a built-in that does not load, which the tests rule out).
std::optional<Profile> builtin_profile(std::string_view name);

}  // namespace bootsim::models
