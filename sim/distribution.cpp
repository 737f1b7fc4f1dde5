#include "sim/distribution.hpp"

#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

#include "sim/detail/math.hpp"

namespace bootsim::sim {

namespace {

// The standard normal quantile at 0.99 (z such that Phi(z) = 0.99; e.g. Abramowitz & Stegun
// table 26.5), so that sigma = ln(p99 / median) / z puts p99 at the 99th percentile.
constexpr double kZ99 = 2.3263478740408408;
// Redraws of a truncated normal before giving up with 0: at mean = 0 half the draws are kept,
// so hitting the cap means mean << -sd, which parse() cannot produce.
constexpr int kMaxNormalRedraws = 1000;

constexpr std::string_view kForms =
    "constant, uniform, normal, lognormal, exponential or empirical";

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// One argument inside the parentheses: `value` or `name = value`.
struct Arg {
  std::string_view name;  // empty for a positional argument
  std::string_view value;
};

std::vector<Arg> split_args(std::string_view inside) {
  std::vector<Arg> args;
  if (trim(inside).empty()) return args;
  for (;;) {
    const std::size_t comma = inside.find(',');
    const std::string_view piece = inside.substr(0, comma);
    Arg arg{{}, trim(piece)};
    if (const std::size_t eq = piece.find('='); eq != std::string_view::npos) {
      arg = Arg{trim(piece.substr(0, eq)), trim(piece.substr(eq + 1))};
    }
    args.push_back(arg);
    if (comma == std::string_view::npos) break;
    inside.remove_prefix(comma + 1);
  }
  return args;
}

// Parses the arguments of one form; on failure leaves a reason (without the text) in `why`.
class FormParser {
 public:
  FormParser(std::string_view form, std::vector<Arg> args, std::string& why)
      : form_(form), args_(std::move(args)), why_(why) {}

  std::optional<SimTime> duration(std::string_view value) {
    if (value.empty()) {
      why_ = std::string(form_) + " has an empty argument";
      return std::nullopt;
    }
    const auto d = parse_duration(value);
    if (!d && is_past_horizon(value)) {
      why_ = "duration '" + std::string(value) + "' is past the simulated-time horizon, " +
             std::string(kHorizonText);
      return std::nullopt;
    }
    if (!d) {
      why_ = "bad duration '" + std::string(value) + "' (expected e.g. 250ms, 2s, 1m30s)";
      return std::nullopt;
    }
    if (d->is_infinite()) {
      why_ = "'inf' is not allowed in a distribution";
      return std::nullopt;
    }
    return d;
  }

  // Exactly `count` positional arguments (`usage` shows the form).
  std::optional<std::vector<SimTime>> positional(std::size_t count, std::string_view usage) {
    if (args_.size() != count) {
      why_ = std::string(usage) + " takes " + std::to_string(count) + " argument" +
             (count == 1 ? "" : "s") + ", got " + std::to_string(args_.size());
      return std::nullopt;
    }
    return all_positional(usage);
  }

  std::optional<std::vector<SimTime>> all_positional(std::string_view usage) {
    std::vector<SimTime> out;
    for (const Arg& a : args_) {
      if (!a.name.empty()) {
        why_ = std::string(usage) + " takes plain durations, not '" + std::string(a.name) + "='";
        return std::nullopt;
      }
      const auto d = duration(a.value);
      if (!d) return std::nullopt;
      out.push_back(*d);
    }
    return out;
  }

  // Exactly the named arguments `names`, in any order, each once.
  template <std::size_t N>
  std::optional<std::array<SimTime, N>> named(const std::array<std::string_view, N>& names,
                                              std::string_view usage) {
    std::array<std::optional<SimTime>, N> found;
    for (const Arg& a : args_) {
      if (a.name.empty()) {
        why_ = std::string(form_) + " needs named arguments: " + std::string(usage);
        return std::nullopt;
      }
      std::size_t k = 0;
      while (k < N && names[k] != a.name) ++k;
      if (k == N) {
        why_ = "unknown argument '" + std::string(a.name) + "' (" + std::string(usage) + ")";
        return std::nullopt;
      }
      if (found[k]) {
        why_ = "argument '" + std::string(a.name) + "' given twice";
        return std::nullopt;
      }
      found[k] = duration(a.value);
      if (!found[k]) return std::nullopt;
    }
    std::array<SimTime, N> out;
    for (std::size_t k = 0; k < N; ++k) {
      if (!found[k]) {
        why_ = std::string(usage) + " is missing '" + std::string(names[k]) + "='";
        return std::nullopt;
      }
      out[k] = *found[k];
    }
    return out;
  }

