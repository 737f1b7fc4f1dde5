#include "models/dcos/profiles.hpp"

namespace bootsim::models {

namespace {

using sim::Distribution;
using sim::milliseconds;
using sim::seconds;

constexpr Role kM = Role::kMaster;
constexpr Role kA = Role::kPrivateAgent;
constexpr Role kP = Role::kPublicAgent;

// Start times (exec → ready) have no published figures; these are assumptions a scenario can
// override with units.<unit>.start. JVMs take seconds, Go and C binaries well under one.
Distribution jvm_start() {
  return Distribution::lognormal(seconds(3), seconds(8));
}
Distribution erlang_start() {
  return Distribution::lognormal(seconds(1), seconds(3));
}
Distribution native_start() {
  return Distribution::lognormal(milliseconds(300), seconds(1));
}

GateDef gate(std::string kind, std::string arg = {}, std::string milestone = {}) {
  return GateDef{std::move(kind), std::move(arg), std::move(milestone)};
}

UnitDef service(std::string name, std::vector<Role> roles, sim::SimTime restart_sec,
                std::vector<GateDef> gates, Distribution start, std::string milestone = {},
                std::string process = "generic") {
  UnitDef u;
  u.name = std::move(name);
  u.roles = std::move(roles);
  u.restart_sec = restart_sec;
  u.gates = std::move(gates);
  u.start = std::move(start);
  u.milestone = std::move(milestone);
  u.process = std::move(process);
  return u;
}

UnitDef resolvconf_timer(std::string source) {
  // dcos-gen-resolvconf.timer: OnBootSec=5sec, OnUnitActiveSec=1min (same in 1.9 and 2.3).
  UnitDef u;
  u.name = "dcos-gen-resolvconf";
  u.roles = {kM, kA, kP};
  u.type = UnitType::kTimer;
  u.process = "gen-resolvconf";
  u.on_boot_sec = seconds(5);
  u.on_unit_active_sec = sim::minutes(1);
  u.source = std::move(source);
  return u;
}

// DC/OS 1.9.0 (dcos/dcos tag 1.9.0): no After= anywhere; every master service that calls
// `bootstrap` waits for Exhibitor to report all N servers serving with exactly one leader.
Profile dcos_1_9() {
  Profile p;
  p.name = "dcos-1.9";
  p.description =
      "DC/OS 1.9.0: masters wait for every ZooKeeper to serve; agents ping leader.mesos";
  const GateDef boot_master = gate("bootstrap", "exhibitor-all-serving");
  const GateDef boot_agent = gate("bootstrap", "zk-connect");
  const GateDef spartan = gate("ping", "ready.spartan");
  const GateDef leader = gate("ping", "leader.mesos");
  const std::string src = "dcos/dcos@1.9.0 packages/*/extra/*.service";
  auto& u = p.units;
  u.push_back(service("dcos-exhibitor", {kM}, seconds(5), {}, jvm_start(), "exhibitor.started",
                      "exhibitor"));
  u.push_back(service("dcos-spartan", {kM}, seconds(5), {boot_master}, erlang_start(),
                      "dns-proxy.started", "dns-proxy"));
  u.push_back(service("dcos-spartan-agent", {kA, kP}, seconds(5), {boot_agent}, erlang_start(),
                      "dns-proxy.started", "dns-proxy"));
  u.push_back(resolvconf_timer(src));
  u.push_back(service("dcos-mesos-master", {kM}, seconds(15), {spartan, boot_master},
                      native_start(), "mesos-master.started", "mesos-master"));
  u.push_back(service("dcos-mesos-dns", {kM}, seconds(5), {spartan, boot_master}, native_start(),
                      "mesos-dns.started", "mesos-dns"));
  u.push_back(service("dcos-marathon", {kM}, seconds(15), {leader, boot_master}, jvm_start(),
                      "marathon.started", "marathon"));
  u.push_back(
      service("dcos-oauth", {kM}, seconds(5), {boot_master}, native_start(), "auth.started"));
  // dcos-metrics-master's bootstrap creates /cluster-id, which Admin Router waits for.
  u.push_back(
      service("dcos-metrics-master", {kM}, seconds(5),
              {gate("bootstrap", "exhibitor-all-serving+cluster-id"), gate("file", "cluster-id")},
              native_start()));
  u.push_back(service("dcos-adminrouter", {kM}, seconds(5),
                      {spartan, gate("ping", "marathon.mesos"), leader, gate("file", "cluster-id"),
                       gate("http", "oauth")},
                      native_start(), "adminrouter.started", "adminrouter"));
  u.push_back(service("dcos-history", {kM}, seconds(5), {leader, boot_master}, native_start(),
                      "history.started"));
  u.push_back(
      service("dcos-3dt", {kM}, seconds(5), {boot_master}, native_start(), "diagnostics.started"));
  u.push_back(service("dcos-navstar", {kM}, seconds(5), {gate("check-time"), spartan, boot_master},
                      erlang_start()));
  u.push_back(service("dcos-cosmos", {kM}, seconds(15), {leader, boot_master}, jvm_start()));
  u.push_back(service("dcos-metronome", {kM}, seconds(15),
                      {gate("check-time"), leader, boot_master}, jvm_start()));
  // Agents: 1.9.0–1.9.4 ping leader.mesos before mesos-agent (dropped in 1.9.5, dcos/dcos#1946).
  u.push_back(service("dcos-mesos-slave", {kA}, seconds(5),
                      {spartan, gate("ping", "leader.mesos", "agent.leader_pingable"), boot_agent},
                      native_start(), "agent.started", "mesos-agent"));
  u.push_back(service("dcos-mesos-slave-public", {kP}, seconds(5),
                      {spartan, gate("ping", "leader.mesos", "agent.leader_pingable"), boot_agent},
                      native_start(), "agent.started", "mesos-agent"));
  u.push_back(service("dcos-navstar-agent", {kA, kP}, seconds(5),
                      {gate("check-time"), spartan, boot_agent}, erlang_start()));
  u.push_back(service("dcos-metrics-agent", {kA, kP}, seconds(5),
                      {gate("bootstrap", "cluster-id-read"), gate("file", "cluster-id")},
                      native_start()));
  u.push_back(
      service("dcos-adminrouter-agent", {kA, kP}, seconds(5), {spartan, leader}, native_start()));
  u.push_back(service("dcos-3dt-agent", {kA, kP}, seconds(5), {boot_agent}, native_start()));
  u.push_back(service("dcos-rexray", {kA, kP}, seconds(15), {}, native_start()));
  for (UnitDef& d : u) {
    if (d.source.empty()) d.source = src;
  }
  return p;
}

// DC/OS 2.3-dev (dcos/dcos@79b9a39b): bootstrap waits for the local ZooKeeper's mode only;
// dcos-net replaces spartan and creates /cluster-id; agents wait for leader.mesos through the
// telegraf statsd socket; cockroach → bouncer → adminrouter are the only After= orderings.
Profile dcos_2_3() {
  Profile p;
  p.name = "dcos-2.3";
  p.description = "DC/OS 2.3: masters wait for ZooKeeper quorum; dcos-net; telegraf gate on agents";
  const GateDef boot_master = gate("bootstrap", "zk-mode");
  const GateDef spartan = gate("ping", "ready.spartan");
  const GateDef leader = gate("ping", "leader.mesos");
  const GateDef clock = gate("check-time");
  const std::string src = "dcos/dcos@79b9a39b packages/*/extra/*.service";
  auto& u = p.units;
  u.push_back(service("dcos-exhibitor", {kM}, seconds(5), {clock}, jvm_start(), "exhibitor.started",
                      "exhibitor"));
  u.push_back(service("dcos-net", {kM}, seconds(5),
                      {clock, gate("bootstrap", "zk-mode+cluster-id")}, erlang_start(),
                      "dns-proxy.started", "dns-proxy"));
  u.push_back(service("dcos-net-agent", {kA, kP}, seconds(5),
                      {clock, gate("bootstrap", "cluster-id-read")}, erlang_start(),
                      "dns-proxy.started", "dns-proxy"));
  u.push_back(resolvconf_timer(src));
  u.push_back(service("dcos-mesos-master", {kM}, seconds(15), {spartan, boot_master},
                      native_start(), "mesos-master.started", "mesos-master"));
  u.push_back(service("dcos-mesos-dns", {kM}, seconds(5), {spartan, boot_master}, native_start(),
                      "mesos-dns.started", "mesos-dns"));
  u.push_back(service("dcos-marathon", {kM}, seconds(15), {leader, boot_master}, jvm_start(),
                      "marathon.started", "marathon"));
  UnitDef cockroach = service("dcos-cockroach", {kM}, seconds(5), {boot_master}, native_start());
  cockroach.after = {"dcos-exhibitor"};
  u.push_back(cockroach);
  UnitDef bouncer =
      service("dcos-bouncer", {kM}, seconds(20), {boot_master}, native_start(), "auth.started");
  bouncer.after = {"dcos-cockroach"};
  u.push_back(bouncer);
  UnitDef ar = service("dcos-adminrouter", {kM}, seconds(5),
                       {gate("bootstrap", "zk-mode"), gate("http", "bouncer-jwks"), spartan,
                        gate("ping", "marathon.mesos"), leader},
                       native_start(), "adminrouter.started", "adminrouter");
  ar.after = {"dcos-bouncer"};
  u.push_back(ar);
  u.push_back(service("dcos-telegraf", {kM}, seconds(5), {leader, boot_master}, native_start()));
  u.push_back(service("dcos-history", {kM}, seconds(5), {leader, boot_master}, native_start(),
                      "history.started"));
  u.push_back(service("dcos-diagnostics", {kM}, seconds(5), {boot_master}, native_start(),
                      "diagnostics.started"));
  u.push_back(service("dcos-cosmos", {kM}, seconds(15), {leader, boot_master}, jvm_start()));
  u.push_back(
      service("dcos-metronome", {kM}, seconds(15), {clock, leader, boot_master}, jvm_start()));
  u.push_back(service(
      "dcos-telegraf-agent", {kA, kP}, seconds(5),
      {gate("ping", "leader.mesos", "agent.leader_pingable"), gate("bootstrap", "cluster-id-read")},
      native_start(), "", "telegraf"));
  u.push_back(service("dcos-mesos-slave", {kA}, seconds(5),
                      {spartan, gate("socket", "telegraf"), gate("bootstrap", "noop")},
                      native_start(), "agent.started", "mesos-agent"));
  u.push_back(service("dcos-mesos-slave-public", {kP}, seconds(5),
                      {spartan, gate("socket", "telegraf"), gate("bootstrap", "noop")},
                      native_start(), "agent.started", "mesos-agent"));
  u.push_back(
      service("dcos-adminrouter-agent", {kA, kP}, seconds(5), {spartan, leader}, native_start()));
  u.push_back(service("dcos-rexray", {kA, kP}, seconds(15), {}, native_start()));
  for (UnitDef& d : u) {
    if (d.source.empty()) d.source = src;
  }
  return p;
}

}  // namespace

std::vector<std::string> builtin_profile_names() {
  return {"dcos-1.9", "dcos-2.3"};
}

std::optional<Profile> builtin_profile(std::string_view name) {
  if (name == "dcos-1.9") return dcos_1_9();
  if (name == "dcos-2.3") return dcos_2_3();
  return std::nullopt;
}

}  // namespace bootsim::models
