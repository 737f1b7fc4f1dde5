#include "models/core/source_location.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

namespace bootsim::models {

std::string InputError::format() const {
  if (where.file.empty()) return fmt::format("command line: error: {}", message);
  if (where.line <= 0) return fmt::format("{}: error: {}", where.file, message);
  return fmt::format("{}:{}:{}: error: {}", where.file, where.line, std::max(where.column, 1),
                     message);
}

namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Optimal string alignment distance, case-insensitive: "mastres" is one edit from "masters".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    prev2.swap(prev);
    prev.swap(cur);
  }
  return prev[m];
}

}  // namespace

std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates) {
  // Inputs can be huge (fuzzing); a typo of a short name is never longer than this.
  if (word.empty() || word.size() > 200) return std::nullopt;
  // Short words tolerate one edit, longer ones a quarter of their length (at least two).
  const std::size_t limit = word.size() < 4 ? 1 : std::max<std::size_t>(2, word.size() / 4);
  std::optional<std::string_view> best;
  std::size_t best_distance = limit + 1;
  for (const std::string_view c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance && d < std::max(word.size(), c.size())) {
      best = c;
      best_distance = d;
    }
  }
  if (!best && word.size() >= 4) {
    // A truncated name ("restart" for "restart_after") is far by edits but an obvious match.
    for (const std::string_view c : candidates) {
      if (c.size() > word.size() && c.starts_with(word)) return c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  const auto match = closest_match(word, candidates);
  if (!match) return {};
  return fmt::format(" (did you mean '{}'?)", *match);
}

std::string in_quotes(std::string_view text) {
  constexpr std::size_t kMaxShown = 60;
  std::string out = "'";
  std::size_t shown = 0;
  for (const char ch : text) {
    if (shown == kMaxShown) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
    ++shown;
  }
  out += '\'';
  return out;
}

}  // namespace bootsim::models
