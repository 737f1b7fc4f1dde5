#include "tools/sweep/record.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>

#include "models/core/milestones.hpp"

namespace bootsim::sweep {

namespace {

// Names (rules, ended_by) percent-encoded: the line's separators cannot occur in them.
std::string encode(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    const bool plain = (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
                       c == '.' || c == '-' || c == '_';
    out += plain ? std::string(1, c) : fmt::format("%{:02X}", u);
  }
  return out;
}

std::optional<std::string> decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned v = 0;
    if (i + 2 >= s.size()) return std::nullopt;
    const auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (ec != std::errc() || p != s.data() + i + 3) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

template <typename T>
std::optional<T> number(std::string_view s, int base = 10) {
  T v{};
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool parse_times(std::string_view field, RunRecord& r) {
  for (const std::string_view t : split(field, ',')) {
    if (t == "-") {
      r.times_ns.emplace_back();
    } else if (const auto v = number<std::int64_t>(t)) {
      r.times_ns.emplace_back(*v);
    } else {
      return false;
    }
  }
  return r.times_ns.size() == models::milestone_names().size();
}

bool parse_violations(std::string_view field, RunRecord& r) {
  if (field == "-") return true;
  for (const std::string_view item : split(field, ';')) {
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return false;
    const auto name = decode(item.substr(0, eq));
    const auto count = number<std::uint64_t>(item.substr(eq + 1));
    if (!name || !count) return false;
    r.violations.emplace_back(*name, *count);
  }
  return true;
}

}  // namespace

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

RunRecord make_record(std::uint64_t index, const models::RunResult& result) {
  RunRecord r{index, result.seed, result.ended_by, result.fingerprint, {}, {}};
  for (const auto& t : result.milestone_times) {
    r.times_ns.push_back(t ? std::optional<std::int64_t>(t->ns()) : std::nullopt);
  }
  std::map<std::string, std::uint64_t> counts;
  for (const models::Violation& v : result.violations) ++counts[v.rule];
  r.violations.assign(counts.begin(), counts.end());
  return r;
}

std::string to_line(const RunRecord& r) {
  std::string times;
  for (const auto& t : r.times_ns) {
    times += (times.empty() ? "" : ",") + (t ? std::to_string(*t) : std::string("-"));
  }
  std::string violations;
  for (const auto& [rule, count] : r.violations) {
    violations += fmt::format("{}{}={}", violations.empty() ? "" : ";", encode(rule), count);
  }
  const std::string body =
      fmt::format("r\t{}\t{}\t{}\t{:016x}\t{}\t{}", r.index, r.seed, encode(r.ended_by),
                  r.fingerprint, times, violations.empty() ? "-" : violations);
  return fmt::format("{}\t{:016x}\n", body, fnv1a(body));
}

std::optional<RunRecord> from_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const auto tab = line.rfind('\t');
  if (tab == std::string_view::npos) return std::nullopt;
  const auto sum = number<std::uint64_t>(line.substr(tab + 1), 16);
  if (!sum || *sum != fnv1a(line.substr(0, tab))) return std::nullopt;
  const auto f = split(line.substr(0, tab), '\t');
  if (f.size() != 7 || f[0] != "r") return std::nullopt;
  RunRecord r;
  const auto index = number<std::uint64_t>(f[1]);
  const auto seed = number<std::uint64_t>(f[2]);
  const auto ended_by = decode(f[3]);
  const auto fingerprint = number<std::uint64_t>(f[4], 16);
  if (!index || !seed || !ended_by || !fingerprint) return std::nullopt;
  r.index = *index;
  r.seed = *seed;
  r.ended_by = *ended_by;
  r.fingerprint = *fingerprint;
  if (!parse_times(f[5], r) || !parse_violations(f[6], r)) return std::nullopt;
  return r;
}

}  // namespace bootsim::sweep
