#include "models/dcos/exec_start_pre.hpp"

#include "models/core/host_store.hpp"
#include "models/core/run_context.hpp"

namespace bootsim::models {

namespace {

// A probe of something on the same host answers within about a millisecond.
constexpr sim::SimTime kLocalProbe = sim::milliseconds(1);

// `test -f`, `test -S`, `curl --fail`: an entry of the host's store (a file, a socket a live
// process serves), checked at once.
class HostEntryGate final : public Gate {
 public:
  HostEntryGate(RunContext& ctx, std::string text, std::string entry, std::string what)
      : Gate(ctx), text_(std::move(text)), entry_(std::move(entry)), what_(std::move(what)) {}
  std::string_view name() const override { return text_; }
  void probe(const UnitSite& site, std::function<void(GateResult)> done) override {
    const auto c = ctx_.host(site.node).cause(entry_);
    answer_after(site, kLocalProbe, std::move(done),
                 c ? GateResult{true, {}, c} : GateResult{false, what_, std::nullopt});
  }

 private:
  std::string text_, entry_, what_;
};

// `check-time` (dcos/dcos packages/dcos-check-time: adjtimex must report the clock
// synchronised): fails while the host's store holds host_path::kClockUnsynchronised, the
// entry a clock-skew fault writes (none does yet: the fault catalogue brings it); passes
// otherwise. dcos-facts.md §4 shows what an unsynchronised clock costs.
class CheckTimeGate final : public Gate {
 public:
  explicit CheckTimeGate(RunContext& ctx) : Gate(ctx) {}
  std::string_view name() const override { return "check-time"; }
  void probe(const UnitSite& site, std::function<void(GateResult)> done) override {
    const HostEntry* unsync = ctx_.host(site.node).find(host_path::kClockUnsynchronised);
    answer_after(
        site, kLocalProbe, std::move(done),
        unsync == nullptr
            ? GateResult{true, {}, std::nullopt}
            : GateResult{false, "adjtimex: clock not synchronised (offset " + unsync->content + ")",
                         std::nullopt});
  }
};

}  // namespace

std::unique_ptr<Gate> make_dcos_local_gate(RunContext& ctx, const GateDef& def) {
  if (def.kind == "file" && def.arg == "cluster-id") {
    return std::make_unique<HostEntryGate>(ctx, "test -f /var/lib/dcos/cluster-id",
                                           std::string(host_path::kClusterId),
                                           "/var/lib/dcos/cluster-id: no such file");
  }
  if (def.kind == "http" && def.arg == "oauth") {
    return std::make_unique<HostEntryGate>(ctx, "curl --fail 127.0.0.1:8101/acs/api/v1/groups",
                                           host_path::listening("dcos-oauth"),
                                           "connection refused");
  }
  if (def.kind == "http" && def.arg == "bouncer-jwks") {
    return std::make_unique<HostEntryGate>(ctx, "GET 127.0.0.1:8101/acs/api/v1/auth/jwks",
                                           host_path::listening("dcos-bouncer"),
                                           "connection refused");
  }
  if (def.kind == "socket" && def.arg == "telegraf") {
    return std::make_unique<HostEntryGate>(ctx, "test -S /run/dcos/telegraf/dcos_statsd.sock",
                                           std::string(host_path::kTelegrafSocket), "no socket");
  }
  if (def.kind == "check-time") return std::make_unique<CheckTimeGate>(ctx);
  return nullptr;
}

}  // namespace bootsim::models
