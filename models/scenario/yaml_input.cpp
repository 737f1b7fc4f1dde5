#include "models/scenario/yaml_input.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include <yaml-cpp/eventhandler.h>

#include "models/core/milestones.hpp"

namespace bootsim::models {

namespace {

// Input files are small; a limit keeps a stray multi-gigabyte file from exhausting memory.
constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;
constexpr std::array<std::string_view, 4> kRuleKeys{"name", "before", "after", "scope"};
constexpr std::array<std::string_view, 2> kScopes{"node", "cluster"};

std::string where_text(std::string_view context) {
  if (context.empty()) return "at the top level";
  return fmt::format("in '{}'", context);
}

// Records where each document starts; ignores the content.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  YAML::Mark last;
};

}  // namespace

void YamlInput::check_root(const YAML::Node& root, const std::optional<SourceLocation>& second,
                           std::string_view text, const InputKind& kind) const {
  if (root.IsNull()) {
    if (const auto content = first_content(text)) {
      fail(*content, fmt::format("a {} must be a map of keys ({}), got nothing readable", kind.what,
                                 kind.example));
    }
    fail(SourceLocation{file_, 1, 1},
         fmt::format("empty {} (expected a map with at least 'name')", kind.what));
  }
  if (second) {
    fail(*second, fmt::format("a {} file holds one YAML document, found a second one", kind.what));
  }
  if (!root.IsMap()) {
    fail(root, fmt::format("a {} must be a map of keys ({}), got {}", kind.what, kind.example,
                           describe(root)));
  }
}

std::optional<SourceLocation> YamlInput::first_content(std::string_view text) const {
  int line = 1;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view l = text.substr(pos, end - pos);
    const std::size_t first = l.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && l[first] != '#' && l[first] != '%' &&
        !l.starts_with("---") && !l.starts_with("...")) {
      return SourceLocation{file_, line, static_cast<int>(first) + 1};
    }
    pos = end + 1;
    ++line;
  }
  return std::nullopt;
}

SourceLocation YamlInput::loc(const YAML::Node& n, const SourceLocation& fallback) const {
  // yaml-cpp marks an empty value ("name:" then a newline) where the next token starts; the
  // key is where the user looks.
  if (n.IsNull()) {
    for (const auto& [value, key_where] : null_values_) {
      if (value.is(n)) return key_where;
    }
  }
  const YAML::Mark m = n.Mark();
  if (m.line < 0 || m.column < 0) return fallback;
  return SourceLocation{file_, m.line + 1, m.column + 1};
}

void YamlInput::fail(const SourceLocation& where, std::string message) const {
  throw LoadFailure{InputError{where, std::move(message)}};
}

void YamlInput::fail(const YAML::Node& n, std::string message) const {
  fail(loc(n), std::move(message));
}

std::string YamlInput::describe(const YAML::Node& n) {
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  if (n.IsScalar()) return models::in_quotes(n.Scalar());
  return "nothing";
}

std::string YamlInput::scalar(const YAML::Node& n, std::string_view path,
                              std::string_view expected) const {
  if (!n.IsScalar()) fail(n, fmt::format("{}: expected {}, got {}", path, expected, describe(n)));
  return n.Scalar();
}

YamlInput::Entries YamlInput::entries(const YAML::Node& map, std::string_view context,
                                      std::span<const std::string_view> known) const {
  if (!map.IsMap()) {
    fail(map, fmt::format("{}: expected a map, got {}", context, describe(map)));
  }
  Entries out;
  for (const auto& kv : map) {
    const YAML::Node key = kv.first;
    if (!key.IsScalar()) {
      fail(key, fmt::format("expected a key name {}, got {}", where_text(context), describe(key)));
    }
    const std::string& k = key.Scalar();
    if (!known.empty() && std::find(known.begin(), known.end(), k) == known.end()) {
      fail(key, fmt::format("unknown key {} {}{}", in_quotes(k), where_text(context),
                            did_you_mean(k, known)));
    }
    for (const auto& [seen, v] : out) {
      if (seen.Scalar() == k) {
        fail(key, fmt::format("duplicate key {} {} (first at line {})", in_quotes(k),
                              where_text(context), loc(seen).line));
      }
    }
    if (kv.second.IsNull()) null_values_.emplace_back(kv.second, loc(key));
    out.emplace_back(key, kv.second);
  }
  return out;
}

std::vector<std::pair<std::string, SourceLocation>> YamlInput::scalar_list(
    const YAML::Node& list, std::string_view path, std::string_view expected) const {
  std::vector<std::pair<std::string, SourceLocation>> out;
  if (!list.IsNull() && !list.IsSequence()) {
    fail(list, fmt::format("{}: expected a list of {}, got {}", path, expected, describe(list)));
  }
  for_each_item(list, path, [&](const YAML::Node& item) {
    out.emplace_back(scalar(item, path, expected), loc(item));
  });
  return out;
}

