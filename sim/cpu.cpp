#include "sim/cpu.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <utility>
#include <vector>

namespace bootsim::sim {

namespace {
// Work beyond this (about 106 days of CPU time) is clamped so that ns x millicores fits int64.
constexpr std::int64_t kMaxWorkNs = std::int64_t{9'000'000'000'000'000} / 1000;
}  // namespace

SharedCpu::SharedCpu(Engine& engine, std::int64_t cores_milli)
    : engine_(engine), cores_milli_(cores_milli), last_change_(engine.now()) {
  assert(cores_milli > 0 && "a CPU has positive capacity");
}

SharedCpu::~SharedCpu() {
  engine_.cancel(timer_);
}

std::int64_t SharedCpu::rate(const Job& job) const {
  // cores x threads / total, in millicores; both factors are at most about 1e9.
  const std::int64_t share = cores_milli_ * job.threads / std::max<std::int64_t>(1, threads_total_);
  return std::max<std::int64_t>(1, std::min(job.threads, share));
}

void SharedCpu::advance() {
  const std::int64_t elapsed = (engine_.now() - last_change_).ns();
  last_change_ = engine_.now();
  if (elapsed <= 0 || jobs_.empty()) return;
  for (auto& [id, job] : jobs_) {
    job.remaining = std::max<std::int64_t>(0, job.remaining - elapsed * rate(job));
  }
}

void SharedCpu::reschedule() {
  engine_.cancel(timer_);
  timer_ = TimerId{};
  if (jobs_.empty()) return;
  std::int64_t wait_ns = std::numeric_limits<std::int64_t>::max();
  for (const auto& [id, job] : jobs_) {
    const std::int64_t r = rate(job);
    wait_ns = std::min(wait_ns, (job.remaining + r - 1) / r);  // rounded up: done by then
  }
  timer_ = engine_.schedule_after(nanoseconds(wait_ns), [this] { on_timer(); });
}

void SharedCpu::on_timer() {
  timer_ = TimerId{};
  advance();
  std::vector<std::function<void()>> finished;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (it->second.remaining == 0) {
      threads_total_ -= it->second.threads;
      finished.push_back(std::move(it->second.done));
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
  reschedule();
  for (auto& done : finished) done();  // may submit or cancel jobs: the state is consistent
}

SharedCpu::JobId SharedCpu::run(SimTime work, std::int64_t threads_milli,
                                std::function<void()> done) {
  assert(threads_milli > 0 && "a job has threads");
  advance();
  const std::int64_t ns = std::clamp<std::int64_t>(work.ns(), 0, kMaxWorkNs);
  const std::int64_t threads = std::clamp<std::int64_t>(threads_milli, 1, 1'000'000);
  const JobId id = next_id_++;
  jobs_.emplace(id, Job{ns * 1000, threads, std::move(done)});
  threads_total_ += threads;
  reschedule();
  return id;
}

bool SharedCpu::cancel(JobId job) {
  advance();
  const auto it = jobs_.find(job);
  const bool erased = it != jobs_.end();
  if (erased) {
    threads_total_ -= it->second.threads;
    jobs_.erase(it);
  }
  reschedule();
  return erased;
}

}  // namespace bootsim::sim
