#include "models/dns/stub_resolver.hpp"

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "models/dns/dns_wire.hpp"
#include "models/dns/resolv_conf.hpp"
#include "sim/request.hpp"

namespace bootsim::models {

namespace {

// One getaddrinfo() call in flight: res_send's loop state.
struct Lookup {
  RunContext* ctx;
  sim::ProcessId from;
  std::string name;
  std::shared_ptr<const ResolvConf> conf;
  std::optional<sim::RecordId> conf_cause;
  std::function<void(Resolution)> done;
  int attempt = 0;
  std::size_t shift = 0;  // ns_shift of __res_context_send
  std::size_t offset = 0;
  std::string servfail{};  // the last SERVFAIL, naming its hop
};
using LookupPtr = std::shared_ptr<Lookup>;

void step(const LookupPtr& l);

// send_dg's wait for server `ns`: (retrans << ns) / nscount seconds for ns > 0, at least 1.
sim::SimTime wait_for(const ResolvConf& conf, std::size_t ns) {
  long long seconds = static_cast<long long>(conf.timeout_s) << ns;
  if (ns > 0) seconds /= static_cast<long long>(conf.nameservers.size());
  return sim::seconds(std::max(1LL, seconds));
}

void finish(const LookupPtr& l, Resolution r) {
  r.name = l->name;
  r.cause = RunContext::later(r.cause, l->conf_cause);
  l->done(std::move(r));
}

void next_server(const LookupPtr& l) {
  if (++l->shift == l->conf->nameservers.size()) {
    l->shift = 0;
    ++l->attempt;
  }
  step(l);
}

void on_answer(const LookupPtr& l, const sim::Message& m) {
  const auto* resp = m ? sim::message_as<dns::Response>(m) : nullptr;
  if (resp == nullptr) return next_server(l);  // timed out
  if (resp->rcode == dns::Rcode::kServFail) {
    l->servfail = resp->by;
    return next_server(l);
  }
  Resolution r;
  r.ok = resp->rcode == dns::Rcode::kNoError && !resp->hosts.empty();
  r.hosts = resp->hosts;
  r.ttl = resp->ttl;
  r.cause = resp->cause;
  if (!r.ok) r.failure = fmt::format("{}: {}", resp->by, dns::to_string(resp->rcode));
  finish(l, std::move(r));
}

void step(const LookupPtr& l) {
  const std::size_t n = l->conf->nameservers.size();
  if (n == 0 || l->attempt >= l->conf->attempts) {
    Resolution r;
    r.failure = !l->servfail.empty() ? l->servfail
                                     : fmt::format("no answer from {} ({} x {}, timeout:{})",
                                                   fmt::join(l->conf->nameservers, ", "),
                                                   l->conf->attempts, n, l->conf->timeout_s);
    return finish(l, std::move(r));
  }
  const std::size_t ns = (l->shift + l->offset) % n;
  const std::string& server = l->conf->nameservers[ns];
  sim::Network& net = l->ctx->network();
  if (!is_spartan_address(server)) {
    net.after(l->from, kOutsideRoundTrip, [l, ns] {
      auto resp = std::make_shared<dns::Response>();
      resp->rcode = dns::Rcode::kNxDomain;
      resp->by = fmt::format("upstream resolver {} (resolv.conf not pointing at Spartan)",
                             l->conf->nameservers[ns]);
      on_answer(l, resp);
    });
    return;
  }
  sim::request(net, l->from, {net.node_of(l->from), dns::kSpartanPort},
               std::make_shared<dns::Query>(l->name), wait_for(*l->conf, ns),
               [l](sim::Message answer) { on_answer(l, answer); });
}

}  // namespace

void resolve(RunContext& ctx, sim::ProcessId from, std::string name,
             std::function<void(Resolution)> done) {
  const HostStore& host = ctx.host(ctx.network().node_of(from));
  auto l = std::make_shared<Lookup>(Lookup{&ctx, from, std::move(name), read_resolv_conf(host),
                                           host.cause(host_path::kResolvConf), std::move(done)});
  // RES_ROTATE: each lookup of a process starts one server further. A lookup here is one
  // process's first (ping, a probe), so the offset is that of a fresh resolver state: 0.
  step(l);
}

void resolve_at(RunContext& ctx, sim::ProcessId from, std::string name, std::string server,
                std::function<void(Resolution)> done) {
  const HostStore& host = ctx.host(ctx.network().node_of(from));
  auto conf = std::make_shared<ResolvConf>(*read_resolv_conf(host));
  conf->nameservers = {std::move(server)};
  step(std::make_shared<Lookup>(Lookup{&ctx, from, std::move(name), std::move(conf),
                                       host.cause(host_path::kResolvConf), std::move(done)}));
}

void note_leader_lookup(RunContext& ctx, std::string_view node, const Resolution& r) {
  LeaderLookup entry{ctx.now(), std::string(node), std::nullopt, r.failure};
  if (r.ok) entry.leader = r.hosts.front();
  if (ctx.shared<LookupLog>().add(std::move(entry))) {
    ctx.milestone(node, "dns-proxy.leader_resolvable",
                  fmt::format("leader.mesos -> {}", r.hosts.front()), r.cause);
  }
}

}  // namespace bootsim::models