 private:
  std::string_view form_;
  std::vector<Arg> args_;
  std::string& why_;
};

// A plain duration: constant(D).
bool parse_plain(std::string_view text, Distribution& out, std::string& why) {
  const auto d = parse_duration(text);
  if (!d && is_past_horizon(text)) {
    why = "duration '" + std::string(text) + "' is past the simulated-time horizon, " +
          std::string(kHorizonText);
    return false;
  }
  if (!d) {
    why = "expected a duration (e.g. 250ms, 2s, 1m30s) or a form such as uniform(1s, 2s)";
    return false;
  }
  if (d->is_infinite()) {
    why = "'inf' is not allowed in a distribution";
    return false;
  }
  out = Distribution::constant(*d);
  return true;
}

// The arguments of `form(...)`, checked by form; false with the reason in `why`.
bool parse_args(std::string_view form, FormParser& p, Distribution& out, std::string& why) {
  if (form == "constant") {
    const auto v = p.positional(1, "constant(D)");
    if (v) out = Distribution::constant((*v)[0]);
    return v.has_value();
  }
  if (form == "uniform") {
    const auto v = p.positional(2, "uniform(LO, HI)");
    if (!v) return false;
    if ((*v)[0] > (*v)[1]) {
      why = "uniform(LO, HI) needs LO <= HI";
      return false;
    }
    out = Distribution::uniform((*v)[0], (*v)[1]);
    return true;
  }
  if (form == "normal") {
    const auto v = p.named<2>({"mean", "sd"}, "normal(mean=D, sd=D)");
    if (v) out = Distribution::normal((*v)[0], (*v)[1]);
    return v.has_value();
  }
  if (form == "lognormal") {
    const auto v = p.named<2>({"median", "p99"}, "lognormal(median=D, p99=D)");
    if (!v) return false;
    if ((*v)[0] == SimTime::zero()) {
      why = "lognormal needs median > 0";
      return false;
    }
    if ((*v)[1] < (*v)[0]) {
      why = "lognormal needs p99 >= median";
      return false;
    }
    out = Distribution::lognormal((*v)[0], (*v)[1]);
    return true;
  }
  if (form == "exponential") {
    const auto v = p.named<1>({"mean"}, "exponential(mean=D)");
    if (v) out = Distribution::exponential((*v)[0]);
    return v.has_value();
  }
  if (form == "empirical") {
    const auto v = p.all_positional("empirical(D, D, ...)");
    if (!v) return false;
    if (v->empty()) {
      why = "empirical needs at least one sample";
      return false;
    }
    out = Distribution::empirical(*v);
    return true;
  }
  why = "unknown form '" + std::string(form) + "' (expected " + std::string(kForms) + ")";
  return false;
}

// Parses `text` into `out`, or returns false with the reason in `why`.
bool parse_form(std::string_view text, Distribution& out, std::string& why) {
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos) return parse_plain(text, out, why);
  const std::string_view form = trim(text.substr(0, open));
  if (text.back() != ')') {
    why = "expected ')' at the end";
    return false;
  }
  const std::string_view inside = text.substr(open + 1, text.size() - open - 2);
  if (inside.find_first_of("()") != std::string_view::npos) {
    why = "unexpected parenthesis inside " + std::string(form) + "(...)";
    return false;
  }
  FormParser p(form, split_args(inside), why);
  return parse_args(form, p, out, why);
}

}  // namespace

Distribution Distribution::lognormal(SimTime median, SimTime p99) {
  // sigma from the 99th percentile: p99 = median * exp(sigma * z99).
  const double mu = detail::log(median.to_seconds());
  const double sigma = detail::log(p99.to_seconds() / median.to_seconds()) / kZ99;
  return Distribution(LogNormal{median, p99, mu, sigma});
}

namespace {

template <class>
[[maybe_unused]] inline constexpr bool kAlwaysFalse = false;

}  // namespace

bool Distribution::parse(std::string_view text, Distribution& out, std::string& error) {
  std::string why;
  Distribution parsed;
  if (!parse_form(trim(text), parsed, why)) {
    error = "malformed distribution '" + std::string(text) + "': " + why;
    return false;
  }
  out = std::move(parsed);
  return true;
}