sim::SimTime YamlInput::positive_duration(const YAML::Node& value, std::string_view path) const {
  const std::string text = scalar(value, path, "a duration");
  if (!text.empty() && text.front() == '-') {
    fail(value, fmt::format("{} must not be negative, got {}", path, in_quotes(text)));
  }
  const auto d = sim::parse_duration(text);
  if (!d)
    fail(value,
         fmt::format("{}: malformed duration {} {}", path, in_quotes(text), sim::kDurationHint));
  if (d->is_infinite())
    fail(value, fmt::format("{} must be finite, got {}", path, in_quotes(text)));
  if (*d == sim::SimTime::zero()) {
    fail(value, fmt::format("{} must be positive, got {}", path, in_quotes(text)));
  }
  return *d;
}

sim::Distribution YamlInput::distribution(const YAML::Node& value, std::string_view path) const {
  const std::string text = scalar(value, path, "a distribution");
  sim::Distribution d;
  std::string why;
  if (!sim::Distribution::parse(text, d, why)) fail(value, fmt::format("{}: {}", path, why));
  return d;
}

std::string YamlInput::milestone(const YAML::Node& value, std::string_view path) const {
  const std::string m = scalar(value, path, "a milestone name");
  if (!is_milestone(m)) {
    fail(value, fmt::format("{}: unknown milestone {}{}", path, in_quotes(m),
                            did_you_mean(m, milestone_names())));
  }
  return m;
}

RuleSpec YamlInput::rule(const YAML::Node& item) const {
  RuleSpec rule;
  rule.where = loc(item);
  std::optional<YAML::Node> scope_node;
  bool has_before = false, has_after = false;
  for (const auto& [key, value] : entries(item, "rule", kRuleKeys)) {
    const std::string& k = key.Scalar();
    if (k == "name") {
      rule.name = scalar(value, "rule.name", "a string");
    } else if (k == "before") {
      rule.before = milestone(value, "rule.before");
      has_before = true;
    } else if (k == "after") {
      rule.after = milestone(value, "rule.after");
      has_after = true;
    } else if (k == "scope") {
      const std::string scope = scalar(value, "rule.scope", "node or cluster");
      if (scope != "node" && scope != "cluster") {
        const std::string hint = did_you_mean(scope, kScopes);
        fail(value, fmt::format("rule.scope: unknown scope {}{}", in_quotes(scope),
                                hint.empty() ? " (expected node or cluster)" : hint));
      }
      rule.same_node = scope == "node";
      scope_node = value;
    }
  }
  if (!has_before) fail(item, "rule: missing 'before'");
  if (!has_after) fail(item, "rule: missing 'after'");
  if (rule.before == rule.after) fail(item, "rule: 'before' and 'after' are the same milestone");
  if (rule.same_node) {
    const SourceLocation where = scope_node ? loc(*scope_node) : rule.where;
    const MilestoneScope a = *milestone_scope(rule.before);
    const MilestoneScope b = *milestone_scope(rule.after);
    for (const auto& [m, sc] : {std::pair{rule.before, a}, std::pair{rule.after, b}}) {
      if (sc == MilestoneScope::kCluster) {
        fail(where, fmt::format("rule: '{}' is a cluster milestone, so the rule needs "
                                "scope: cluster",
                                m));
      }
    }
    const auto per_host = [](MilestoneScope s) {
      return s == MilestoneScope::kMaster || s == MilestoneScope::kAgent ||
             s == MilestoneScope::kEveryNode;
    };
    const bool compatible = a == b || (a == MilestoneScope::kEveryNode && per_host(b)) ||
                            (b == MilestoneScope::kEveryNode && per_host(a));
    if (!compatible) {
      fail(where,
           fmt::format("rule: '{}' happens on {} and '{}' on {}, never on the same "
                       "node (use scope: cluster)",
                       rule.before, milestone_scope_name(a), rule.after, milestone_scope_name(b)));
    }
  }
  return rule;
}

std::variant<std::string, InputError> read_input_file(const std::string& path,
                                                      std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InputError{{path, 0, 0}, fmt::format("cannot open {} file", what)};
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {
      return InputError{{path, 0, 0},
                        fmt::format("{} file larger than {} bytes", what, kMaxFileBytes)};
    }
  }
  if (in.bad()) return InputError{{path, 0, 0}, fmt::format("cannot read {} file", what)};
  return text;
}

// Where a second document starts, if the stream has one. At most two documents are parsed,
// which also bounds yaml-cpp's runaway document loop.
std::optional<SourceLocation> second_document(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  if (!parser.HandleNextDocument(starts)) return std::nullopt;
  if (!parser.HandleNextDocument(starts)) return std::nullopt;
  return SourceLocation{file, std::max(starts.last.line, 0) + 1,
                        std::max(starts.last.column, 0) + 1};
}

InputError yaml_error(const YAML::Exception& e, const std::string& file) {
  const int line = e.mark.line >= 0 ? e.mark.line + 1 : 1;
  const int column = e.mark.column >= 0 ? e.mark.column + 1 : 1;
  return InputError{{file, line, column}, fmt::format("invalid YAML: {}", e.msg)};
}

}  // namespace bootsim::models
