#include "models/systemd/systemd_unit.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cassert>

namespace bootsim::models {

std::string_view to_string(UnitState s) {
  switch (s) {
    case UnitState::kInactive:
      return "inactive";
    case UnitState::kStartPre:
      return "start-pre";
    case UnitState::kStarting:
      return "starting";
    case UnitState::kActive:
      return "active";
    case UnitState::kAutoRestart:
      return "auto-restart";
    case UnitState::kPaused:
      return "paused";
  }
  return "?";
}

SystemdUnit::SystemdUnit(RunContext& ctx, UnitSite site, const UnitDef& def,
                         std::vector<std::unique_ptr<Gate>> gates,
                         std::unique_ptr<UnitProcess> process, bool wanted_at_boot)
    : ctx_(ctx),
      site_(std::move(site)),
      def_(def),
      gates_(std::move(gates)),
      process_(std::move(process)),
      main_(ctx.network().add_process(site_.node, def.name)),
      wanted_at_boot_(wanted_at_boot) {
  assert(gates_.size() == def.gates.size() && "one gate object per ExecStartPre step");
  ctx_.host(site_.node).add_unit_process(def_.name, main_, *this);
}

std::optional<sim::RecordId> SystemdUnit::transition(UnitState next, std::string_view why,
                                                     sim::ArgList args) {
  if (next == state_) return std::nullopt;
  const sim::RecordId id = ctx_.state_change(site_.node_name, def_.name, to_string(state_),
                                             to_string(next), std::string(why), args);
  state_ = next;
  return id;
}

void SystemdUnit::order_after(SystemdUnit& other) {
  after_.push_back(&other);
  other.waiters_.push_back(this);
}

bool SystemdUnit::after_satisfied() const {
  for (const SystemdUnit* u : after_) {
    if (!u->start_job_done_) return false;
  }
  return true;
}

// After= orders start jobs within one transaction: a unit's job waits until the jobs of the
// units it is ordered after have finished, successfully or not (a failed ExecStartPre ends the
// job too). Type=simple units finish their job at exec; Type=notify is not distinguished.
void SystemdUnit::start_job_done() {
  if (start_job_done_) return;
  start_job_done_ = true;
  for (SystemdUnit* w : waiters_) {
    if (w->waiting_for_after_ && w->after_satisfied()) {
      w->waiting_for_after_ = false;
      w->attempt();
    }
  }
}

void SystemdUnit::boot() {
  ++token_;
  attempts_ = 0;
  first_attempt_ = ctx_.now();
  active_since_.reset();
  start_job_done_ = false;
  // Milestones of gates are reported again when reached again after a reboot.
  gates_passed_this_boot_ = 0;
  if (def_.on_calendar > sim::SimTime{}) arm_calendar();
  if (!wanted_at_boot_) return;
  if (def_.type == UnitType::kTimer) {
    const std::uint64_t token = token_;
    ctx_.network().after(site_.probe, def_.on_boot_sec, [this, token] {
      if (token == token_) fire_timer();
    });
    return;
  }
  if (!after_satisfied()) {
    waiting_for_after_ = true;
    ctx_.event(site_.node_name, def_.name, "waiting", "After= ordering");
    return;
  }
  attempt();
}

void SystemdUnit::fire_timer() {
  // A timer unit activates its service; OnUnitActiveSec counts from that activation.
  if (main_running_) {
    // The service still runs (a slow or paused oneshot): the start job merges into the running
    // one. When the service deactivates, systemd computes the next elapse from its last
    // activation plus OnUnitActiveSec; that time having passed, the timer elapses at once
    // (systemd src/core/timer.c, timer_trigger_notify -> timer_enter_waiting).
    timer_due_ = true;
    return;
  }
  ++attempts_;
  attempt_began_ = ctx_.now();
  transition(UnitState::kStarting, "timer elapsed");
  ctx_.network().start_process(main_);
  main_running_ = true;
  const std::uint64_t token = token_;
  ctx_.network().after(site_.probe, def_.on_unit_active_sec, [this, token] {
    if (token == token_) fire_timer();
  });
  process_->on_exec(site_, main_, *this);
}

// The oneshot behind a timer has finished (cleanly or not): an elapse it overran fires now, on
// the unit's own probe process (not inside the finishing process's callback).
void SystemdUnit::oneshot_done() {
  if (!timer_due_) return;
  timer_due_ = false;
  const std::uint64_t token = token_;
  ctx_.network().after(site_.probe, sim::SimTime::zero(), [this, token] {
    if (token == token_) fire_timer();
  });
}

// OnCalendar=: the timer elapses at each multiple of the period on the wall clock, whenever
// the host booted (assumption: the run's t = 0 is such a multiple, e.g. the top of an hour;
// AccuracySec= coalescing is not modelled). It starts the service only when it is inactive:
// an active or starting service is left alone, and one waiting out RestartSec keeps its
// restart (systemd queues the start job behind it).
void SystemdUnit::arm_calendar() {
  const std::uint64_t token = ++calendar_token_;
  const sim::SimTime now = ctx_.now();
  const sim::SimTime next = def_.on_calendar * (now.ns() / def_.on_calendar.ns() + 1);
  ctx_.network().after(site_.probe, next - now, [this, token] {
    if (token != calendar_token_) return;
    if (state_ == UnitState::kInactive) {
      ctx_.event(site_.node_name, def_.name, "timer", "OnCalendar elapsed");
      attempt();
    }
    arm_calendar();
  });
}

void SystemdUnit::attempt() {
  ++attempts_;
  const std::uint64_t token = ++token_;
  attempt_began_ = ctx_.now();
  last_gate_cause_.reset();
  transition(UnitState::kStartPre, fmt::format("attempt {}", attempts_),
             {sim::arg_int("attempt", attempts_)});
  run_gate(0, token);
}

void SystemdUnit::run_gate(std::size_t index, std::uint64_t token) {
  if (index == gates_.size()) {
    exec_main(last_gate_cause_);
    return;
  }
  gates_[index]->probe(site_, [this, index, token](GateResult result) {
    if (token != token_ || state_ != UnitState::kStartPre) return;  // a stale attempt
    if (!result.ok) {
      ctx_.typed_event(
          sim::RecordType::kGateFailed, site_.node_name, def_.name, "gate_failed",
          fmt::format("{}: {}", gates_[index]->name(), result.reason),
          {sim::arg_text("gate", gates_[index]->name()), sim::arg_text("reason", result.reason),
           sim::arg_int("index", static_cast<std::int64_t>(index))});
      schedule_restart();
      start_job_done();
      return;
    }
    // The condition established last is the one that held the unit back: keep its cause.
    last_gate_cause_ = RunContext::later(last_gate_cause_, result.cause);
    const GateDef& gd = def_.gates[index];
    if (index == gates_passed_this_boot_) {  // its first pass in this boot
      ++gates_passed_this_boot_;
      if (!gd.milestone.empty()) {
        ctx_.milestone(site_.node_name, gd.milestone, std::string(gates_[index]->name()),
                       result.cause);
      }
    }
    run_gate(index + 1, token);
  });
}

void SystemdUnit::exec_main(std::optional<sim::RecordId> cause) {
  gates_passed_at_ = ctx_.now();
  if (!gates_.empty()) {
    ctx_.trace().span(first_attempt_, ctx_.now(), site_.node_name, def_.name, "gates",
                      fmt::format("{} attempt(s)", attempts_), cause);
  }
  exec_record_ = ctx_.keep(ctx_.event(site_.node_name, def_.name, "exec", {}, cause));
  transition(UnitState::kStarting, "ExecStartPre passed");
  ctx_.network().start_process(main_);
  main_running_ = true;
  process_->on_exec(site_, main_, *this);
  start_job_done();
}

std::optional<sim::RecordId> SystemdUnit::mark_started(std::string detail) {
  if (def_.type == UnitType::kTimer) {
    // A oneshot service behind a timer: done; the process exits cleanly.
    const auto id = transition(UnitState::kInactive, detail);
    if (id) ctx_.keep(*id);  // what started means, for the caller's causes
    stop_main();
    oneshot_done();
    return id;
  }
  if (state_ != UnitState::kStarting) return std::nullopt;
  transition(UnitState::kActive, detail);
  active_since_ = ctx_.now();
  const sim::RecordId span = ctx_.trace().span(gates_passed_at_, ctx_.now(), site_.node_name,
                                               def_.name, "start", {}, exec_record_);
  if (def_.milestone.empty()) return ctx_.keep(span);
  return ctx_.milestone(site_.node_name, def_.milestone, std::move(detail), exec_record_);
}

void SystemdUnit::stop_main() {
  if (!main_running_) return;
  main_running_ = false;
  ctx_.network().crash_process(main_);
  process_->on_exit();
  report_exit();
}

void SystemdUnit::report_exit() {
  ctx_.process_exited(ProcessExit{site_.node_name, def_.name, def_.process, main_});
}

void SystemdUnit::exit(std::string reason) {
  if (state_ != UnitState::kStarting && state_ != UnitState::kActive) return;
  ctx_.typed_event(sim::RecordType::kProcessExit, site_.node_name, def_.name, "exited", reason,
                   {sim::arg_text("reason", reason)});
  stop_main();
  active_since_.reset();
  schedule_restart();
}

void SystemdUnit::finished(std::string detail) {
  if (state_ != UnitState::kStarting && state_ != UnitState::kActive) return;
  ctx_.typed_event(sim::RecordType::kProcessExit, site_.node_name, def_.name, "exited",
                   "status 0: " + detail, {sim::arg_text("reason", "status 0: " + detail)});
  stop_main();
  active_since_.reset();
  if (def_.restart == RestartPolicy::kAlways) {
    schedule_restart();
  } else {
    transition(UnitState::kInactive, "exited cleanly (Restart=on-failure)");
  }
}

void SystemdUnit::schedule_restart() {
  if (def_.type == UnitType::kTimer) {
    transition(UnitState::kInactive, "the timer starts it again");
    oneshot_done();
    return;
  }
  transition(UnitState::kAutoRestart,
             fmt::format("RestartSec={}", sim::format_duration(def_.restart_sec)),
             {sim::arg_duration("restart_sec", def_.restart_sec)});
  const std::uint64_t token = ++token_;
  // Restart=always with StartLimitInterval=0: systemd retries forever.
  restart_timer_ = ctx_.network().after(site_.probe, def_.restart_sec, [this, token] {
    if (token == token_) attempt();
  });
}

void SystemdUnit::host_down() {
  ++token_;
  ++calendar_token_;
  timer_due_ = false;
  hangup_held_ = false;
  // A new boot is a new transaction: the host's units boot one by one, and a unit ordered
  // After= one that boots later must not see that unit's job as done from the previous boot.
  start_job_done_ = false;
  waiting_for_after_ = false;
  if (main_running_) {
    main_running_ = false;
    process_->on_exit();  // the network already dropped the process with its host
    report_exit();
  }
  active_since_.reset();
  transition(UnitState::kInactive, "host down");
}

void SystemdUnit::kill_process(std::string reason) {
  if (def_.type == UnitType::kTimer) return;
  if (state_ == UnitState::kPaused) state_ = UnitState::kActive;
  if (state_ == UnitState::kStarting || state_ == UnitState::kActive) {
    exit("killed: " + reason);
  }
}

void SystemdUnit::stop_by_operator(std::string reason) {
  if (def_.type == UnitType::kTimer || state_ == UnitState::kInactive) return;
  ++token_;  // stale: a gate still probing, a RestartSec wait
  ctx_.network().cancel(restart_timer_);
  if (state_ == UnitState::kPaused) ctx_.network().resume_process(main_);  // SIGKILL ends it
  if (main_running_) ctx_.event(site_.node_name, def_.name, "exited", "killed: " + reason);
  stop_main();
  active_since_.reset();
  transition(UnitState::kInactive, "systemctl stop");
}

void SystemdUnit::start_by_operator() {
  if (def_.type == UnitType::kTimer || state_ != UnitState::kInactive) return;
  if (!ctx_.network().node_up(site_.node)) return;
  attempt();
}

void SystemdUnit::pause_process() {
  if (state_ != UnitState::kActive && state_ != UnitState::kStarting) return;
  ctx_.network().pause_process(main_);
  transition(UnitState::kPaused, "SIGSTOP");
}

void SystemdUnit::resume_process() {
  if (state_ != UnitState::kPaused) return;
  ctx_.network().resume_process(main_);
  transition(active_since_ ? UnitState::kActive : UnitState::kStarting, "SIGCONT");
  if (hangup_held_) {
    hangup_held_ = false;
    process_->on_hangup();
  }
}

void SystemdUnit::deliver(Signal s, std::string_view sender) {
  if (!main_running_) return;
  const std::string from = fmt::format("{} from {}", to_string(s), sender);
  ctx_.event(site_.node_name, def_.name, "signalled", from);
  if (s == Signal::kKill) return kill_process(from);
  if (state_ == UnitState::kPaused) {
    hangup_held_ = true;  // pending until SIGCONT
    return;
  }
  process_->on_hangup();
}

}  // namespace bootsim::models
