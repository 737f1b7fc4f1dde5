#!/bin/sh
# Rewrites the expected outputs of the golden runs (tests/golden/) from the current build, so
# that a reviewer reads what moved in `git diff`. A commit that changes them says why.
#
#   tools/update-golden.sh            every case
#   tools/update-golden.sh CASE...    only these (folder names under tests/golden/); a new case
#                                     is a folder with an args file, written here the first time
#
# Builds build/ first (tools/setup.sh build sets it up on a fresh machine).
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if [ -f build/CMakeCache.txt ]; then
  cmake --build build --target bootsim >/dev/null
else
  tools/setup.sh build
fi

if [ $# -eq 0 ]; then
  set -- tests/golden/*/
else
  cases=""
  for c in "$@"; do
    c="${c%/}"
    cases="$cases tests/golden/${c##*/}"
  done
  # shellcheck disable=SC2086  # case names are folder names without spaces
  set -- $cases
fi
tests/golden_test.sh --update build/bootsim "$@"
git --no-pager diff --stat -- tests/golden 2>/dev/null || true
