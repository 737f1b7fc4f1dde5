// bootsim params [--profile P]: every parameter a scenario, --set and --vary take, with its
// default, its type (the unit it is written in) and the source of the default; then each unit
// of the profile's units.<unit>.start and .restart_sec with the profile's values and sources;
// then the zone keys a scenario with zones takes.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "models/core/parameters.hpp"
#include "models/dcos/profiles.hpp"
#include "models/run/cluster.hpp"
#include "tools/sweep/command.hpp"

namespace bootsim::sweep {

namespace {

void print_table(std::ostream& out) {
  out << fmt::format("{:<42} {:<13} {:<34} {}\n", "parameter", "type", "default", "source");
  for (const models::ParamSpec& p : models::parameter_table()) {
    out << fmt::format("{:<42} {:<13} {:<34} {}\n", p.key, models::param_type_name(p.type),
                       p.default_value, p.source);
  }
}

void print_units(const models::Profile& profile, std::ostream& out) {
  out << fmt::format(
      "\nunits of profile {} (units.<unit>.start: exec to ready; .restart_sec: "
      "RestartSec=)\n",
      profile.name);
  for (const models::UnitDef& u : profile.units) {
    if (u.type != models::UnitType::kService) continue;
    out << fmt::format("{:<42} {:<13} {:<34} {}\n", "units." + u.name + ".start", "distribution",
                       u.start.to_string(), u.source);
    out << fmt::format("{:<42} {:<13} {:<34} {}\n", "units." + u.name + ".restart_sec", "duration",
                       sim::format_duration(u.restart_sec), u.source);
  }
}

// The zone keys a scenario with `zones:` takes (models/core/zone_keys.hpp), as patterns: which
// zones there are is the scenario's.
void print_zone_keys(std::ostream& out) {
  out << "\nzone keys of a scenario with zones: (scenarios/README.md, Zones)\n";
  const auto row = [&](std::string_view key, std::string_view type, std::string_view dflt,
                       std::string_view what) {
    out << fmt::format("{:<42} {:<13} {:<34} {}\n", key, type, dflt, what);
  };
  row("zones.<zone>.agents.private", "integer", "a share of cluster.agents.private",
      "the zone's private agents");
  row("zones.<zone>.agents.public", "integer", "a share of cluster.agents.public",
      "the zone's public agents");
  row("zones.<zone>.latency", "distribution", "zones.latency.within",
      "one way, between two hosts of the zone");
  row("zones.latency.within", "distribution", "network.latency",
      "one way, between two hosts of one zone");
  row("zones.latency.between", "distribution", "network.latency",
      "one way, between hosts of two zones");
  row("zones.latency.<zone>.<zone>", "distribution", "zones.latency.between",
      "one way, between hosts of these two zones");
}

}  // namespace

int params_command(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description desc("bootsim params [--profile P]");
  std::string profile = "dcos-1.9";
  const std::string help = fmt::format("a built-in profile ({}) or a profile file",
                                       fmt::join(models::builtin_profile_names(), ", "));
  desc.add_options()("help,h", "this help")(
      "profile", po::value<std::string>(&profile)->default_value(profile), help.c_str());
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "bootsim: error: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  auto loaded = models::load_checked_profile(profile, "", models::SourceLocation{});
  if (auto* e = std::get_if<models::InputError>(&loaded)) {
    std::cerr << e->format() << "\n";
    return 2;
  }
  print_table(std::cout);
  print_units(std::get<models::Profile>(loaded), std::cout);
  print_zone_keys(std::cout);
  return 0;
}

}  // namespace bootsim::sweep
