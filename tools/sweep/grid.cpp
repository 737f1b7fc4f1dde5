#include "tools/sweep/grid.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "sim/time.hpp"

namespace bootsim::sweep {

namespace {

std::optional<std::int64_t> parse_integer(std::string_view s) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// A range's values as text, integers or durations; an error when malformed or too long.
std::variant<std::vector<std::string>, std::string> expand_range(std::string_view key,
                                                                 std::string_view text) {
  const auto dots = text.find("..");
  const auto colon = text.find(':', dots == std::string_view::npos ? 0 : dots);
  if (dots == std::string_view::npos || colon == std::string_view::npos) {
    return fmt::format("--vary {}: a range is FROM..TO:STEP, got '{}'", key, text);
  }
  const std::string_view a = text.substr(0, dots), b = text.substr(dots + 2, colon - dots - 2),
                         step = text.substr(colon + 1);
  std::vector<std::string> out;
  const auto too_many = [&] {
    return fmt::format("--vary {}: the range '{}' has more than {} values", key, text, kMaxValues);
  };
  if (const auto ia = parse_integer(a), ib = parse_integer(b), is = parse_integer(step);
      ia && ib && is) {
    if (*is <= 0 || *ia > *ib) {
      return fmt::format("--vary {}: '{}' needs FROM <= TO and STEP > 0", key, text);
    }
    // In unsigned arithmetic: TO - FROM cannot overflow.
    const std::uint64_t n = (static_cast<std::uint64_t>(*ib) - static_cast<std::uint64_t>(*ia)) /
                            static_cast<std::uint64_t>(*is);
    if (n >= kMaxValues) return too_many();
    for (std::uint64_t i = 0; i <= n; ++i) {
      out.push_back(std::to_string(static_cast<std::int64_t>(static_cast<std::uint64_t>(*ia) +
                                                             i * static_cast<std::uint64_t>(*is))));
    }
    return out;
  }
  const auto da = sim::parse_duration(a), db = sim::parse_duration(b),
             ds = sim::parse_duration(step);
  if (!da || !db || !ds || da->is_infinite() || db->is_infinite() || ds->is_infinite()) {
    return fmt::format(
        "--vary {}: a range is integers or durations, FROM..TO:STEP (e.g. 100..1000:100, "
        "1s..3s:500ms), got '{}'",
        key, text);
  }
  if (*ds == sim::SimTime::zero() || *da > *db) {
    return fmt::format("--vary {}: '{}' needs FROM <= TO and STEP > 0", key, text);
  }
  // Durations are non-negative, so TO - FROM cannot overflow.
  const std::int64_t n = (db->ns() - da->ns()) / ds->ns();
  if (n >= static_cast<std::int64_t>(kMaxValues)) return too_many();
  for (std::int64_t i = 0; i <= n; ++i) {
    out.push_back(sim::format_duration(sim::SimTime::from_ns(da->ns() + i * ds->ns())));
  }
  return out;
}

}  // namespace

std::string GridPoint::label() const {
  std::string out;
  for (const models::Setting& s : settings) {
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", s.key, s.value);
  }
  return out;
}

std::variant<Vary, std::string> parse_vary(std::string_view spec) {
  const auto eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size()) {
    return fmt::format("--vary expects key=v1,v2,... or key=FROM..TO:STEP, got '{}'", spec);
  }
  Vary v{std::string(spec.substr(0, eq)), {}};
  const std::string_view values = spec.substr(eq + 1);
  if (values.find("..") != std::string_view::npos) {
    auto r = expand_range(v.key, values);
    if (auto* e = std::get_if<std::string>(&r)) return *e;
    v.values = std::get<std::vector<std::string>>(std::move(r));
    return v;
  }
  // Values are split at commas outside parentheses: distributions such as uniform(1s, 2s).
  int depth = 0;
  std::string current;
  for (const char c : values) {
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    if (c == ',' && depth == 0) {
      v.values.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  v.values.push_back(current);
  for (const std::string& value : v.values) {
    if (value.empty()) return fmt::format("--vary {}: an empty value in '{}'", v.key, values);
  }
  if (v.values.size() > kMaxValues) {
    return fmt::format("--vary {}: more than {} values", v.key, kMaxValues);
  }
  return v;
}

std::variant<std::vector<GridPoint>, std::string> grid_points(const std::vector<Vary>& vary) {
  std::vector<GridPoint> points{GridPoint{}};
  for (const Vary& v : vary) {
    if (points.size() * v.values.size() > kMaxValues) {
      return fmt::format("--vary: the grid has more than {} points", kMaxValues);
    }
    std::vector<GridPoint> next;
    for (const GridPoint& p : points) {
      for (const std::string& value : v.values) {
        GridPoint q = p;
        q.settings.push_back(models::Setting{v.key, value, {}});
        next.push_back(std::move(q));
      }
    }
    points = std::move(next);
  }
  return points;
}

}  // namespace bootsim::sweep
