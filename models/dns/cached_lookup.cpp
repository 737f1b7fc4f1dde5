#include "models/dns/cached_lookup.hpp"

#include "models/dns/stub_resolver.hpp"

namespace bootsim::models {

void CachedLookup::reload() {
  ctx_.network().cancel(next_);
  answer_.reset();
  ++generation_;
  lookup();
}

void CachedLookup::lookup() {
  resolve(ctx_, process_, name_, [this, generation = generation_](const Resolution& r) {
    if (generation != generation_) return;
    if (name_ == "leader.mesos") note_leader_lookup(ctx_, node_, r);
    if (r.ok) {
      answer_ = r.hosts.front();
    } else {
      answer_.reset();
    }
    const sim::SimTime ttl = r.ok ? r.ttl : kRetryAfterFailure;
    next_ = ctx_.network().after(process_, ttl > sim::SimTime::zero() ? ttl : kRetryAfterFailure,
                                 [this] { lookup(); });
  });
}

}  // namespace bootsim::models
