#include "models/dns/cached_lookup.hpp"

#include "models/dns/stub_resolver.hpp"

namespace bootsim::models {

void CachedLookup::lookup() {
  resolve(ctx_, process_, name_, [this](const Resolution& r) {
    if (name_ == "leader.mesos") note_leader_lookup(ctx_, node_, r);
    if (r.ok) {
      answer_ = r.hosts.front();
    } else {
      answer_.reset();
    }
    const sim::SimTime ttl = r.ok ? r.ttl : kRetryAfterFailure;
    ctx_.network().after(process_, ttl > sim::SimTime::zero() ? ttl : kRetryAfterFailure,
                         [this] { lookup(); });
  });
}

}  // namespace bootsim::models
