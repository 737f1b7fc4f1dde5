#include "models/core/parameters.hpp"

#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

using bootsim::models::find_param;
using bootsim::models::is_parameter_key;
using bootsim::models::parameter_table;
using bootsim::models::Parameters;
using bootsim::models::ParamType;
namespace sim = bootsim::sim;

namespace {

// set() that must fail; returns its message.
std::string set_error(Parameters& p, std::string_view key, std::string_view value) {
  std::string error;
  REQUIRE_FALSE(p.set(key, value, error));
  return error;
}

}  // namespace

TEST_CASE("parameter table is sorted, documented and its defaults parse", "[parameters]") {
  const auto table = parameter_table();
  REQUIRE(table.size() >= 30);
  for (std::size_t i = 0; i < table.size(); ++i) {
    INFO(table[i].key);
    if (i > 0) CHECK(table[i - 1].key < table[i].key);
    CHECK_FALSE(table[i].source.empty());
    CHECK_FALSE(table[i].description.empty());
    CHECK(find_param(table[i].key) == &table[i]);
    // The default is in the form set() accepts.
    Parameters p;
    std::string error;
    CHECK(p.set(table[i].key, table[i].default_value, error));
    CHECK(error.empty());
  }
  CHECK(find_param("zookeeper.tickTme") == nullptr);
}

TEST_CASE("parameters start at their real defaults", "[parameters]") {
  const Parameters p;
  CHECK(p.integer("cluster.masters") == 3);
  CHECK(p.integer("cluster.agents.private") == 10);
  CHECK(p.integer("cluster.agents.public") == 1);
  CHECK(p.duration("zookeeper.tickTime") == sim::seconds(2));
  CHECK(p.integer("zookeeper.initLimit") == 10);
  CHECK(p.integer("zookeeper.syncLimit") == 5);
  CHECK(p.duration("zookeeper.finalizeWait") == sim::milliseconds(200));
  CHECK(p.duration("zookeeper.maxNotificationInterval") == sim::seconds(60));
  CHECK(p.duration("zookeeper.cnxTimeout") == sim::seconds(5));
  CHECK(p.duration("zookeeper.setup_before_looking") == sim::milliseconds(300));
  CHECK(p.duration("exhibitor.check-ms") == sim::seconds(30));
  CHECK(p.duration("mesos-master.zk_session_timeout") == sim::seconds(10));
  CHECK(p.duration("mesos-master.allocation_interval") == sim::seconds(1));
  CHECK(p.duration("mesos-master.offer_timeout") == sim::minutes(2));
  CHECK(p.duration("mesos-master.agent_ping_timeout") == sim::seconds(15));
  CHECK(p.integer("mesos-master.max_agent_ping_timeouts") == 20);
  CHECK(p.duration("mesos-master.registry_fetch_timeout") == sim::seconds(60));
  CHECK(p.duration("mesos-master.registry_store_timeout") == sim::seconds(60));
  CHECK(p.duration("mesos-master.log_recover_retry") == sim::seconds(10));
  CHECK(p.duration("mesos-agent.registration_backoff_factor") == sim::seconds(1));
  CHECK(p.duration("mesos-agent.max_registration_backoff") == sim::minutes(1));
  CHECK(p.duration("mesos-dns.refreshSeconds") == sim::seconds(30));
  CHECK(p.duration("mesos-dns.ttl") == sim::seconds(60));
  CHECK(p.duration("mesos-dns.zkDetectionTimeout") == sim::seconds(30));
  CHECK(p.duration("mesos-dns.stateTimeoutSeconds") == sim::seconds(300));
  CHECK(p.duration("marathon.decline_offer_duration") == sim::seconds(300));
  CHECK(p.duration("marathon.zk_session_timeout") == sim::seconds(10));
  CHECK(p.duration("scheduler.registration_backoff_factor") == sim::seconds(2));
  CHECK(p.duration("scheduler.max_registration_backoff") == sim::minutes(1));
  CHECK(p.duration("resolvconf.OnBootSec") == sim::seconds(5));
  CHECK(p.duration("resolvconf.OnUnitActiveSec") == sim::minutes(1));
  CHECK(p.duration("bootstrap.kazoo_timeout") == sim::seconds(15));
  CHECK(p.probability("network.loss") == 0.0);

  const sim::Distribution latency = p.distribution("network.latency");
  const auto* ln = std::get_if<sim::Distribution::LogNormal>(&latency.form());
  REQUIRE(ln != nullptr);
  CHECK(ln->median == sim::microseconds(250));
  CHECK(ln->p99 == sim::milliseconds(2));
  CHECK(p.distribution("network.loopback_latency").is_constant());
  CHECK(p.distribution("zookeeper.server_start").mean() > sim::milliseconds(280));

  CHECK(p.overrides().empty());
  CHECK_FALSE(p.is_overridden("zookeeper.tickTime"));
  CHECK(p.units_mentioned().empty());
  CHECK(p.text("zookeeper.tickTime") == "2s");
  CHECK_FALSE(p.text("no.such.key").has_value());
}

