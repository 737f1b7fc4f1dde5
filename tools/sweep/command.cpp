#include "tools/sweep/command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <charconv>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include "models/core/milestones.hpp"
#include "models/scenario/yaml_input.hpp"
#include "tools/output.hpp"
#include "tools/sweep/formats.hpp"
#include "tools/sweep/ranks.hpp"
#include "tools/sweep/runner.hpp"

namespace bootsim::sweep {

namespace po = boost::program_options;

namespace {

constexpr int kExitOk = 0, kExitChecksFailed = 1, kExitBadInput = 2;
// The safety properties every run checks besides the ordering rules (models/zookeeper/ensemble,
// models/mesos/leadership_monitor), listed so that a sweep reports them even when they hold.
constexpr std::string_view kSafetyProperties[] = {"single-mesos-leader", "single-zookeeper-leader"};

int usage_error(const std::string& message) {
  std::cerr << "bootsim: error: " << message << "\n";
  return kExitBadInput;
}

po::options_description sweep_description() {
  po::options_description d("bootsim sweep SCENARIO --runs N [options]");
  d.add_options()("help,h", "this help")("scenario", po::value<std::string>(), "scenario file")(
      "runs", po::value<std::string>(),
      "runs (seeds) per grid point (default: the most any quantile budget asks for)")(
      "jobs", po::value<std::string>(),
      "threads (default: the machine's processors; per rank under mpirun)")(
      "vary", po::value<std::vector<std::string>>()->composing(),
      "key=v1,v2,... or key=FROM..TO:STEP: a grid axis (any --set key)")(
      "seed", po::value<std::string>(),
      "the first seed (default: the scenario's); run k uses seed+k")(
      "set", po::value<std::vector<std::string>>()->composing(), "key=value for every run")(
      "fault", po::value<std::vector<std::string>>()->composing(), "a fault for every run")(
      "until", po::value<std::string>(), "simulated time limit of each run")(
      "budget", po::value<std::vector<std::string>>()->composing(),
      "MILESTONE:QUANTILE<=DURATION (cluster.ready:p99<=150s) or MILESTONE<=DURATION (every run)")(
      "format", po::value<std::string>()->default_value("text"), "text, csv, json, junit or html")(
      "out", po::value<std::string>()->default_value("-"), "output file (default: stdout)")(
      "results", po::value<std::string>(),
      "the results file, one line per finished run (default: bootsim-sweep-ID.runs beside --out, "
      "removed once the output is written)")(
      "resume", "continue the sweep its results file holds (after a kill or an interrupt)");
  return d;
}

struct Request {
  std::string scenario_path;
  std::optional<std::size_t> runs;
  std::size_t jobs = 1;
  std::uint64_t first_seed = 0;
  bool seed_given = false;
  std::vector<std::string> vary_specs, set_specs, fault_specs, budget_specs;
  std::optional<std::string> until;
  std::string format, out;
  std::optional<std::string> results;
  bool resume = false;
};

template <typename T>
std::optional<T> parse_number(const std::string& s) {
  T v{};
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string> strings(const po::variables_map& vm, const char* key) {
  return vm.count(key) ? vm[key].as<std::vector<std::string>>() : std::vector<std::string>{};
}

// The request, or an exit code (help, usage error).
std::variant<Request, int> read_request(const std::vector<std::string>& args) {
  po::options_description desc = sweep_description();
  po::positional_options_description pos;
  pos.add("scenario", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  if (vm.count("help")) {
    std::cout << desc;
    return kExitOk;
  }
  if (!vm.count("scenario")) return usage_error("missing SCENARIO");
  Request r;
  r.scenario_path = vm["scenario"].as<std::string>();
  if (vm.count("runs")) {
    r.runs = parse_number<std::size_t>(vm["runs"].as<std::string>());
    if (!r.runs || *r.runs == 0 || *r.runs > 10'000'000) {
      return usage_error("--runs: expected an integer from 1 to 10000000, got '" +
                         vm["runs"].as<std::string>() + "'");
    }
  }
  r.jobs = std::max(1u, std::thread::hardware_concurrency());
  if (vm.count("jobs")) {
    const auto j = parse_number<std::size_t>(vm["jobs"].as<std::string>());
    if (!j || *j == 0 || *j > 1024) {
      return usage_error("--jobs: expected an integer from 1 to 1024, got '" +
                         vm["jobs"].as<std::string>() + "'");
    }
    r.jobs = *j;
  }
  if (vm.count("seed")) {
    const auto s = parse_number<std::uint64_t>(vm["seed"].as<std::string>());
    if (!s) {
      return usage_error("--seed: expected an integer from 0 to 18446744073709551615, got '" +
                         vm["seed"].as<std::string>() + "'");
    }
    r.first_seed = *s;
    r.seed_given = true;
  }
  r.vary_specs = strings(vm, "vary");
  r.set_specs = strings(vm, "set");
  r.fault_specs = strings(vm, "fault");
  r.budget_specs = strings(vm, "budget");
  if (vm.count("until")) r.until = vm["until"].as<std::string>();
  r.format = vm["format"].as<std::string>();
  r.out = vm["out"].as<std::string>();
  if (vm.count("results")) r.results = vm["results"].as<std::string>();
  r.resume = vm.count("resume") > 0;
  return r;
}

// --budget MILESTONE:QUANTILE<=DURATION or MILESTONE<=DURATION.
std::variant<models::BudgetSpec, std::string> parse_budget_option(const std::string& text) {
  const auto le = text.find("<=");
  const std::string usage = fmt::format(
      "--budget expects MILESTONE:QUANTILE<=DURATION (e.g. cluster.ready:p99<=150s) or "
      "MILESTONE<=DURATION, got '{}'",
      text);
  if (le == std::string::npos) return usage;
  models::BudgetSpec b;
  std::string head = text.substr(0, le);
  if (const auto colon = head.find(':'); colon != std::string::npos) {
    b.quantile_bp = models::parse_quantile(head.substr(colon + 1));
    if (!b.quantile_bp) {
      return fmt::format("--budget '{}': the quantile is p50, p90, p99, p99.9 or max", text);
    }
    head.resize(colon);
  }
  if (!models::is_milestone(head))
    return fmt::format("--budget '{}': no milestone '{}'", text, head);
  b.milestone = head;
  const auto within = sim::parse_duration(text.substr(le + 2));
  if (!within || *within == sim::SimTime::zero() || within->is_infinite()) {
    return fmt::format("--budget '{}': expected a positive duration after '<=' (e.g. 150s)", text);
  }
  b.within = *within;
  return b;
}

// Everything a sweep needs before its first run: the grid, each point's run prepared once, the
// budgets, the rules, and the identity of its results file.
struct Plan {
  std::unique_ptr<models::Scenario> scenario;  // the prepared runs point into it
  std::vector<GridPoint> points;
  std::vector<models::PreparedRun> prepared;
  std::vector<models::BudgetSpec> budgets;
  std::vector<std::string> rules;
  std::vector<std::string> vary_keys;
  std::size_t runs = 0;
  std::uint64_t first_seed = 0;
  std::uint64_t sweep_id = 0;
  std::string profile;
};

// The common options of every run (--set, --fault, --until), or an exit code.
std::variant<models::RunOptions, int> common_options(const Request& r) {
  models::RunOptions o;
  o.trace_level = sim::TraceLevel::kNone;  // a sweep keeps times, budgets and violations only
  for (const std::string& kv : r.set_specs) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return usage_error("--set expects key=value, got '" + kv + "'");
    o.settings.push_back(models::Setting{kv.substr(0, eq), kv.substr(eq + 1), {}});
  }
  for (const std::string& line : r.fault_specs) {
    auto f = models::parse_fault_line(line, models::SourceLocation{});
    if (auto* e = std::get_if<models::InputError>(&f)) {
      std::cerr << e->format() << "\n";
      return kExitBadInput;
    }
    o.faults.push_back(std::get<models::FaultSpec>(f));
  }
  if (r.until) {
    const auto until = sim::parse_duration(*r.until);
    if (!until || *until == sim::SimTime::zero() || until->is_infinite() ||
        *until > models::kMaxUntil) {
      return usage_error(fmt::format("--until: expected a positive duration up to {}, got '{}'",
                                     sim::format_duration(models::kMaxUntil), *r.until));
    }
    o.until = *until;
  }
  return o;
}

// Each grid point's run, prepared; an exit code on the first point that is bad input.
std::optional<int> prepare_points(const Request& r, Plan& plan) {
  auto common = common_options(r);
  if (auto* rc = std::get_if<int>(&common)) return *rc;
  for (const GridPoint& point : plan.points) {
    models::RunOptions o = std::get<models::RunOptions>(common);
    o.settings.insert(o.settings.end(), point.settings.begin(), point.settings.end());
    auto prepared = models::prepare_run(*plan.scenario, o);
    if (auto* e = std::get_if<models::InputError>(&prepared)) {
      if (!point.settings.empty() && e->where.file.empty()) {
        return usage_error(fmt::format("--vary point {}: {}", point.label(), e->message));
      }
      std::cerr << e->format() << "\n";
      return kExitBadInput;
    }
    plan.prepared.push_back(std::get<models::PreparedRun>(std::move(prepared)));
  }
  return std::nullopt;
}

std::optional<int> read_budgets(const Request& r, Plan& plan) {
  plan.budgets = plan.scenario->budgets;
  for (const std::string& text : r.budget_specs) {
    auto b = parse_budget_option(text);
    if (auto* e = std::get_if<std::string>(&b)) return usage_error(*e);
    plan.budgets.push_back(std::get<models::BudgetSpec>(b));
  }
  std::int64_t wanted = 0;
  for (const models::BudgetSpec& b : plan.budgets) wanted = std::max(wanted, b.runs.value_or(0));
  if (r.runs) {
    plan.runs = *r.runs;
  } else if (wanted > 0) {
    plan.runs = static_cast<std::size_t>(wanted);
  } else {
    return usage_error("missing --runs (no budget of the scenario says how many runs it needs)");
  }
  return std::nullopt;
}

// The sweep's identity: what decides its runs (bootsim's version, the scenario file's bytes,
// runs, seed, grid, --set, --fault, --until), not how they are done or shown.
std::uint64_t sweep_identity(const Request& r, const Plan& plan,
                             const std::string& scenario_bytes) {
  std::string key =
      fmt::format("{}\n{}\n{}\n{}\n", BOOTSIM_VERSION, scenario_bytes, plan.runs, plan.first_seed);
  for (const auto* list : {&r.vary_specs, &r.set_specs, &r.fault_specs}) {
    key += fmt::format("{}\n", fmt::join(*list, "\x1f"));
  }
  key += r.until.value_or("") + "\n";
  return fnv1a(key);
}

std::variant<Plan, int> build_plan(const Request& r) {
  Plan plan;
  auto bytes = models::read_input_file(r.scenario_path, "scenario");
  auto loaded = models::load_scenario_file(r.scenario_path);
  if (auto* e = std::get_if<models::InputError>(&loaded)) {
    std::cerr << e->format() << "\n";
    return kExitBadInput;
  }
  plan.scenario = std::make_unique<models::Scenario>(std::get<models::Scenario>(std::move(loaded)));
  std::vector<Vary> vary;
  for (const std::string& spec : r.vary_specs) {
    auto v = parse_vary(spec);
    if (auto* e = std::get_if<std::string>(&v)) return usage_error(*e);
    vary.push_back(std::get<Vary>(std::move(v)));
    plan.vary_keys.push_back(vary.back().key);
  }
  auto points = grid_points(vary);
  if (auto* e = std::get_if<std::string>(&points)) return usage_error(*e);
  plan.points = std::get<std::vector<GridPoint>>(std::move(points));
  if (auto rc = read_budgets(r, plan)) return *rc;
  if (auto rc = prepare_points(r, plan)) return *rc;
  plan.first_seed = r.seed_given ? r.first_seed : plan.scenario->seed;
  plan.profile = plan.prepared.front().profile.name;
  for (const models::RuleSpec& rule : plan.prepared.front().profile.rules)
    plan.rules.push_back(rule.name);
  for (const models::RuleSpec& rule : plan.scenario->rules) plan.rules.push_back(rule.name);
  for (const std::string_view p : kSafetyProperties) plan.rules.emplace_back(p);
  plan.sweep_id =
      sweep_identity(r, plan, std::get_if<std::string>(&bytes) ? std::get<std::string>(bytes) : "");
  return plan;
}

// The results file: --results, or bootsim-sweep-ID.runs beside --out (or here).
std::string results_path(const Request& r, const Plan& plan) {
  if (r.results) return *r.results;
  std::filesystem::path dir = ".";
  if (r.out != "-" && !r.out.empty()) dir = std::filesystem::path(r.out).parent_path();
  if (dir.empty()) dir = ".";
  return (dir / fmt::format("bootsim-sweep-{:016x}.runs", plan.sweep_id)).string();
}

SweepInfo sweep_info(const Request& r, const Plan& plan) {
  SweepInfo info;
  info.scenario = plan.scenario->name;
  info.scenario_file = plan.scenario->file;
  info.profile = plan.profile;
  info.version = BOOTSIM_VERSION;
  info.first_seed = plan.first_seed;
  info.runs = plan.runs;
  info.vary_keys = plan.vary_keys;
  info.settings = r.set_specs;
  info.faults = r.fault_specs;
  return info;
}

int interrupted(const RunnerStatus& st, const std::string& results, std::size_t done,
                std::size_t total) {
  std::cerr << fmt::format(
      "bootsim: interrupted ({}) after {} of {} runs, kept in '{}'; to finish, run the same "
      "command with --resume\n",
      st.signal == SIGINT ? "SIGINT" : "SIGTERM", done, total, results);
  return 128 + st.signal;
}

// A sweep ready to run in this process. The process that writes (a sweep alone, or rank 0 of an
// MPI job) also holds the output target and the results file, with the runs already in it.
struct Sweep {
  Request request;
  const SweepFormat* format = nullptr;
  std::optional<tools::OutputTarget> out;
  Plan plan;
  std::string results;
  std::optional<Journal> journal;
  std::vector<std::optional<RunRecord>> records;  // by run index
};

// Everything before the first run, or an exit code.
std::variant<Sweep, int> prepare_sweep(const std::vector<std::string>& args, bool writer) {
  auto req = read_request(args);
  if (auto* rc = std::get_if<int>(&req)) return *rc;
  Sweep s;
  s.request = std::get<Request>(std::move(req));
  const Request& r = s.request;
  s.format = find_sweep_format(r.format);
  if (s.format == nullptr) {
    return usage_error(
        fmt::format("--format must be {}, got '{}'", sweep_format_names(), r.format));
  }
  if (writer) {
    auto out = tools::OutputTarget::prepare(r.out);
    if (auto* e = std::get_if<std::string>(&out)) return usage_error(*e);
    s.out.emplace(std::get<tools::OutputTarget>(std::move(out)));
  }
  auto built = build_plan(r);
  if (auto* rc = std::get_if<int>(&built)) return *rc;
  s.plan = std::get<Plan>(std::move(built));
  s.records.resize(s.plan.prepared.size() * s.plan.runs);
  if (!writer) return s;
  s.results = results_path(r, s.plan);
  auto journal = Journal::open(s.results, s.plan.sweep_id, s.records.size(), r.resume, s.records);
  if (auto* e = std::get_if<std::string>(&journal)) return usage_error(*e);
  s.journal.emplace(std::get<Journal>(std::move(journal)));
  return s;
}

// The end of a sweep in the process that writes: the error, the interruption, or the output.
// `pending`: the runs this invocation had to do (the others were in the results file).
int finish(Sweep& s, const RunnerStatus& st, std::size_t pending) {
  if (!st.error.empty()) return usage_error(st.error);
  const std::size_t total = s.records.size();
  if (st.signal != 0) return interrupted(st, s.results, total - pending + st.done, total);
  std::vector<RunRecord> all;
  for (auto& rec : s.records) all.push_back(std::move(*rec));
  const SweepSummary summary =
      summarize(sweep_info(s.request, s.plan), s.plan.points, s.plan.budgets, s.plan.rules, all);
  if (auto e = s.out->write(s.format->render(summary, all))) return usage_error(*e);
  if (!s.request.results) std::filesystem::remove(s.results);
  return summary.ok() ? kExitOk : kExitChecksFailed;
}

// --- A sweep over the ranks of an MPI job (README.md, "Sweeps on a cluster") ---------------------
// Every rank reads the scenario and builds the same plan; rank 0 alone holds the output and the
// results file (so --resume works as without MPI). The runs not yet in the results file are dealt
// round-robin: the j-th of them goes to rank j mod K, a fixed assignment. Each rank runs its
// share on --jobs threads, then sends its records (results-file lines, checksummed) to rank 0,
// which appends them to the results file and writes the output from the same records a single
// process would have: the same bytes. A killed job loses only the runs of ranks other than 0
// that were not yet gathered; --resume does them again.

constexpr int kReady = -1;

// Standard output and error of a rank other than 0, kept instead of printed: rank 0 speaks.
class Captured {
 public:
  explicit Captured(bool active) : active_(active) {
    if (!active_) return;
    out_ = std::cout.rdbuf(text_.rdbuf());
    err_ = std::cerr.rdbuf(text_.rdbuf());
  }
  ~Captured() {
    if (!active_) return;
    std::cout.rdbuf(out_);
    std::cerr.rdbuf(err_);
  }
  Captured(const Captured&) = delete;
  Captured& operator=(const Captured&) = delete;
  std::string text() const { return text_.str(); }

 private:
  bool active_;
  std::ostringstream text_;
  std::streambuf* out_ = nullptr;
  std::streambuf* err_ = nullptr;
};

// Whether every rank is ready (nullopt) or the exit code all of them take: rank 0's own, or 2
// after printing the message of the first other rank that could not prepare.
std::optional<int> agree(const Ranks& ranks, int rc, const std::string& message) {
  const auto all = ranks.gather(fmt::format("{}\n{}", rc, message));
  std::string verdict = rc == kReady ? "go" : std::to_string(rc);
  for (std::size_t r = 1; verdict == "go" && r < all.size(); ++r) {
    const auto nl = all[r].find('\n');
    if (all[r].substr(0, nl) == std::to_string(kReady)) continue;
    std::cerr << fmt::format("bootsim: error: rank {} could not prepare the sweep:\n{}", r,
                             all[r].substr(nl + 1));
    verdict = std::to_string(kExitBadInput);
  }
  verdict = ranks.broadcast(verdict);
  if (verdict == "go") return std::nullopt;
  return parse_number<int>(verdict).value_or(kExitBadInput);
}

// This rank's share of the runs rank 0 has not got yet (`missing[i]` is '1' for run i).
std::vector<std::uint64_t> share_of(const std::string& missing, const Ranks& ranks) {
  std::vector<std::uint64_t> mine;
  std::size_t j = 0;
  for (std::uint64_t i = 0; i < missing.size(); ++i) {
    if (missing[i] != '1') continue;
    if (j++ % static_cast<std::size_t>(ranks.size()) == static_cast<std::size_t>(ranks.rank()))
      mine.push_back(i);
  }
  return mine;
}

// What a rank sends rank 0: "signal<TAB>done<TAB>error" then one results-file line per run.
std::string rank_report(const RunnerStatus& st, std::span<const std::uint64_t> mine,
                        const std::vector<std::optional<RunRecord>>& records) {
  std::string error = st.error;
  std::replace(error.begin(), error.end(), '\n', ' ');
  std::string text = fmt::format("{}\t{}\t{}\n", st.signal, st.done, error);
  for (const std::uint64_t i : mine) {
    if (records[i]) text += to_line(*records[i]);
  }
  return text;
}

// Rank 0: another rank's report merged into the records, the results file and `st`.
void merge_report(std::size_t rank, const std::string& report, Sweep& s, RunnerStatus& st) {
  std::istringstream in(report);
  std::string head, line;
  std::getline(in, head);
  const auto t1 = head.find('\t'), t2 = head.find('\t', t1 + 1);
  st.signal = std::max(st.signal, parse_number<int>(head.substr(0, t1)).value_or(0));
  st.done += parse_number<std::size_t>(head.substr(t1 + 1, t2 - t1 - 1)).value_or(0);
  if (st.error.empty() && t2 + 1 < head.size()) st.error = head.substr(t2 + 1);
  while (std::getline(in, line)) {
    auto rec = from_line(line);
    if (!rec || rec->index >= s.records.size()) {
      if (st.error.empty()) st.error = fmt::format("rank {} sent a damaged record", rank);
      return;
    }
    if (auto e = s.journal->append(*rec); e && st.error.empty()) st.error = *e;
    s.records[rec->index] = std::move(*rec);
  }
}

int sweep_on_ranks(const std::vector<std::string>& args, const Ranks& ranks) {
  std::string message;
  auto prepared = [&] {
    const Captured quiet(!ranks.root());
    auto p = prepare_sweep(args, ranks.root());
    message = quiet.text();
    return p;
  }();
  const int* failed = std::get_if<int>(&prepared);
  if (auto rc = agree(ranks, failed != nullptr ? *failed : kReady, message)) return *rc;
  Sweep& s = std::get<Sweep>(prepared);
  std::string missing(s.records.size(), '0');
  for (std::size_t i = 0; i < missing.size(); ++i) missing[i] = s.records[i] ? '0' : '1';
  missing = ranks.broadcast(missing);
  const auto mine = share_of(missing, ranks);
  const Runner runner(s.plan.prepared, s.plan.runs, s.plan.first_seed);
  const RunnerOptions options{s.request.jobs, s.journal ? &*s.journal : nullptr, false};
  RunnerStatus st = runner.run(mine, options, s.records);
  const auto reports = ranks.gather(rank_report(st, mine, s.records));
  int rc = kExitOk;
  if (ranks.root()) {
    for (std::size_t r = 1; r < reports.size(); ++r) merge_report(r, reports[r], s, st);
    if (auto e = s.journal->sync(); e && st.error.empty()) st.error = *e;
    rc = finish(s, st, static_cast<std::size_t>(std::count(missing.begin(), missing.end(), '1')));
  }
  return parse_number<int>(ranks.broadcast(std::to_string(rc))).value_or(kExitBadInput);
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
  const auto joined = Ranks::join();
  if (const auto* e = std::get_if<std::string>(&joined)) return usage_error(*e);
  const Ranks& ranks = std::get<Ranks>(joined);
  if (ranks.size() > 1) return sweep_on_ranks(args, ranks);
  auto prepared = prepare_sweep(args, true);
  if (auto* rc = std::get_if<int>(&prepared)) return *rc;
  Sweep& s = std::get<Sweep>(prepared);
  std::vector<std::uint64_t> pending;
  for (std::uint64_t i = 0; i < s.records.size(); ++i) {
    if (!s.records[i]) pending.push_back(i);
  }
  const Runner runner(s.plan.prepared, s.plan.runs, s.plan.first_seed);
  const RunnerOptions options{s.request.jobs, &*s.journal, ::isatty(STDERR_FILENO) == 1};
  const RunnerStatus st = runner.run(pending, options, s.records);
  return finish(s, st, pending.size());
}

}  // namespace bootsim::sweep
