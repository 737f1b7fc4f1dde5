#include "tools/record.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

namespace bootsim::tools {

namespace {

constexpr std::string_view kMagic = "bootsim-record 1";

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

std::string escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view s, int base = 10) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Reads a record line by line; every method returns false at a malformed or missing part.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}
  bool line(std::string_view& out) {
    if (pos_ >= text_.size()) return false;
    const std::size_t nl = text_.find('\n', pos_);
    if (nl == std::string_view::npos) return false;
    out = text_.substr(pos_, nl - pos_);
    pos_ = nl + 1;
    return true;
  }
  // "key value": the value, if the next line has that key.
  bool field(std::string_view key, std::string_view& value) {
    const std::size_t saved = pos_;
    std::string_view l;
    if (!line(l) || !l.starts_with(key) || l.size() <= key.size() || l[key.size()] != ' ') {
      pos_ = saved;
      return false;
    }
    value = l.substr(key.size() + 1);
    return true;
  }
  bool bytes(std::size_t n, std::string_view& out) {
    if (text_.size() - pos_ < n) return false;
    out = text_.substr(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// The header's fixed fields, in order.
bool read_header(Reader& in, RunRecord& r, std::uint64_t& scenario_hash) {
  std::string_view v;
  if (!in.field("version", v)) return false;
  r.version = std::string(v);
  if (!in.field("scenario-file", v)) return false;
  r.scenario_file = std::string(v);
  if (!in.field("scenario-hash", v)) return false;
  const auto hash = parse_u64(v, 16);
  if (!in.field("seed", v)) return false;
  const auto seed = parse_u64(v);
  if (!in.field("until-ns", v)) return false;
  const auto until = parse_u64(v);
  if (!in.field("stop-at-ready", v)) return false;
  r.stop_at_ready = v == "1";
  if (!in.field("max-events", v)) return false;
  const auto max_events = parse_u64(v);
  if (!hash || !seed || !until || !max_events) return false;
  scenario_hash = *hash;
  r.seed = *seed;
  r.until = sim::nanoseconds(static_cast<std::int64_t>(*until));
  r.max_events = *max_events;
  while (in.field("set", v)) r.settings.emplace_back(v);
  while (in.field("fault", v)) r.faults.emplace_back(v);
  while (in.field("fired", v)) r.fired.emplace_back(v);
  if (!in.field("fingerprint", v)) return false;
  const auto fp = parse_u64(v, 16);
  if (!fp) return false;
  r.fingerprint = *fp;
  return true;
}

bool read_body(Reader& in, RunRecord& r) {
  std::string_view v;
  if (!in.field("scenario-bytes", v)) return false;
  const auto n = parse_u64(v);
  std::string_view text;
  if (!n || !in.bytes(*n, text)) return false;
  r.scenario_text = std::string(text);
  if (!in.field("records", v)) return false;
  const auto count = parse_u64(v);
  if (!count) return false;
  for (std::uint64_t i = 0; i < *count; ++i) {
    std::string_view l;
    if (!in.line(l)) return false;
    r.records.emplace_back(l);
  }
  return true;
}

}  // namespace

std::uint64_t record_checksum(std::string_view body) {
  return fnv1a(body);
}

std::string trace_line(const sim::TraceRecord& r) {
  return fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}", r.time.ns(), r.end.ns(),
                     static_cast<int>(r.kind), escape(r.node()), escape(r.component()),
                     escape(r.name()), r.cause() ? std::to_string(*r.cause()) : "-",
                     escape(r.detail()));
}

RunRecord make_record(std::string scenario_text, std::string scenario_file,
                      const models::RunOptions& options, const models::RunResult& result,
                      std::string version) {
  RunRecord r;
  r.version = std::move(version);
  r.scenario_file = std::move(scenario_file);
  r.scenario_text = std::move(scenario_text);
  r.seed = result.seed;
  r.until = result.until;
  r.stop_at_ready = options.stop_at_ready;
  r.max_events = result.max_events;  // as it was resolved for this cluster
  for (const models::Setting& s : options.settings) r.settings.push_back(s.key + "=" + s.value);
  for (const models::FaultSpec& f : options.faults) r.faults.push_back(f.text);
  for (const sim::TraceRecord& rec : result.trace.records()) {
    if (rec.component() != "fault") continue;
    r.fired.push_back(fmt::format("{}s {} {} {}", sim::format_seconds(rec.time), rec.node(),
                                  rec.name(), escape(rec.detail())));
  }
  r.fingerprint = result.fingerprint;
  for (const sim::TraceRecord& rec : result.trace.records()) r.records.push_back(trace_line(rec));
  return r;
}

std::string write_record(const RunRecord& r) {
  std::string s = fmt::format(
      "{}\nversion {}\nscenario-file {}\nscenario-hash {:016x}\nseed {}\n"
      "until-ns {}\nstop-at-ready {}\nmax-events {}\n",
      kMagic, r.version, escape(r.scenario_file), fnv1a(r.scenario_text), r.seed, r.until.ns(),
      r.stop_at_ready ? 1 : 0, r.max_events);
  for (const std::string& v : r.settings) s += "set " + escape(v) + "\n";
  for (const std::string& v : r.faults) s += "fault " + escape(v) + "\n";
  for (const std::string& v : r.fired) s += "fired " + v + "\n";
  s += fmt::format("fingerprint {:016x}\nscenario-bytes {}\n", r.fingerprint,
                   r.scenario_text.size());
  s += r.scenario_text;
  s += fmt::format("records {}\n", r.records.size());
  for (const std::string& l : r.records) s += l + "\n";
  s += fmt::format("checksum {:016x}\n", fnv1a(s));
  return s;
}

std::variant<RunRecord, std::string> read_record(std::string_view text, std::string_view version) {
  if (!text.starts_with(kMagic)) {
    return std::string("not a bootsim run record (it does not begin with 'bootsim-record 1')");
  }
  const std::size_t last = text.rfind("checksum ");
  const auto sum =
      last == std::string_view::npos ? std::nullopt : parse_u64(text.substr(last + 9, 16), 16);
  if (!sum || text.substr(last + 25) != "\n" || *sum != fnv1a(text.substr(0, last))) {
    return std::string(
        "the record was altered or cut short after it was written (its checksum "
        "does not match its content); record the run again");
  }
  Reader in(text.substr(kMagic.size() + 1, last - kMagic.size() - 1));
  RunRecord r;
  std::uint64_t scenario_hash = 0;
  if (!read_header(in, r, scenario_hash) || !read_body(in, r)) {
    return std::string("the record is malformed (its checksum matches, so it was written so)");
  }
  if (r.version != version) {
    return fmt::format(
        "the record was written by bootsim {}, this is bootsim {}: a replay is "
        "exact only with the version that recorded it",
        r.version, version);
  }
  if (fnv1a(r.scenario_text) != scenario_hash) {
    return fmt::format(
        "the scenario in the record is not the one that was run (its hash "
        "differs from the recorded {:016x})",
        scenario_hash);
  }
  return r;
}

}  // namespace bootsim::tools