TEST_CASE("set changes a value and records the override", "[parameters]") {
  Parameters p;
  std::string error;
  REQUIRE(p.set("zookeeper.tickTime", "500ms", error));
  REQUIRE(p.set("cluster.agents.private", "2000", error));
  REQUIRE(p.set("network.latency", "uniform(100us, 1ms)", error));
  REQUIRE(p.set("network.loss", "0.25", error));
  REQUIRE(p.set("  mesos-dns.refreshSeconds ", " 1m30s ", error));  // trimmed
  CHECK(p.duration("zookeeper.tickTime") == sim::milliseconds(500));
  CHECK(p.integer("cluster.agents.private") == 2000);
  CHECK(
      std::holds_alternative<sim::Distribution::Uniform>(p.distribution("network.latency").form()));
  CHECK(p.probability("network.loss") == 0.25);
  CHECK(p.duration("mesos-dns.refreshSeconds") == sim::seconds(90));
  CHECK(p.is_overridden("zookeeper.tickTime"));
  CHECK_FALSE(p.is_overridden("zookeeper.initLimit"));
  CHECK(p.text("mesos-dns.refreshSeconds") == "1m30s");

  // The last set wins; overrides are sorted by key and keep the text as given.
  REQUIRE(p.set("zookeeper.tickTime", "3s", error));
  using KV = std::pair<std::string, std::string>;
  CHECK(p.overrides() == std::vector<KV>{{"cluster.agents.private", "2000"},
                                         {"mesos-dns.refreshSeconds", "1m30s"},
                                         {"network.latency", "uniform(100us, 1ms)"},
                                         {"network.loss", "0.25"},
                                         {"zookeeper.tickTime", "3s"}});
}

