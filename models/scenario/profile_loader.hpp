// The profile loader: a profile file (format: scenarios/README.md, "Profiles") read into a
// Profile — a complete unit graph, or an overlay on a base profile (`base: dcos-1.9` or
// `base: other.yaml`) that adds units, replaces fields of units, and removes units, gate
// providers and rules, as systemd drop-ins do.
//
//   auto p = load_profile("my-profile.yaml", "scenarios", builtin_profile_texts(),
//                         scenario.profile_where);
//   if (auto* e = std::get_if<InputError>(&p)) { std::cerr << e->format() << '\n'; ... }
//
// Contract: never throws, whatever the bytes. Every problem the file shows by itself is an
// InputError located at the offending entry (`FILE:LINE:COL`; the built-in profiles' files are
// named like `dcos-1.9.yaml`): unknown and duplicate keys, values, milestone and role names, a
// base that does not exist or leads back to itself, an overlay naming what its base lacks.
// What needs the model registry — gate kinds and arguments, process models, After= targets and
// cycles, providers' units — is left to validate() (models/systemd/profile.hpp), which reports
// it at the same entries through the locations the loader fills in. Reads the files it names
// and nothing else; no global state.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "models/core/source_location.hpp"
#include "models/systemd/profile.hpp"

namespace bootsim::models {

// A built-in profile: its YAML text, embedded in the binary at build time.
struct ProfileText {
  std::string_view name;  // "dcos-1.9"
  std::string_view file;  // "dcos-1.9.yaml": how errors in it are located
  std::string_view yaml;
};

// Whether a profile reference names a file (it holds a '/' or ends in .yaml or .yml) rather
// than a built-in profile.
bool is_profile_file(std::string_view ref);

// Loads the profile `ref` names: one of `builtins` by name, or a profile file by path, relative
// to `dir` (the directory of the file that names it; empty: the working directory). `where` is
// where `ref` is written, for errors about the reference itself (an unknown name, a file that
// cannot be read).
std::variant<Profile, InputError> load_profile(std::string_view ref, const std::string& dir,
                                               std::span<const ProfileText> builtins,
                                               const SourceLocation& where);

// Loads a profile from text, as if read from `file` (relative bases are taken from its
// directory).
std::variant<Profile, InputError> load_profile_text(std::string_view yaml, const std::string& file,
                                                    std::span<const ProfileText> builtins);

}  // namespace bootsim::models
