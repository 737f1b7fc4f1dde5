// SourceLocation and InputError: where the user's input is wrong, and what is wrong with it.
//
//   const InputError e{{"s.yaml", 3, 5}, "unknown key 'mastres' in 'cluster'"};
//   std::cerr << e.format() << '\n';  // s.yaml:3:5: error: unknown key 'mastres' in 'cluster'
//
// Contract: input errors are values returned to the caller (the command line exits with 2),
// never exceptions thrown across a public API; bugs are assertions, not InputErrors.
// Lines and columns are 1-based (yaml-cpp's Mark is 0-based: callers add one). An empty `file`
// means the text came from the command line (--set, --fault).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bootsim::models {

struct SourceLocation {
  std::string file;  // empty: the command line
  int line = 0;      // 1-based; 0 when the error concerns the whole file (e.g. cannot open it)
  int column = 0;    // 1-based
  bool operator==(const SourceLocation&) const = default;
};

struct InputError {
  SourceLocation where;
  std::string message;  // without location, e.g. "cluster.masters must be positive, got 0"

  // "FILE:LINE:COL: error: MESSAGE", "FILE: error: MESSAGE" when line is 0, and
  // "command line: error: MESSAGE" when file is empty.
  std::string format() const;
};

// The candidate closest to `word` by edit distance (transpositions count as one edit), if it is
// close enough to be a plausible typo; ties go to the earlier candidate, so messages are stable.
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

// " (did you mean 'X'?)" when closest_match finds one, else "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

// `text` in single quotes for messages: control and non-ASCII bytes as \xNN (input may be any
// bytes), cut after 60 characters, so an error line stays one readable line.
std::string in_quotes(std::string_view text);

}  // namespace bootsim::models
