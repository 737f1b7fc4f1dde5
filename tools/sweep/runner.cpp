#include "tools/sweep/runner.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

namespace bootsim::sweep {

namespace {

using Clock = std::chrono::steady_clock;

// What the worker threads hand to the calling thread.
struct Mailbox {
  std::mutex mutex;
  std::deque<RunRecord> finished;
  std::string error;
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> next{0};
};

class Progress {
 public:
  Progress(bool enabled, std::size_t total, std::size_t already)
      : enabled_(enabled), total_(total), already_(already) {}

  void show(std::size_t done_now) {
    if (!enabled_) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done_now) / elapsed : 0;
    const std::size_t done = already_ + done_now;
    std::string left = "?";
    if (rate > 0) left = fmt::format("{:.0f}s", static_cast<double>(total_ - done) / rate);
    std::fprintf(stderr, "\r\033[Ksweep: %zu/%zu runs, %.1f runs/s, about %s left", done, total_,
                 rate, left.c_str());
    std::fflush(stderr);
  }
  void clear() {
    if (enabled_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
  std::size_t total_, already_;
  Clock::time_point start_ = Clock::now();
};

// Blocks SIGINT and SIGTERM in this thread (and the threads it starts) while alive.
class BlockedSignals {
 public:
  BlockedSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~BlockedSignals() { unblock(); }
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;
  // The signal taken within `wait`, or 0.
  int take(std::chrono::milliseconds wait) const {
    const timespec ts{0, static_cast<long>(wait.count()) * 1'000'000L};
    const int sig = sigtimedwait(&set_, nullptr, &ts);
    return sig > 0 ? sig : 0;
  }
  void unblock() {
    if (!blocked_) return;
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    blocked_ = false;
  }

 private:
  sigset_t set_{}, old_{};
  bool blocked_ = true;
};

}  // namespace

std::variant<RunRecord, std::string> Runner::run_one(std::uint64_t index) const {
  const auto& point = points_[index / runs_];
  try {
    auto result = models::execute(point, seed_of(index));
    if (auto* e = std::get_if<models::InputError>(&result)) return e->format();
    return make_record(index, std::get<models::RunResult>(result));
  } catch (const std::exception& e) {
    return fmt::format("run {} (seed {}): {}", index, seed_of(index), e.what());
  }
}

RunnerStatus Runner::run(std::span<const std::uint64_t> pending, const RunnerOptions& options,
                         std::vector<std::optional<RunRecord>>& records) const {
  RunnerStatus status;
  BlockedSignals signals;
  Mailbox box;
  auto work = [&] {
    for (;;) {
      if (box.stop) return;
      const std::size_t i = box.next++;
      if (i >= pending.size()) return;
      auto rec = run_one(pending[i]);
      const std::lock_guard lock(box.mutex);
      if (auto* e = std::get_if<std::string>(&rec)) {
        if (box.error.empty()) box.error = *e;
        box.stop = true;
      } else {
        box.finished.push_back(std::get<RunRecord>(std::move(rec)));
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < std::max<std::size_t>(1, options.jobs); ++t)
    threads.emplace_back(work);
  Progress progress(options.progress, total(), total() - pending.size());
  auto drain = [&] {
    std::deque<RunRecord> got;
    {
      const std::lock_guard lock(box.mutex);
      got.swap(box.finished);
    }
    for (RunRecord& r : got) {
      if (options.journal != nullptr && status.error.empty()) {
        if (auto e = options.journal->append(r)) {
          status.error = *e;
          box.stop = true;
        }
      }
      const std::uint64_t index = r.index;
      records[index] = std::move(r);
      ++status.done;
    }
  };
  while (status.done < pending.size() && !box.stop) {
    if (const int sig = signals.take(std::chrono::milliseconds(200))) {
      status.signal = sig;
      box.stop = true;
      signals.unblock();  // a second signal ends the process as usual
    }
    drain();
    progress.show(status.done);
  }
  for (std::thread& t : threads) t.join();
  drain();
  progress.clear();
  if (options.journal != nullptr) {
    if (auto e = options.journal->sync(); e && status.error.empty()) status.error = *e;
  }
  if (status.error.empty()) status.error = box.error;
  return status;
}

}  // namespace bootsim::sweep