TEST_CASE("unit keys take any plausible unit name", "[parameters]") {
  Parameters p;
  std::string error;
  REQUIRE(p.set("units.dcos-mesos-master.start", "lognormal(median=2s, p99=6s)", error));
  REQUIRE(p.set("units.dcos-mesos-master.restart_sec", "15s", error));
  REQUIRE(p.set("units.dcos-gen-resolvconf.timer.restart_sec", "1s", error));  // dots in names
  REQUIRE(p.set("units.dcos-exhibitor.start", "3s", error));
  CHECK(p.unit_restart_sec("dcos-mesos-master") == sim::seconds(15));
  CHECK(p.unit_restart_sec("dcos-gen-resolvconf.timer") == sim::seconds(1));
  CHECK_FALSE(p.unit_restart_sec("dcos-exhibitor").has_value());
  REQUIRE(p.unit_start("dcos-exhibitor").has_value());
  CHECK(p.unit_start("dcos-exhibitor")->is_constant());
  CHECK_FALSE(p.unit_start("dcos-marathon").has_value());
  CHECK(p.units_mentioned() == std::vector<std::string>{"dcos-exhibitor",
                                                        "dcos-gen-resolvconf.timer",
                                                        "dcos-mesos-master"});
  CHECK(p.is_overridden("units.dcos-mesos-master.start"));
  CHECK(is_parameter_key("units.dcos-mesos-master.start"));
  CHECK_FALSE(is_parameter_key("units.bad name.start"));
  CHECK_FALSE(is_parameter_key("units.x.stop"));

  CHECK(set_error(p, "units.dcos-mesos-master.strat", "2s") ==
        "unknown parameter 'units.dcos-mesos-master.strat' (did you mean "
        "'units.dcos-mesos-master.start'?)");
  CHECK(set_error(p, "units.x", "2s") ==
        "unknown parameter 'units.x' (a unit takes units.<unit>.start or "
        "units.<unit>.restart_sec)");
  CHECK(set_error(p, "units.bad name.start", "2s") ==
        "units.bad name.start: 'bad name' is not a plausible unit name");
  CHECK(set_error(p, "units.dcos-mesos-master.restart_sec", "0s") ==
        "units.dcos-mesos-master.restart_sec must be positive, got '0s'");
  CHECK(set_error(p, "units.dcos-mesos-master.start", "fast") ==
        "units.dcos-mesos-master.start: malformed distribution 'fast': expected a duration "
        "(e.g. 250ms, 2s, 1m30s) or a form such as uniform(1s, 2s)");
}

TEST_CASE("unknown keys get a suggestion", "[parameters]") {
  Parameters p;
  CHECK(set_error(p, "zookeeper.tickTme", "2s") ==
        "unknown parameter 'zookeeper.tickTme' (did you mean 'zookeeper.tickTime'?)");
  CHECK(set_error(p, "zookeeper.ticktime", "2s") ==
        "unknown parameter 'zookeeper.ticktime' (did you mean 'zookeeper.tickTime'?)");
  CHECK(set_error(p, "mesos-dns.refresh_seconds", "2s") ==
        "unknown parameter 'mesos-dns.refresh_seconds' (did you mean 'mesos-dns.refreshSeconds'?)");
  CHECK(set_error(p, "mesos-dns.interval", "2s") == "unknown parameter 'mesos-dns.interval'");
  CHECK(set_error(p, "cluster.master", "3") ==
        "unknown parameter 'cluster.master' (did you mean 'cluster.masters'?)");
  CHECK(set_error(p, "", "3") == "empty parameter name");
}

TEST_CASE("values are validated by type", "[parameters]") {
  Parameters p;
  CHECK(set_error(p, "zookeeper.tickTime", "abc") ==
        "zookeeper.tickTime: malformed duration 'abc' (expected e.g. 250ms, 2s, 1m30s)");
  CHECK(set_error(p, "zookeeper.tickTime", "2") ==
        "zookeeper.tickTime: malformed duration '2' (expected e.g. 250ms, 2s, 1m30s)");
  CHECK(set_error(p, "zookeeper.tickTime", "-2s") ==
        "zookeeper.tickTime must not be negative, got '-2s'");
  CHECK(set_error(p, "zookeeper.tickTime", "0") == "zookeeper.tickTime must be positive, got '0'");
  CHECK(set_error(p, "zookeeper.tickTime", "inf") ==
        "zookeeper.tickTime must be a finite duration, got 'inf'");
  CHECK(set_error(p, "zookeeper.tickTime", "") == "zookeeper.tickTime: missing value");
  CHECK(set_error(p, "zookeeper.initLimit", "ten") ==
        "zookeeper.initLimit: expected an integer, got 'ten'");
  CHECK(set_error(p, "zookeeper.initLimit", "1.5") ==
        "zookeeper.initLimit: expected an integer, got '1.5'");
  CHECK(set_error(p, "zookeeper.initLimit", "0") == "zookeeper.initLimit must be positive, got 0");
  CHECK(set_error(p, "cluster.agents.public", "-1") ==
        "cluster.agents.public must not be negative, got -1");
  CHECK(set_error(p, "cluster.agents.private", "99999999999999999999") ==
        "cluster.agents.private must be at most 1000000, got '99999999999999999999'");
  CHECK(set_error(p, "network.loss", "1.5") == "network.loss must be between 0 and 1, got '1.5'");
  CHECK(set_error(p, "network.loss", "nan") == "network.loss must be between 0 and 1, got 'nan'");
  CHECK(set_error(p, "network.loss", "lots") ==
        "network.loss: expected a probability between 0 and 1, got 'lots'");
  CHECK(set_error(p, "network.latency", "lognormal(median=1s)") ==
        "network.latency: malformed distribution 'lognormal(median=1s)': "
        "lognormal(median=D, p99=D) is missing 'p99='");
  // Non-printable input is escaped in messages.
  CHECK(set_error(p, "zookeeper.tickTime", "\x01\xff") ==
        "zookeeper.tickTime: malformed duration '\\x01\\xff' (expected e.g. 250ms, 2s, 1m30s)");

  // Zero where it is meaningful.
  std::string error;
  CHECK(p.set("cluster.agents.private", "0", error));
  CHECK(p.set("resolvconf.OnBootSec", "0", error));
  CHECK(p.set("network.loss", "1", error));

  // A failed set leaves the value as it was.
  CHECK(p.duration("zookeeper.tickTime") == sim::seconds(2));
  CHECK_FALSE(p.is_overridden("zookeeper.tickTime"));
}

