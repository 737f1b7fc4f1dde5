// Profile files: what an overlay does to its base, and every problem a profile file can have,
// located at its entry as FILE:LINE:COL — by the loader, or by validate() against the model
// registry through the locations the loader records.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "models/dcos/profiles.hpp"
#include "models/run/cluster.hpp"
#include "models/run/registry.hpp"
#include "models/run/rules.hpp"
#include "models/scenario/profile_loader.hpp"
#include "tests/printers.hpp"

using namespace bootsim;
using namespace bootsim::models;

namespace {

Profile profile_ok(const std::string& yaml) {
  auto loaded = load_profile_text(yaml, "p.yaml", builtin_profile_texts());
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  return std::get<Profile>(std::move(loaded));
}

// The first problem of the profile: the loader's, or else validate()'s, formatted as the
// command line prints it.
std::string first_problem(const std::string& yaml) {
  auto loaded = load_profile_text(yaml, "p.yaml", builtin_profile_texts());
  if (auto* e = std::get_if<InputError>(&loaded)) return e->format();
  const auto problems = validate(std::get<Profile>(loaded), standard_registry());
  if (problems.empty()) FAIL("accepted:\n" << yaml);
  return InputError{problems.front().where, problems.front().message}.format();
}

std::vector<std::string> unit_names(const Profile& p) {
  std::vector<std::string> out;
  for (const UnitDef& u : p.units) out.push_back(u.name);
  return out;
}

// A fresh directory under the system's temporary one, removed at the end of the test.
struct TempDir {
  TempDir() {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("bootsim-profiles-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
  std::filesystem::path path;
};

}  // namespace

TEST_CASE("an overlay adds, replaces and removes units, providers and rules", "[profile]") {
  const Profile base = *builtin_profile("dcos-1.9");
  const Profile p = profile_ok(R"yaml(
name: mine
base: dcos-1.9
remove:
  units: [dcos-rexray]
  rules: [agent.available < agent.visible_in_ui]
units:
  dcos-marathon: {restart_sec: 30s}
  dcos-extra:
    insert_after: dcos-exhibitor
    roles: [master]
    restart_sec: 5s
    start: 1s
    gates: [bootstrap exhibitor-all-serving]
    milestone: auth.started
  dcos-3dt-agent: {insert_before: dcos-mesos-slave}
providers:
  http oauth: {node: [dcos-oauth, dcos-extra]}
rules:
  - {before: exhibitor.started, after: marathon.started}
)yaml");
  CHECK(p.name == "mine");
  CHECK(p.description == base.description);  // not given: the base's
  std::vector<std::string> expected = unit_names(base);
  expected.erase(std::find(expected.begin(), expected.end(), "dcos-rexray"));
  expected.insert(expected.begin() + 1, "dcos-extra");
  expected.erase(std::find(expected.begin(), expected.end(), "dcos-3dt-agent"));
  expected.insert(std::find(expected.begin(), expected.end(), "dcos-mesos-slave"),
                  "dcos-3dt-agent");
  CHECK(unit_names(p) == expected);
  // A drop-in replaces the fields it gives and keeps the others.
  const UnitDef& marathon = *p.find("dcos-marathon");
  CHECK(marathon.restart_sec == sim::seconds(30));
  CHECK(marathon.gates.size() == 2);
  CHECK(marathon.source == base.find("dcos-marathon")->source);
  CHECK(marathon.where == SourceLocation{"p.yaml", 8, 3});
  const UnitDef& extra = *p.find("dcos-extra");
  CHECK(extra.process == "generic");
  CHECK(extra.type == UnitType::kService);
  CHECK(extra.source.empty());  // neither the entry nor the file gives one
  REQUIRE(extra.gates.size() == 1);
  CHECK(extra.gates[0].where == SourceLocation{"p.yaml", 14, 13});
  // Providers: an entry replaces the base's for that gate.
  CHECK(p.providers_of("http oauth")->node == std::vector<std::string>{"dcos-oauth", "dcos-extra"});
  CHECK(p.providers.size() == base.providers.size());
  // Rules: one removed, one added last.
  REQUIRE(builtin_rules(p).size() == base.rules.size());
  CHECK(builtin_rules(p).back().name == "exhibitor.started < marathon.started");
  CHECK(validate(p, standard_registry()).empty());
}

TEST_CASE("a complete profile stands alone, and a file's source is its units' default",
          "[profile]") {
  const Profile p = profile_ok(R"yaml(
name: tiny
source: "my notes"
units:
  dcos-exhibitor:
    roles: [master]
    restart_sec: 5s
    process: exhibitor
    start: 2s
    milestone: exhibitor.started
  dcos-resolv:
    roles: [master, agent]
    type: timer
    process: gen-resolvconf
    on_boot_sec: 5s
    on_unit_active_sec: 1m
    source: "elsewhere"
)yaml");
  CHECK(p.name == "tiny");
  REQUIRE(p.units.size() == 2);
  CHECK(p.units[0].source == "my notes");
  CHECK(p.units[1].source == "elsewhere");
  CHECK(p.units[1].type == UnitType::kTimer);
  CHECK(p.units[1].on_unit_active_sec == sim::minutes(1));
  CHECK(p.units_for(Role::kPrivateAgent).size() == 1);
  CHECK(p.rules.empty());
  CHECK(validate(p, standard_registry()).empty());
}

namespace {
// (profile text, the error it gives)
const std::pair<const char*, const char*> kProfileProblems[]{
    {"", "p.yaml:1:1: error: empty profile (expected a map with at least 'name')"},
    {"[a]\n", "p.yaml:1:1: error: a profile must be a map of keys (name, units, ...), got a list"},
    {"base: dcos-1.9\n", "p.yaml:1:1: error: missing required key 'name'"},
    {"name: x\nbase: dcos-1.9\nunit: {}\n",
     "p.yaml:3:1: error: unknown key 'unit' at the top level (did you mean 'units'?)"},
    {"name: x\nbase: dcos-1.9\nname: y\n",
     "p.yaml:3:1: error: duplicate key 'name' at the top level (first at line 1)"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon: {restart_secs: 5s}\n",
     "p.yaml:4:19: error: unknown key 'restart_secs' in 'units.dcos-marathon' (did you mean "
     "'restart_sec'?)"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon: {restart_sec: 0s}\n",
     "p.yaml:4:32: error: units.dcos-marathon.restart_sec must be positive, got '0s'"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-signal: {restart: on-failur}\n",
     "p.yaml:4:26: error: units.dcos-signal.restart: unknown Restart= 'on-failur' (did you mean "
     "'on-failure'?)"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-signal: {roles: [master], wanted_by: [agent]}\n",
     "p.yaml:4:3: error: units.dcos-signal.wanted_by: agent is not one of the unit's roles"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-signal: {on_calendar: daily}\n",
     "p.yaml:4:30: error: units.dcos-signal.on_calendar: unsupported OnCalendar= 'daily' "
     "(minutely or hourly)"},
    {"name: x\nbase: dcos-1.8\n",
     "p.yaml:2:7: error: unknown profile 'dcos-1.8' (did you mean 'dcos-1.9'?)"},
    {"name: x\nbase: no/such.yaml\n", "p.yaml:2:7: error: cannot open profile file 'no/such.yaml'"},
    {"name: x\nunits:\n  a: {roles: [master], restart_sec: 5s, start: 1s}\nremove: {units: "
     "[a]}\n",
     "p.yaml:4:9: error: remove: only an overlay (a profile with a 'base') removes"},
    {"name: x\nbase: dcos-1.9\nremove: {units: [dcos-spartan, dcos-nope]}\n",
     "p.yaml:3:32: error: remove.units: no 'dcos-nope' in dcos-1.9"},
    {"name: x\nbase: dcos-1.9\nremove: {rules: [a < b]}\n",
     "p.yaml:3:18: error: remove.rules: no 'a < b' in dcos-1.9"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-new: {roles: [master], start: 1s}\n",
     "p.yaml:4:3: error: units.dcos-new: missing 'restart_sec' (a new service gives roles, "
     "restart_sec, start)"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-t: {roles: [master], type: timer, on_boot_sec: "
     "5s}\n",
     "p.yaml:4:3: error: units.dcos-t: missing 'on_unit_active_sec' (a new timer gives roles, "
     "on_boot_sec, on_unit_active_sec)"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon: {roles: [masters]}\n",
     "p.yaml:4:27: error: units.dcos-marathon.roles: unknown role 'masters' (did you mean "
     "'master'?)"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon: {type: oneshot}\n",
     "p.yaml:4:25: error: units.dcos-marathon.type: unknown type 'oneshot'"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon: {gates: ['ping  leader.mesos']}\n",
     "p.yaml:4:27: error: units.dcos-marathon.gates: expected a gate as KIND or 'KIND ARG', "
     "got 'ping  leader.mesos'"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon: {milestone: marathon.up}\n",
     "p.yaml:4:30: error: units.dcos-marathon.milestone: unknown milestone 'marathon.up'"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon: {insert_after: dcos-nope}\n",
     "p.yaml:4:33: error: units.dcos-marathon.insert_after: no unit 'dcos-nope' in the profile "
     "(so far)"},
    {"name: x\nbase: dcos-1.9\nrules:\n  - {before: exhibitor.started, after: "
     "zookeeper.started}\n",
     "p.yaml:4:5: error: rules: a second rule 'exhibitor.started < zookeeper.started' (first "
     "at dcos-1.9.yaml:254)"},
    // What the registry decides, located through the loader's records.
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon: {gates: [ping leader.mesos, "
     "wait-for zookeeper]}\n",
     "p.yaml:4:46: error: unit 'dcos-marathon' has an unknown gate 'wait-for zookeeper' (gate "
     "kinds: bootstrap, check-time, file, http, ping, socket)"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon:\n    gates: [bootstrap zk-mod]\n",
     "p.yaml:5:13: error: unit 'dcos-marathon' has an unknown gate 'bootstrap zk-mod' (did "
     "you mean 'zk-mode'?)"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon:\n    gates: [bootstrap nothing]\n",
     "p.yaml:5:13: error: unit 'dcos-marathon' has an unknown gate 'bootstrap nothing' "
     "(bootstrap takes: exhibitor-all-serving, exhibitor-all-serving+cluster-id, "
     "exhibitor-all-serving+auth-token-secret, zk-mode, zk-mode+cluster-id, zk-connect, "
     "zk-hosts, by-role+cluster-id, cluster-id-read, zk-hosts+cluster-id-read, noop)"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon:\n    gates: [check-time now]\n",
     "p.yaml:5:13: error: unit 'dcos-marathon' has an unknown gate 'check-time now' "
     "(check-time takes no argument)"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon: {process: marathn}\n",
     "p.yaml:4:28: error: unit 'dcos-marathon' names an unknown process model 'marathn' (did "
     "you mean 'marathon'?)"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-marathon: {after: [dcos-mesos-master, "
     "dcos-nope]}\n",
     "p.yaml:4:46: error: unit 'dcos-marathon' is ordered After= unknown unit 'dcos-nope'"},
    {"name: x\nbase: dcos-1.9\nunits:\n  dcos-spartan: {after: [dcos-marathon]}\n"
     "  dcos-marathon: {after: [dcos-exhibitor]}\n  dcos-exhibitor: {after: [dcos-spartan]}\n",
     "p.yaml:6:28: error: cycle among After= orderings: dcos-exhibitor -> dcos-spartan -> "
     "dcos-marathon -> dcos-exhibitor"},
    {"name: x\nbase: dcos-1.9\nproviders:\n  http oauth: {node: [dcos-oath]}\n",
     "p.yaml:4:23: error: providers of 'http oauth': unknown unit 'dcos-oath'"},
    {"name: x\nbase: dcos-1.9\nproviders:\n  http oath: {node: [dcos-oauth]}\n",
     "p.yaml:4:3: error: providers: unknown gate 'http oath' (did you mean 'oauth'?)"},
};
}  // namespace

TEST_CASE("profile problems are located at their entry", "[profile][errors]") {
  for (const auto& [yaml, message] : kProfileProblems) {
    INFO(yaml);
    CHECK(first_problem(yaml) == message);
  }
}

TEST_CASE("a base names a built-in or a file relative to the overlay, and cycles are errors",
          "[profile][errors]") {
  const TempDir dir;
  dir.write("a.yaml", "name: a\nbase: sub/b.yaml\n");
  std::filesystem::create_directories(dir.path / "sub");
  dir.write("sub/b.yaml", "name: b\nbase: c.yaml\nunits:\n  dcos-marathon: {restart_sec: 1m}\n");
  dir.write("sub/c.yaml", "name: c\nbase: dcos-2.3\n");
  auto loaded = load_profile("a.yaml", dir.path.string(), builtin_profile_texts(), {});
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  const Profile& a = std::get<Profile>(loaded);
  CHECK(a.name == "a");
  CHECK(a.find("dcos-marathon")->restart_sec == sim::minutes(1));
  CHECK(a.find("dcos-bouncer") != nullptr);  // from dcos-2.3, under c and b
  // A chain that comes back to a file it started from.
  dir.write("sub/c.yaml", "name: c\nbase: ../a.yaml\n");
  auto cycle = load_profile("a.yaml", dir.path.string(), builtin_profile_texts(), {});
  REQUIRE(std::holds_alternative<InputError>(cycle));
  const std::string d = dir.path.string();
  CHECK(std::get<InputError>(cycle).format() ==
        d + "/sub/c.yaml:2:7: error: cycle of profile bases: " + d + "/a.yaml -> " + d +
            "/sub/b.yaml -> " + d + "/sub/c.yaml -> " + d + "/a.yaml");
}

TEST_CASE("errors in a built-in profile name its file", "[profile][errors]") {
  const ProfileText texts[] = {
      {"base", "base.yaml", "name: base\nunits:\n  a: {roles: [master], restart_sec: 5s}\n"},
      {"over", "over.yaml", "name: over\nbase: base\n"},
      {"file", "file.yaml", "name: file\nbase: other.yaml\n"}};
  auto over = load_profile("over", "", texts, {});
  REQUIRE(std::holds_alternative<InputError>(over));
  CHECK(std::get<InputError>(over).format() ==
        "base.yaml:3:3: error: units.a: missing 'start' (a new service gives roles, "
        "restart_sec, start)");
  auto file = load_profile("file", "", texts, {});
  REQUIRE(std::holds_alternative<InputError>(file));
  CHECK(std::get<InputError>(file).format() ==
        "file.yaml:2:7: error: a built-in profile's base must be a built-in profile, got a file");
  // The command line's --profile: a reference without a file of its own.
  auto unknown = load_checked_profile("dcos-2.4", "", SourceLocation{});
  REQUIRE(std::holds_alternative<InputError>(unknown));
  CHECK(std::get<InputError>(unknown).format() ==
        "command line: error: unknown profile 'dcos-2.4' (did you mean 'dcos-2.3'?)");
}

TEST_CASE("the profile example of scenarios/README.md loads, and its errors are as shown",
          "[profile][docs]") {
  std::ifstream in(std::string(BOOTSIM_SOURCE_DIR) + "/scenarios/README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string text = readme.str();
  const std::size_t begin = text.find("```yaml\n# my-dcos.yaml");
  REQUIRE(begin != std::string::npos);
  const std::size_t start = begin + std::string("```yaml\n").size();
  const std::string example = text.substr(start, text.find("```\n", start) - start);
  auto loaded = load_profile_text(example, "my-dcos.yaml", builtin_profile_texts());
  if (auto* e = std::get_if<InputError>(&loaded)) FAIL(e->format());
  const Profile& p = std::get<Profile>(loaded);
  CHECK(validate(p, standard_registry()).empty());
  CHECK(p.find("dcos-navstar") == nullptr);
  CHECK(p.find("dcos-marathon")->restart_sec == sim::seconds(5));
  CHECK(p.units[1].name == "dcos-stats");
  CHECK(p.units[1].source == "our fork, units/*.service");
  // The two errors the text shows, each from a one-line change of the example.
  auto error = [&](const std::string& from, const std::string& to) {
    std::string changed = example;
    const std::size_t at = changed.find(from);
    REQUIRE(at != std::string::npos);
    changed.replace(at, from.size(), to);
    auto r = load_profile_text(changed, "my-dcos.yaml", builtin_profile_texts());
    REQUIRE(std::holds_alternative<InputError>(r));
    return std::get<InputError>(r).format();
  };
  const std::string restart =
      error("    restart_sec: 5s\n  dcos-mesos-dns:", "    restart_secs: 5s\n  dcos-mesos-dns:");
  CHECK(text.find("\n" + restart + "\n") != std::string::npos);
  CHECK(restart.starts_with("my-dcos.yaml:13:5: error: unknown key 'restart_secs'"));
  const std::string base = error("base: dcos-1.9", "base: dcos-1.8");
  CHECK(text.find("\n" + base + "\n") != std::string::npos);
  CHECK(base.starts_with("my-dcos.yaml:4:7: error: unknown profile 'dcos-1.8'"));
}
