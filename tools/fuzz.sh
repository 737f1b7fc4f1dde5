#!/usr/bin/env bash
# Runs the libFuzzer targets (tools/fuzz/) for a while each: the loaders of scenarios and
# profiles, the parsers of --fault, --set, durations and distributions, under AddressSanitizer
# and UBSan.
#
#   tools/fuzz.sh [SECONDS] [TARGET...]   SECONDS per target (default 600); TARGET is one of
#                                         scenario profile fault set duration distribution
#                                         (default all)
#
# Builds build-asan/ first if needed (Clang 14: the Debian packages clang-14 and
# libclang-rt-14-dev; tools/setup.sh installs them). Targets run two at a time
# (BOOTSIM_FUZZ_JOBS=N: N at a time). What a run finds new stays in
# build-asan/fuzz-corpus/TARGET/ for the next run; the seeds are tools/fuzz/corpus/TARGET/, and
# for the loaders scenarios/, tests/scenarios/, tests/golden/, models/dcos/profiles/ and
# tests/profiles/. A crash, a sanitizer report or a failed property leaves its input in
# build-asan/fuzz-findings/ and makes the exit status 1; replay it with
#   build-asan/fuzz/fuzz_TARGET FILE
# and turn it into a regression test (tests/*_test.cpp or tests/scenarios/bad/) before fixing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
all=(scenario profile fault set duration distribution)

seconds="${1:-600}"
[[ $# -gt 0 ]] && shift
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: tools/fuzz.sh [SECONDS] [TARGET...]  (TARGET: ${all[*]})" >&2
  exit 2
fi
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all[@]}")
for t in "${targets[@]}"; do
  if [[ " ${all[*]} " != *" $t "* ]]; then
    echo "fuzz.sh: unknown target '$t' (expected one of: ${all[*]})" >&2
    exit 2
  fi
done

build=build-asan
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug \
    "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" -DBOOTSIM_SANITIZE=ON -DBOOTSIM_FUZZ=ON \
    -DCMAKE_UNITY_BUILD=ON \
    >/dev/null
fi
cmake --build "$build" --target "${targets[@]/#/fuzz_}" >/dev/null

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
mkdir -p "$build/fuzz-findings" "$build/fuzz-logs"

run_one() {  # target
  local t="$1"
  local corpus="$build/fuzz-corpus/$t"
  local seeds=("tools/fuzz/corpus/$t")
  local max_len=4096
  if [[ "$t" == scenario ]]; then
    seeds=(scenarios tests/scenarios tests/golden)
    max_len=65536
  elif [[ "$t" == profile ]]; then
    seeds=(models/dcos/profiles tests/profiles)
    max_len=65536
  fi
  mkdir -p "$corpus"
  # The first directory receives what the run finds; the seed directories are only read.
  "$build/fuzz/fuzz_$t" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-findings/$t-" >"$build/fuzz-logs/$t.log" 2>&1
}

# How many targets run at once: two by default (each has a core on a 2-core machine);
# BOOTSIM_FUZZ_JOBS=N for more (CI runs all six at once, sharing the cores, to keep its time).
jobs="$(nproc 2>/dev/null || echo 2)"
[[ "$jobs" -gt 2 ]] && jobs=2
if [[ -n "${BOOTSIM_FUZZ_JOBS:-}" ]]; then
  if ! [[ "$BOOTSIM_FUZZ_JOBS" =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz.sh: BOOTSIM_FUZZ_JOBS must be a positive integer" >&2
    exit 2
  fi
  jobs="$BOOTSIM_FUZZ_JOBS"
fi
declare -A pid_of=()
status=0
finish() {  # target
  local t="$1"
  if wait "${pid_of[$t]}"; then
    echo "fuzz: $t: $(grep -E '^stat::number_of_executed_units' "$build/fuzz-logs/$t.log" |
      awk '{print $2}') inputs in ${seconds}s, no finding"
  else
    status=1
    echo "fuzz: $t: FINDING (log: $build/fuzz-logs/$t.log)"
    grep -E 'ERROR|runtime error|fuzz: |Test unit written' "$build/fuzz-logs/$t.log" | head -n 5
  fi
}
running=()
for t in "${targets[@]}"; do
  run_one "$t" &
  pid_of[$t]=$!
  running+=("$t")
  if [[ ${#running[@]} -ge $jobs ]]; then
    finish "${running[0]}"
    running=("${running[@]:1}")
  fi
done
for t in "${running[@]}"; do finish "$t"; done
exit $status