TEST_CASE("cluster.masters takes only the counts DC/OS accepts", "[parameters]") {
  Parameters p;
  std::string error;
  for (const char* ok : {"1", "3", "5", "7", "9"}) CHECK(p.set("cluster.masters", ok, error));
  CHECK(set_error(p, "cluster.masters", "0") == "cluster.masters must be positive, got 0");
  CHECK(set_error(p, "cluster.masters", "-3") == "cluster.masters must be positive, got -3");
  CHECK(set_error(p, "cluster.masters", "4") ==
        "cluster.masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got 4");
  CHECK(set_error(p, "cluster.masters", "11") ==
        "cluster.masters: DC/OS accepts 1, 3, 5, 7 or 9 masters, got 11");
  CHECK(set_error(p, "cluster.masters", "three") ==
        "cluster.masters: expected an integer, got 'three'");
  CHECK(p.integer("cluster.masters") == 9);
}

TEST_CASE("a value whose product with another overflows the horizon is refused", "[parameters]") {
  // 2 x tickTime x max(initLimit, syncLimit) must fit in the simulated-time horizon, whichever
  // of the three is set last; the refused value leaves the parameters unchanged.
  Parameters p;
  CHECK(set_error(p, "zookeeper.initLimit", "2305843009213693952") ==
        "zookeeper.initLimit: 2305843009213693952 makes 2 x zookeeper.tickTime x "
        "max(zookeeper.initLimit, zookeeper.syncLimit) longer than the simulated-time horizon "
        "(about 292 years)");
  CHECK(p.integer("zookeeper.initLimit") == 10);
  CHECK_FALSE(p.is_overridden("zookeeper.initLimit"));
  // 2 x 2s x 2305843009 = 9.2e18 ns: just inside.
  std::string error;
  CHECK(p.set("zookeeper.syncLimit", "2305843009", error));
  CHECK(set_error(p, "zookeeper.tickTime", "3s") ==
        "zookeeper.tickTime: 3s makes 2 x zookeeper.tickTime x max(zookeeper.initLimit, "
        "zookeeper.syncLimit) longer than the simulated-time horizon (about 292 years)");
  CHECK(p.duration("zookeeper.tickTime") == sim::seconds(2));
  CHECK(p.set("zookeeper.tickTime", "1ns", error));
  CHECK(p.set("zookeeper.initLimit", "4611686018427387903", error));
  CHECK(set_error(p, "mesos-master.max_agent_ping_timeouts", "9223372036854775807")
            .starts_with(
                "mesos-master.max_agent_ping_timeouts: 9223372036854775807 makes "
                "mesos-master.agent_ping_timeout x mesos-master.max_agent_ping_timeouts longer"));
}
