// Distribution: a random duration, as scenarios describe start times and link latencies.
//
//   auto d = sim::Distribution::parse("lognormal(median=2s, p99=10s)");  // or "2s" (constant)
//   const sim::SimTime x = d->sample(rng);
//
// Forms (text, as in YAML and --set): a plain duration is constant; `constant(D)`;
// `uniform(LO, HI)`; `normal(mean=D, sd=D)` truncated at 0 by redrawing; `lognormal(median=D,
// p99=D)`; `exponential(mean=D)`; `empirical(D, D, ...)` picks one of the samples uniformly.
// Contract: an immutable value; sample() is deterministic given the stream's state.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/random.hpp"
#include "sim/time.hpp"

namespace bootsim::sim {

class Distribution {
 public:
  struct Constant {
    SimTime value;
  };
  struct Uniform {
    SimTime lo, hi;
  };
  struct Normal {
    SimTime mean, sd;
  };
  struct LogNormal {
    SimTime median, p99;
    // log(median) and the log-space sigma, computed once by lognormal(): a latency is drawn for
    // every message, and two logarithms per draw were a tenth of the draws' time.
    double mu = 0.0;
    double sigma = 0.0;
  };
  struct Exponential {
    SimTime mean;
  };
  struct Empirical {
    std::vector<SimTime> samples;
  };
  using Form = std::variant<Constant, Uniform, Normal, LogNormal, Exponential, Empirical>;

  Distribution() : form_(Constant{SimTime::zero()}) {}
  static Distribution constant(SimTime v) { return Distribution(Constant{v}); }
  static Distribution uniform(SimTime lo, SimTime hi) { return Distribution(Uniform{lo, hi}); }
  static Distribution normal(SimTime mean, SimTime sd) { return Distribution(Normal{mean, sd}); }
  static Distribution lognormal(SimTime median, SimTime p99);
  static Distribution exponential(SimTime mean) { return Distribution(Exponential{mean}); }
  static Distribution empirical(std::vector<SimTime> samples) {
    return Distribution(Empirical{std::move(samples)});
  }

  // Parses the text forms above. On failure returns false and sets `error` to a message
  // without location (the caller adds FILE:LINE:COL).
  static bool parse(std::string_view text, Distribution& out, std::string& error);

  SimTime sample(RandomStream& rng) const;
  // The theoretical mean (for the truncated normal, the untruncated mean).
  SimTime mean() const;
  std::string to_string() const;
  const Form& form() const { return form_; }
  bool is_constant() const { return std::holds_alternative<Constant>(form_); }

 private:
  explicit Distribution(Form f) : form_(std::move(f)) {}
  Form form_;
};

}  // namespace bootsim::sim
