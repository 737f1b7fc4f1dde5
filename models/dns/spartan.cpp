#include "models/dns/spartan.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "models/core/run_context.hpp"
#include "models/dns/stub_resolver.hpp"
#include "sim/request.hpp"

namespace bootsim::models {

namespace {
// include/spartan.hrl: the TTL of the zones Spartan serves itself.
constexpr sim::SimTime kLocalTtl = sim::seconds(5);
// exometer spiral "one": failures counted over the last minute.
constexpr sim::SimTime kFailureWindow = sim::minutes(1);
// spartan_watchdog.erl: REFRESH_INTERVAL 15 s, 5 tries of 5 s, kill after 2 x 15 s.
constexpr sim::SimTime kWatchdogInterval = sim::seconds(15);
constexpr sim::SimTime kWatchdogQueryTimeout = sim::seconds(5);
constexpr int kWatchdogTries = 5;
constexpr sim::SimTime kWatchdogKillAfter = kWatchdogInterval * 2;
constexpr int kZkRecords = 5;  // zk-1.zk .. zk-5.zk
}  // namespace

// One forwarded query (a spartan_handler_fsm process).
struct Spartan::Forward {
  sim::Address client;
  std::string name;
  std::vector<std::size_t> upstreams;
  bool replied = false;
};

void Spartan::on_ready() {
  started_ = control_->mark_started("answers ready.spartan");
  if (!started_) return;
  ctx_.network().bind(process_, dns::kSpartanPort,
                      [this](sim::Address from, const sim::Message& m) {
                        if (const auto* q = sim::message_as<dns::Query>(m)) on_query(from, *q);
                      });
  schedule_kill();
  ctx_.network().after(process_, kWatchdogInterval, [this] { watchdog_check(kWatchdogTries); });
}

void Spartan::on_exit() {
  started_.reset();
  failures_.clear();
}

void Spartan::on_query(sim::Address client, const dns::Query& q) {
  if (q.name.ends_with(".mesos")) return forward(client, q.name);
  reply(client, local_answer(q.name));
}

void Spartan::reply(sim::Address client, std::shared_ptr<dns::Response> r) const {
  ctx_.network().send_datagram(process_, dns::kSpartanPort, client, std::move(r));
}

std::shared_ptr<dns::Response> Spartan::local_answer(const std::string& name) const {
  auto r = std::make_shared<dns::Response>();
  r->name = name;
  r->ttl = kLocalTtl;
  r->by = "spartan on " + std::string(site_->node_name);
  r->cause = started_;
  const auto& masters = ctx_.topology().masters;
  if (name == "ready.spartan") {
    r->hosts = {std::string(dns::kLoopback)};
    return r;
  }
  for (int i = 1; i <= kZkRecords && !masters.empty(); ++i) {
    if (name == fmt::format("zk-{}.zk", i)) {
      r->hosts = {masters[static_cast<std::size_t>(i - 1) % masters.size()].name};
      return r;
    }
  }
  r->rcode = dns::Rcode::kNxDomain;
  r->by =
      "spartan on " + std::string(site_->node_name) + " (an upstream resolver outside the cluster)";
  return r;
}

// spartan_handler_fsm: ask two upstreams at once, the first reply wins.
void Spartan::forward(sim::Address client, const std::string& name) {
  auto f = std::make_shared<Forward>(Forward{client, name, take_upstreams()});
  sim::Network& net = ctx_.network();
  const auto& masters = ctx_.topology().masters;
  for (const std::size_t u : f->upstreams) {
    sim::request(net, process_, {masters[u].node, dns::kMesosDnsPort},
                 std::make_shared<dns::Query>(name),
                 ctx_.params().duration("dns-proxy.upstream_timeout"),
                 [this, f, u](sim::Message answer) { on_upstream_answer(f, u, answer); });
  }
  net.after(process_, ctx_.params().duration("dns-proxy.query_timeout"), [this, f] {
    if (f->replied) return;
    f->replied = true;
    auto r = std::make_shared<dns::Response>();
    r->name = f->name;
    r->rcode = dns::Rcode::kServFail;
    std::vector<std::string> asked;
    for (const std::size_t u : f->upstreams) asked.push_back(ctx_.topology().masters[u].name);
    r->by =
        fmt::format("spartan on {}: no Mesos-DNS answered within {} (asked {})", site_->node_name,
                    sim::format_duration(ctx_.params().duration("dns-proxy.query_timeout")),
                    fmt::join(asked, ", "));
    ctx_.shared<LookupLog>().add_hop_failure(std::string(site_->node_name), {ctx_.now(), r->by});
    reply(f->client, std::move(r));
  });
}

void Spartan::on_upstream_answer(const std::shared_ptr<Forward>& f, std::size_t upstream,
                                 const sim::Message& answer) {
  const auto* resp = answer ? sim::message_as<dns::Response>(answer) : nullptr;
  if (resp == nullptr) {
    failures_[upstream].push_back(ctx_.now());
    // Typed, so that reports can say which lookups waited on which upstream (why.hpp).
    const sim::SimTime timeout = ctx_.params().duration("dns-proxy.upstream_timeout");
    const std::string& master = ctx_.topology().masters[upstream].name;
    ctx_.typed_event(sim::RecordType::kPlain, site_->node_name, "spartan", "upstream_timeout",
                     fmt::format("{}: Mesos-DNS on {} did not answer within {}", f->name, master,
                                 sim::format_duration(timeout)),
                     {sim::arg_text("name", f->name), sim::arg_text("upstream", master),
                      sim::arg_duration("timeout", timeout)});
    return;
  }
  if (f->replied) return;
  f->replied = true;
  reply(f->client, std::make_shared<dns::Response>(*resp));
}

std::size_t Spartan::recent_failures(std::size_t upstream) {
  std::vector<sim::SimTime>& times = failures_[upstream];
  std::erase_if(times, [&](sim::SimTime t) { return t + kFailureWindow <= ctx_.now(); });
  return times.size();
}

// take_upstreams/choose2: bucket the masters by recent failures; two from the lowest bucket,
// or from the two lowest when the lowest has two or fewer; drawn at random, up to 10 tries to
// draw two different ones (after which a duplicate is possible, as in Spartan).
std::vector<std::size_t> Spartan::take_upstreams() {
  const std::size_t n = ctx_.topology().masters.size();
  std::vector<std::size_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = i;
  if (n <= 2) return all;
  std::map<std::size_t, std::vector<std::size_t>> buckets;
  for (const std::size_t i : all) buckets[recent_failures(i)].push_back(i);
  std::vector<std::size_t> pool = buckets.begin()->second;
  if (buckets.size() > 1 && pool.size() <= 2) {
    const auto& second = std::next(buckets.begin())->second;
    pool.insert(pool.end(), second.begin(), second.end());
  }
  if (pool.size() <= 2) return pool;
  // The incarnation's stream (its first draw was the start time).
  std::size_t a = 0, b = 0;
  for (int tries = 0; tries <= 10 && a == b; ++tries) {
    a = rng_->uniform_index(pool.size());
    b = rng_->uniform_index(pool.size());
  }
  return {pool[a], pool[b]};
}

void Spartan::schedule_kill() {
  ctx_.network().cancel(kill_timer_);
  kill_timer_ = ctx_.network().after(process_, kWatchdogKillAfter, [this] {
    control_->exit("spartan_watchdog: no health check passed for 30s, kill -9");
  });
}

// spartan_watchdog: a UDP query of ready.spartan to itself; a pass re-arms the kill timer.
void Spartan::watchdog_check(int tries_left) {
  if (tries_left == 0) return;
  sim::request(ctx_.network(), process_, {site_->node, dns::kSpartanPort},
               std::make_shared<dns::Query>("ready.spartan"), kWatchdogQueryTimeout,
               [this, tries_left](sim::Message answer) {
                 if (!answer) return watchdog_check(tries_left - 1);
                 schedule_kill();
                 ctx_.network().after(process_, kWatchdogInterval,
                                      [this] { watchdog_check(kWatchdogTries); });
               });
}

}  // namespace bootsim::models
