#!/usr/bin/env bash
# Set-up and entry script: installs the missing Debian packages, builds bootsim into build/ at the
# repository root, then runs the default scenario, runs the test suite, or stops after building.
#
#   tools/setup.sh run [ARGS…]   build, then: build/bootsim run scenarios/default.yaml ARGS…
#   tools/setup.sh test          what CI runs (through .ci/run), in three stages:
#                                1. build/ with warnings as errors; ctest --test-dir build
#                                2. build-asan/: Clang 14, AddressSanitizer + UBSan and the
#                                   libFuzzer targets, warnings as errors; the same tests
#                                   (less the source checks format and layering)
#                                3. tools/fuzz.sh 60: each fuzz target for 60 s, all six at once
#                                exit status 0 only if every stage passes; each prints its time
#   tools/setup.sh build         build only (the default)
#
# Only `test` builds with -Werror (BOOTSIM_WERROR=ON): a user's newer compiler may warn where
# Debian 12's does not, and that should not stop `run` or `build`. The option is passed every
# time, so switching modes on an existing build/ reconfigures it (and recompiles).
#
# Works from any directory. Packages are installed with apt-get as root, or through sudo;
# otherwise the script names what is missing and the command to install it, and exits 1.
# Paths given after `run` are relative to the repository root (the script runs from there).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: tools/setup.sh [run [ARGS...] | test | build]
  run    install missing packages, build, run build/bootsim run scenarios/default.yaml ARGS...
  test   install missing packages, build with warnings as errors, run the test suite (ctest),
         then again under AddressSanitizer + UBSan (build-asan/), then each fuzz target 60 s
  build  install missing packages and build into build/ (the default)
EOF
}

mode="${1:-build}"
case "$mode" in
  run | test | build) [[ $# -gt 0 ]] && shift ;;
  -h | --help) usage; exit 0 ;;
  *) echo "setup.sh: unknown command '$mode'" >&2; usage >&2; exit 2 ;;
