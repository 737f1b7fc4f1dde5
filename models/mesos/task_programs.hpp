// TaskPrograms: what a Mesos task runs, by task name — the command of its TaskInfo. An agent
// starts each task in a process of its own and execs the program registered under the task's
// name, as a real executor runs the task's command; a task without a program just runs (an
// instance of an installed service, say).
//
//   TaskPrograms programs;                         // one per run: RunContext::provide
//   programs.add("kafka-scheduler", kafka);        // kafka: a TaskProgram the run owns
//   if (TaskProgram* p = programs.find(task)) p->on_exec(task_process);  // in the agent
//
// Contract: the run owns the programs, which outlive every agent; a name is added once
// (asserted). Lookups are by exact name in an ordered map: deterministic, O(log n).
#pragma once

#include <cassert>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "sim/network.hpp"

namespace bootsim::models {

// The program of a task, e.g. an installed service's scheduler that Marathon launches.
class TaskProgram {
 public:
  virtual ~TaskProgram() = default;
  // The agent started the task's process, `process` (up in the network): run in it.
  virtual void on_exec(sim::ProcessId process) = 0;
};

class TaskPrograms {
 public:
  void add(std::string task, TaskProgram& program) {
    const bool added = programs_.emplace(std::move(task), &program).second;
    assert(added && "a task program registered twice");
    (void)added;
  }
  // nullptr: the task has no program of its own.
  TaskProgram* find(std::string_view task) const {
    const auto it = programs_.find(task);
    return it == programs_.end() ? nullptr : it->second;
  }

 private:
  std::map<std::string, TaskProgram*, std::less<>> programs_;
};

}  // namespace bootsim::models
