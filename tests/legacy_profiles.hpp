// The built-in profiles as C++ built them before they became YAML files (models/dcos/profiles.cpp
// and the rules of models/run/rules.cpp at commit b9215e7), kept as the expectation that the
// YAML profiles are checked against field by field (tests/profile_test.cpp). Changed since only
// where the profile was completed on purpose (issue 8, the complete 1.9 profile): dcos-oauth's
// auth-token-secret consensus, navstar's second bootstrap (minuteman), the agents' zk-N.zk
// sessions, dcos-log-*, dcos-pkgpanda-api and dcos-signal.
#pragma once

#include <string>
#include <vector>

#include "models/systemd/profile.hpp"

namespace bootsim::models::legacy {

using sim::Distribution;
using sim::milliseconds;
using sim::seconds;

inline constexpr Role kM = Role::kMaster;
inline constexpr Role kA = Role::kPrivateAgent;
inline constexpr Role kP = Role::kPublicAgent;

// Start times (exec → ready) have no published figures; these are assumptions a scenario can
// override with units.<unit>.start. JVMs take seconds, Go and C binaries well under one.
inline Distribution jvm_start() {
  return Distribution::lognormal(seconds(3), seconds(8));
}
inline Distribution erlang_start() {
  return Distribution::lognormal(seconds(1), seconds(3));
}
inline Distribution native_start() {
  return Distribution::lognormal(milliseconds(300), seconds(1));
}

inline GateDef gate(std::string kind, std::string arg = {}, std::string milestone = {}) {
  return GateDef{std::move(kind), std::move(arg), std::move(milestone)};
}

inline UnitDef service(std::string name, std::vector<Role> roles, sim::SimTime restart_sec,
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

inline UnitDef resolvconf_timer(std::string source) {
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

// A 1.9 timer unit and its oneshot model (dcos-spartan-watchdog, dcos-adminrouter-reload).
inline UnitDef timer(std::string name, std::vector<Role> roles, std::string process,
                     sim::SimTime on_boot_sec, sim::SimTime on_unit_active_sec) {
  UnitDef u;
  u.name = std::move(name);
  u.roles = std::move(roles);
  u.type = UnitType::kTimer;
  u.process = std::move(process);
  u.on_boot_sec = on_boot_sec;
  u.on_unit_active_sec = on_unit_active_sec;
  return u;
}

// DC/OS 1.9.0 (dcos/dcos tag 1.9.0): no After= anywhere; every master service that calls
// `bootstrap` waits for Exhibitor to report all N servers serving with exactly one leader.
inline Profile dcos_1_9() {
  Profile p;
  p.name = "dcos-1.9";
  p.description =
      "DC/OS 1.9.0: masters wait for every ZooKeeper to serve; agents ping leader.mesos";
  const GateDef boot_master = gate("bootstrap", "exhibitor-all-serving");
  const GateDef boot_spartan = gate("bootstrap", "zk-connect");
  const GateDef boot_agent = gate("bootstrap", "zk-hosts");
  const GateDef spartan = gate("ping", "ready.spartan");
  const GateDef leader = gate("ping", "leader.mesos");
  const std::string src = "dcos/dcos@1.9.0 packages/*/extra/*.service";
  auto& u = p.units;
  u.push_back(service("dcos-exhibitor", {kM}, seconds(5), {}, jvm_start(), "exhibitor.started",
                      "exhibitor"));
  u.push_back(service("dcos-spartan", {kM}, seconds(5), {boot_master}, erlang_start(),
                      "dns-proxy.started", "dns-proxy"));
  u.push_back(service("dcos-spartan-agent", {kA, kP}, seconds(5), {boot_spartan}, erlang_start(),
                      "dns-proxy.started", "dns-proxy"));
  u.push_back(resolvconf_timer(src));
  u.push_back(timer("dcos-spartan-watchdog", {kM, kA, kP}, "spartan-watchdog", seconds(5),
                    sim::minutes(2)));
  u.push_back(service("dcos-mesos-master", {kM}, seconds(15), {spartan, boot_master},
                      native_start(), "mesos-master.started", "mesos-master"));
  u.push_back(service("dcos-mesos-dns", {kM}, seconds(5), {spartan, boot_master}, native_start(),
                      "mesos-dns.started", "mesos-dns"));
  u.push_back(service("dcos-marathon", {kM}, seconds(15), {leader, boot_master}, jvm_start(),
                      "marathon.started", "marathon"));
  u.push_back(service("dcos-oauth", {kM}, seconds(5),
                      {gate("bootstrap", "exhibitor-all-serving+auth-token-secret")},
                      native_start(), "auth.started"));
  // dcos-metrics-master's bootstrap creates /cluster-id, which Admin Router waits for.
  u.push_back(
      service("dcos-metrics-master", {kM}, seconds(5),
              {gate("bootstrap", "exhibitor-all-serving+cluster-id"), gate("file", "cluster-id")},
              native_start()));
  u.push_back(service("dcos-adminrouter", {kM}, seconds(5),
                      {spartan, gate("ping", "marathon.mesos"), leader, gate("file", "cluster-id"),
                       gate("http", "oauth")},
                      native_start(), "adminrouter.started", "adminrouter-upstream"));
  u.push_back(
      timer("dcos-adminrouter-reload", {kM}, "adminrouter-reload", seconds(5), seconds(30)));
  u.push_back(service("dcos-history", {kM}, seconds(5), {leader, boot_master}, native_start(),
                      "history.started"));
  u.push_back(
      service("dcos-3dt", {kM}, seconds(5), {boot_master}, native_start(), "diagnostics.started"));
  u.push_back(service("dcos-navstar", {kM}, seconds(5),
                      {gate("check-time"), spartan, boot_master, boot_master}, erlang_start()));
  u.push_back(
      service("dcos-cosmos", {kM}, seconds(15), {leader, boot_master}, jvm_start(), "", "cosmos"));
  u.push_back(service("dcos-metronome", {kM}, seconds(15),
                      {gate("check-time"), leader, boot_master}, jvm_start()));
  u.push_back(service("dcos-log-master", {kM}, seconds(5), {}, native_start()));
  u.push_back(service("dcos-pkgpanda-api", {kM, kA, kP}, seconds(5), {}, native_start()));
  UnitDef signal =
      service("dcos-signal", {kM, kA, kP}, seconds(20),
              {leader, gate("bootstrap", "by-role+cluster-id")}, native_start(), "", "dcos-signal");
  signal.wanted_by = {kM};
  signal.restart = RestartPolicy::kOnFailure;
  signal.on_calendar = sim::hours(1);
  u.push_back(signal);
  // Agents: 1.9.0–1.9.4 ping leader.mesos before mesos-agent (dropped in 1.9.5, dcos/dcos#1946).
  u.push_back(service("dcos-mesos-slave", {kA}, seconds(5),
                      {spartan, gate("ping", "leader.mesos", "agent.leader_pingable"), boot_agent},
                      native_start(), "agent.started", "mesos-agent"));
  u.push_back(service("dcos-mesos-slave-public", {kP}, seconds(5),
                      {spartan, gate("ping", "leader.mesos", "agent.leader_pingable"), boot_agent},
                      native_start(), "agent.started", "mesos-agent"));
  u.push_back(service("dcos-navstar-agent", {kA, kP}, seconds(5),
                      {gate("check-time"), spartan, boot_agent, boot_agent}, erlang_start()));
  u.push_back(service("dcos-metrics-agent", {kA, kP}, seconds(5),
                      {gate("bootstrap", "zk-hosts+cluster-id-read"), gate("file", "cluster-id")},
                      native_start()));
  u.push_back(service("dcos-adminrouter-agent", {kA, kP}, seconds(5), {spartan, leader},
                      native_start(), "", "adminrouter-agent"));
  u.push_back(timer("dcos-adminrouter-agent-reload", {kA, kP}, "adminrouter-reload", seconds(5),
                    seconds(30)));
  u.push_back(service("dcos-3dt-agent", {kA, kP}, seconds(5), {boot_agent}, native_start()));
  u.push_back(service("dcos-log-agent", {kA, kP}, seconds(5), {}, native_start()));
  u.push_back(service("dcos-rexray", {kA, kP}, seconds(15), {}, native_start()));
  for (UnitDef& d : u) {
    if (d.source.empty()) d.source = src;
  }
  return p;
}

// DC/OS 2.3-dev (dcos/dcos@79b9a39b): bootstrap waits for the local ZooKeeper's mode only;
// dcos-net replaces spartan and creates /cluster-id; agents wait for leader.mesos through the
// telegraf statsd socket; cockroach → bouncer → adminrouter are the only After= orderings.
inline Profile dcos_2_3() {
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
  u.push_back(
      service("dcos-cosmos", {kM}, seconds(15), {leader, boot_master}, jvm_start(), "", "cosmos"));
  u.push_back(
      service("dcos-metronome", {kM}, seconds(15), {clock, leader, boot_master}, jvm_start()));
  u.push_back(service(
      "dcos-telegraf-agent", {kA, kP}, seconds(5),
      {gate("ping", "leader.mesos", "agent.leader_pingable"), gate("bootstrap", "cluster-id-read")},
      native_start(), "", "telegraf"));
  u.push_back(service("dcos-log-master", {kM}, seconds(5), {}, native_start()));
  u.push_back(service("dcos-pkgpanda-api", {kM, kA, kP}, seconds(5), {}, native_start()));
  u.push_back(service("dcos-mesos-slave", {kA}, seconds(5),
                      {spartan, gate("socket", "telegraf"), gate("bootstrap", "noop")},
                      native_start(), "agent.started", "mesos-agent"));
  u.push_back(service("dcos-mesos-slave-public", {kP}, seconds(5),
                      {spartan, gate("socket", "telegraf"), gate("bootstrap", "noop")},
                      native_start(), "agent.started", "mesos-agent"));
  u.push_back(service("dcos-adminrouter-agent", {kA, kP}, seconds(5), {spartan, leader},
                      native_start(), "", "adminrouter-agent"));
  u.push_back(service("dcos-log-agent", {kA, kP}, seconds(5), {}, native_start()));
  u.push_back(service("dcos-rexray", {kA, kP}, seconds(15), {}, native_start()));
  for (UnitDef& d : u) {
    if (d.source.empty()) d.source = src;
  }
  return p;
}

// models/run/rules.cpp's builtin_rules(profile) at commit b9215e7.
inline std::vector<RuleSpec> builtin_rules(const std::string& profile) {
  std::vector<RuleSpec> rules;
  auto node = [&](std::string before, std::string after) {
    rules.push_back(RuleSpec{before + " < " + after, before, after, true, {}});
  };
  auto cluster = [&](std::string before, std::string after) {
    rules.push_back(RuleSpec{before + " < " + after + " (cluster)", before, after, false, {}});
  };
  // Masters, in the seed's order.
  node("exhibitor.started", "zookeeper.started");
  node("zookeeper.started", "zookeeper.serving");
  node("zookeeper.serving", "mesos-master.started");
  node("mesos-master.started", "mesos-master.contending");
  node("mesos-master.contending", "mesos-master.leading");
  node("zookeeper.serving", "mesos-dns.started");
  node("mesos-dns.started", "mesos-dns.leader_record");
  cluster("mesos-master.elected", "mesos-dns.leader_record");
  cluster("mesos-dns.leader_record", "marathon.started");
  node("dns-proxy.started", "adminrouter.started");
  cluster("mesos-master.leading", "adminrouter.started");
  cluster("mesos-dns.leader_record", "adminrouter.started");
  node("adminrouter.started", "ui.accessible");
  node("zookeeper.serving", "auth.started");
  cluster("mesos-dns.leader_record", "history.started");
  cluster("zookeeper.quorum", "mesos-master.elected");
  cluster("mesos-master.elected", "mesos-master.leading");
  // Every node.
  node("dns-proxy.started", "dns-proxy.leader_resolvable");
  cluster("mesos-dns.leader_record", "dns-proxy.leader_resolvable");
  // Agents.
  if (profile == "dcos-1.9") node("agent.leader_pingable", "agent.started");
  node("agent.started", "agent.detected_leader");
  node("agent.detected_leader", "agent.registered");
  cluster("mesos-master.leading", "agent.registered");
  node("agent.registered", "agent.connected_back");
  node("agent.connected_back", "agent.available");
  node("agent.available", "agent.visible_in_ui");
  // Services.
  node("scheduler.started", "scheduler.detected_leader");
  node("scheduler.detected_leader", "scheduler.registered");
  node("scheduler.registered", "scheduler.framework_id_stored");
  node("scheduler.registered", "scheduler.first_offer");
  node("scheduler.first_offer", "scheduler.first_task_running");
  cluster("marathon.started", "scheduler.started");
  return rules;
}

}  // namespace bootsim::models::legacy