esac
if [[ "$mode" != run && $# -gt 0 ]]; then
  echo "setup.sh: '$mode' takes no arguments" >&2
  usage >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DEBIAN_FRONTEND=noninteractive
jobs="$(nproc 2>/dev/null || echo 2)"

# --- 1. Debian packages --------------------------------------------------------------------------
# Debian 12 names. g++ alone is enough for a compiler: build-essential is what a fresh machine
# gets, but an installed g++ is not reinstalled. clang-format is for the format test; clang-14,
# libclang-rt-14-dev (the sanitizer and libFuzzer runtimes) and llvm-14 (llvm-symbolizer, for
# readable sanitizer reports) for the sanitizer build and the fuzz targets; libxml2-utils
# (xmllint) for the test that validates `bootsim sweep --format junit` against the JUnit schema;
# chromium for the test that renders the HTML report (test only: about 80 s of download and
# install on a fresh machine). nlohmann-json3-dev: `bootsim diff` and the tests read JSON back.
# mpi-default-dev and mpi-default-bin (Debian's Open MPI: libopenmpi-dev, openmpi-bin): a sweep
# split over the ranks of mpirun (BOOTSIM_MPI), and the test that runs two ranks.
# libgoogle-perftools-dev: tcmalloc, bootsim's malloc (BOOTSIM_TCMALLOC).
packages=(build-essential cmake ninja-build libboost-graph-dev libboost-program-options-dev
          libfmt-dev libyaml-cpp-dev nlohmann-json3-dev catch2 clang-format mpi-default-dev
          mpi-default-bin libgoogle-perftools-dev)
[[ "$mode" == test ]] && packages+=(clang-14 libclang-rt-14-dev llvm-14 libxml2-utils chromium)

installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${packages[@]}"; do
    if [[ "$p" == build-essential ]] && installed g++; then continue; fi
    installed "$p" || missing+=("$p")
  done
else
  echo "setup.sh: dpkg-query not found (not a Debian system?): skipping the package check" >&2
fi

if [[ ${#missing[@]} -gt 0 ]]; then
  install_cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [[ "$(id -u)" -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
  else
    echo "setup.sh: missing packages: ${missing[*]}" >&2
    echo "setup.sh: run as root, then run this script again:" >&2
    echo "  $install_cmd" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  apt_log="$(mktemp "${TMPDIR:-/tmp}/bootsim-apt.XXXXXX")"
  if ! { "${as_root[@]}" apt-get update -q &&
         "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
      >"$apt_log" 2>&1; then
    tail -n 30 "$apt_log" >&2
    echo "setup.sh: package installation failed (full log: $apt_log); the command was:" >&2
    echo "  $install_cmd" >&2
    exit 1
  fi
  rm -f "$apt_log"
fi

# --- 2. Configure and build ----------------------------------------------------------------------
# Ninja on a fresh tree; an existing build/ keeps the generator it was configured with.
# A unity build (CMAKE_UNITY_BUILD: each target's sources compiled eight to a file) parses the
# heavy headers (fmt, Boost, yaml-cpp, Catch2) once per batch rather than once per source. On a
# 2-core machine, bootsim and bench built fresh in 259 s against 358 s file by file (CPU time
# 393 s against 626 s). A plain `cmake -B` tree stays per-file, for quick rebuilds while editing.
mkdir -p build
generator=()
[[ -f build/CMakeCache.txt ]] || generator=(-G Ninja)
werror=OFF
[[ "$mode" == test ]] && werror=ON
if ! cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_UNITY_BUILD=ON -DBOOTSIM_WERROR="$werror" >build/setup-configure.log 2>&1; then
  cat build/setup-configure.log >&2
  echo "setup.sh: configuring failed (log: build/setup-configure.log)" >&2
  exit 1
fi
if ! cmake --build build -j "$jobs" >build/setup-build.log 2>&1; then
  cat build/setup-build.log >&2
  echo "setup.sh: the build failed (log: build/setup-build.log)" >&2
  exit 1
fi

# --- 3. Run, test or stop --------------------------------------------------------------------------
case "$mode" in
  run) exec build/bootsim run scenarios/default.yaml "$@" ;;
  build) echo "setup.sh: built build/bootsim"; exit 0 ;;
esac

# test: the suite on build/, then on the sanitizer build, then the fuzz targets. The first
# stage's time counts from the script's start (packages, configure and build included).
stage_start=0
stage() {  # name: prints the time since the previous stage
  echo "setup.sh: $1 ($((SECONDS - stage_start)) s)"
  stage_start=$SECONDS
}
status=0
stage "built build/"
# The HTML report's browser test runs here, never skipped: chromium was installed above.
BOOTSIM_REQUIRE_BROWSER=1 ctest --test-dir build --output-on-failure -j "$jobs" || status=1
stage "tests on build/ done"

# Clang with ASan + UBSan (any report aborts: the test fails) and libFuzzer's coverage
# instrumentation, -O1 to keep the build short; one tree for the sanitizer run and the fuzzers.
# Without MPI (BOOTSIM_MPI=OFF): build/ runs the MPI test; Open MPI itself is not instrumented.
mkdir -p build-asan
generator=()
[[ -f build-asan/CMakeCache.txt ]] || generator=(-G Ninja)
if ! cmake -S . -B build-asan "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" \
    -DBOOTSIM_SANITIZE=ON -DBOOTSIM_FUZZ=ON -DBOOTSIM_WERROR=ON -DBOOTSIM_MPI=OFF \
    -DCMAKE_UNITY_BUILD=ON \
    >build-asan/setup-configure.log 2>&1; then
  cat build-asan/setup-configure.log >&2
  echo "setup.sh: configuring build-asan/ failed (log: build-asan/setup-configure.log)" >&2
  exit 1
fi
if ! cmake --build build-asan -j "$jobs" >build-asan/setup-build.log 2>&1; then
  cat build-asan/setup-build.log >&2
  echo "setup.sh: the sanitizer build failed (log: build-asan/setup-build.log)" >&2
  exit 1
fi
stage "built build-asan/ (ASan + UBSan, fuzz targets)"
# Four long tests stay in build/'s run only (CI has 20 minutes): the 1,000-agent SVGs, the
# 500-run explore, the run per parameter and the command-line sweeps; the sanitizer sees their
# code in smaller tests (the sweep library in bootsim_tests' sweep and zones cases).
ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE 'format|layering|browser|scale' \
    -E 'explore finds a master that keeps leading|liveness: changing each parameter|sweep_cli' \
    || status=1
stage "tests on build-asan/ done"

# All six targets at once for 60 s, sharing the cores: a smoke run that keeps CI under its time
# budget (tools/fuzz.sh 600 on a developer machine is the real search).
BOOTSIM_FUZZ_JOBS=6 tools/fuzz.sh 60 || status=1
stage "fuzz targets done (60 s each, all at once)"
exit $status
