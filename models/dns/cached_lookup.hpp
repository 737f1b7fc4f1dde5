// CachedLookup: a client that keeps a name resolved and caches each answer for its TTL, as
// Admin Router's nginx does for leader.mesos (it re-resolves per TTL: dcos/adminrouter#50) and
// as a JVM with a bounded DNS cache does. Each lookup goes through the host's stub resolver;
// when the cached answer expires it looks up again; a failed lookup is retried after
// kRetryAfterFailure. Assumption: the name stays in use (requests keep arriving), so a lookup
// happens as soon as the cache lets it. Lookups of leader.mesos are logged (LookupLog): what
// the stale windows are measured from. Timers and lookups die with the owning process.
#pragma once

#include <optional>
#include <string>

#include "models/core/run_context.hpp"

namespace bootsim::models {

inline constexpr sim::SimTime kRetryAfterFailure = sim::seconds(1);  // assumption

class CachedLookup {
 public:
  CachedLookup(RunContext& ctx, sim::ProcessId process, std::string node, std::string name)
      : ctx_(ctx), process_(process), node_(std::move(node)), name_(std::move(name)) {}
  CachedLookup(const CachedLookup&) = delete;
  CachedLookup& operator=(const CachedLookup&) = delete;

  void start() { lookup(); }
  // Drops the cached answer and looks the name up again now (nginx -s reload: the new
  // configuration cycle starts with an empty resolver cache). A lookup still in flight is
  // forgotten.
  void reload();
  // The cached answer (the first A record), if the cache holds one.
  const std::optional<std::string>& answer() const { return answer_; }

 private:
  void lookup();

  RunContext& ctx_;
  sim::ProcessId process_;
  std::string node_;
  std::string name_;
  std::optional<std::string> answer_;
  sim::TimerId next_{};           // the pending re-lookup
  std::uint64_t generation_ = 0;  // of the lookup whose answer counts
};

}  // namespace bootsim::models
