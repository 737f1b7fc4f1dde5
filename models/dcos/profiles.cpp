#include "models/dcos/profiles.hpp"

namespace bootsim::models {

std::vector<std::string> builtin_profile_names() {
  std::vector<std::string> names;
  for (const ProfileText& t : builtin_profile_texts()) names.emplace_back(t.name);
  return names;
}

std::variant<Profile, InputError> load_builtin_profile(std::string_view name) {
  return load_profile(name, "", builtin_profile_texts(), SourceLocation{});
}

std::optional<Profile> builtin_profile(std::string_view name) {
  auto loaded = load_builtin_profile(name);
  if (auto* p = std::get_if<Profile>(&loaded)) return std::move(*p);
  return std::nullopt;
}

}  // namespace bootsim::models
