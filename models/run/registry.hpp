// The registry of every model a run can build: one registration line per component folder.
//
//   const ModelRegistry registry = standard_registry();
//   if (!registry.accepts(gate)) ...;
//
// Contract: a fresh value per call (no shared state); the factories need only the RunContext,
// whose shared components (ensemble, Marathon's apps, task programs) the
// run provides before building any unit.
#pragma once

#include "models/core/registry.hpp"

namespace bootsim::models {

ModelRegistry standard_registry();

}  // namespace bootsim::models