SimTime Distribution::sample(RandomStream& rng) const {
  return std::visit(
      [&rng](const auto& f) -> SimTime {
        using F = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<F, Constant>) {
          return f.value;
        } else if constexpr (std::is_same_v<F, Uniform>) {
          // Drawn in whole nanoseconds on [lo, hi], no double involved.
          assert(f.lo <= f.hi && "uniform with lo > hi");
          if (f.hi <= f.lo) return f.lo;
          const auto span = static_cast<std::uint64_t>(f.hi.ns() - f.lo.ns()) + 1;
          return f.lo + SimTime::from_ns(static_cast<std::int64_t>(rng.uniform_index(span)));
        } else if constexpr (std::is_same_v<F, Normal>) {
          const double mean = f.mean.to_seconds();
          const double sd = f.sd.to_seconds();
          for (int i = 0; i < kMaxNormalRedraws; ++i) {
            const double x = mean + sd * rng.standard_normal();
            if (x >= 0.0) return from_seconds(x);
          }
          return SimTime::zero();
        } else if constexpr (std::is_same_v<F, LogNormal>) {
          return from_seconds(detail::exp(f.mu + f.sigma * rng.standard_normal()));
        } else if constexpr (std::is_same_v<F, Exponential>) {
          return from_seconds(rng.exponential(f.mean.to_seconds()));
        } else if constexpr (std::is_same_v<F, Empirical>) {
          assert(!f.samples.empty() && "empirical with no samples");
          if (f.samples.empty()) return SimTime::zero();
          return f.samples[rng.uniform_index(f.samples.size())];
        } else {
          static_assert(kAlwaysFalse<F>, "unhandled distribution form");
        }
      },
      form_);
}

SimTime Distribution::mean() const {
  return std::visit(
      [](const auto& f) -> SimTime {
        using F = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<F, Constant>) {
          return f.value;
        } else if constexpr (std::is_same_v<F, Uniform>) {
          return f.lo + (f.hi - f.lo) / 2;
        } else if constexpr (std::is_same_v<F, Normal>) {
          return f.mean;
        } else if constexpr (std::is_same_v<F, LogNormal>) {
          // E[X] = exp(mu + sigma^2 / 2) for a lognormal.
          return from_seconds(detail::exp(f.mu + f.sigma * f.sigma / 2));
        } else if constexpr (std::is_same_v<F, Exponential>) {
          return f.mean;
        } else if constexpr (std::is_same_v<F, Empirical>) {
          if (f.samples.empty()) return SimTime::zero();
          // Exact and overflow-free: sum the quotients and remainders of each sample by n.
          const auto n = static_cast<std::int64_t>(f.samples.size());
          std::int64_t quotients = 0;
          std::int64_t remainders = 0;
          for (const SimTime s : f.samples) {
            quotients += s.ns() / n;
            remainders += s.ns() % n;
          }
          return SimTime::from_ns(quotients + (remainders + n / 2) / n);
        } else {
          static_assert(kAlwaysFalse<F>, "unhandled distribution form");
        }
      },
      form_);
}

std::string Distribution::to_string() const {
  return std::visit(
      [](const auto& f) -> std::string {
        using F = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<F, Constant>) {
          return format_duration(f.value);
        } else if constexpr (std::is_same_v<F, Uniform>) {
          return "uniform(" + format_duration(f.lo) + ", " + format_duration(f.hi) + ")";
        } else if constexpr (std::is_same_v<F, Normal>) {
          return "normal(mean=" + format_duration(f.mean) + ", sd=" + format_duration(f.sd) + ")";
        } else if constexpr (std::is_same_v<F, LogNormal>) {
          return "lognormal(median=" + format_duration(f.median) +
                 ", p99=" + format_duration(f.p99) + ")";
        } else if constexpr (std::is_same_v<F, Exponential>) {
          return "exponential(mean=" + format_duration(f.mean) + ")";
        } else if constexpr (std::is_same_v<F, Empirical>) {
          std::string out = "empirical(";
          for (std::size_t i = 0; i < f.samples.size(); ++i) {
            if (i > 0) out += ", ";
            out += format_duration(f.samples[i]);
          }
          return out + ")";
        } else {
          static_assert(kAlwaysFalse<F>, "unhandled distribution form");
        }
      },
      form_);
}

}  // namespace bootsim::sim
