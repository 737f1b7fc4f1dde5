#!/bin/sh
# Golden runs (ctest label: golden; STYLE.md #14). Each case is a folder tests/golden/CASE/ with
#   args           the command line given to bootsim, one shell-quoted line (lines may be split;
#                  lines starting with '#' are comments: say there why the case exists)
#   expected.txt   what `bootsim ARGS` prints (the text report)
#   expected.json  what `bootsim ARGS --format json` prints
#   expected.exit  the exit status of both runs
# and optionally a scenario file of its own that args names. Runs start at the repository root
# with the paths in args relative to it, so outputs never hold a machine's paths.
#
#   tests/golden_test.sh BOOTSIM CASE_DIR...           compare; a unified diff per mismatch, exit 1
#   tests/golden_test.sh --update BOOTSIM CASE_DIR...  rewrite the expected files (tools/update-golden.sh)
#   tests/golden_test.sh --coverage                    every scenarios/**/*.yaml is some case's input
#
# POSIX sh and diff only: CI machines have no Python.
set -eu

update=0
case "${1:-}" in
  --update) update=1; shift ;;
  --coverage) coverage=1; shift ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if [ "${coverage:-0}" -eq 1 ]; then
  status=0
  all_args=" $(for f in tests/golden/*/args; do [ -f "$f" ] && sed '/^#/d' "$f"; echo; done | tr '\n' ' ') "
  for scenario in $(find scenarios -name '*.yaml' | sort); do
    case "$all_args" in
      *" $scenario "*) ;;
      *)
        echo "golden: $scenario is shipped but no tests/golden/*/args runs it (add a case)"
        status=1
        ;;
    esac
  done
  [ $status -eq 0 ] && echo "golden: every shipped scenario has a golden case"
  exit $status
fi

if [ $# -lt 2 ]; then
  echo "usage: tests/golden_test.sh [--update] BOOTSIM CASE_DIR... | --coverage" >&2
  exit 2
fi
bootsim="$1"
shift
case "$bootsim" in /*) ;; *) bootsim="$root/$bootsim" ;; esac
if [ ! -x "$bootsim" ]; then
  echo "golden: no bootsim binary at $bootsim (build first)" >&2
  exit 2
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/bootsim-golden.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

status=0
for dir in "$@"; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  ok=1
  if [ ! -f "$dir/args" ]; then
    echo "golden: $name: no $dir/args" >&2
    status=1
    continue
  fi
  args="$(sed -e '/^#/d' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$dir/args" | tr '\n' ' ')"
  args="${args% }"
  # The args are the repository's own text, quoted as on a shell command line.
  eval "set -- $args"

  text_rc=0
  "$bootsim" "$@" >"$tmp/$name.txt" || text_rc=$?
  json_rc=0
  "$bootsim" "$@" --format json >"$tmp/$name.json" || json_rc=$?
  if [ "$text_rc" -ne "$json_rc" ]; then
    echo "golden: $name: exit status $text_rc with the text format but $json_rc with json"
    ok=0
  fi
  echo "$text_rc" >"$tmp/$name.exit"

  for ext in txt json exit; do
    expected="$dir/expected.$ext"
    actual="$tmp/$name.$ext"
    if [ $update -eq 1 ]; then
      if [ -f "$expected" ] && cmp -s "$expected" "$actual"; then
        echo "golden: $name: expected.$ext unchanged"
      else
        cp "$actual" "$expected"
        echo "golden: $name: expected.$ext written"
      fi
    elif [ ! -f "$expected" ]; then
      echo "golden: $name: no $expected (tools/update-golden.sh $name writes it)"
      ok=0
    elif ! cmp -s "$expected" "$actual"; then
      echo "golden: $name: expected.$ext differs; the run: bootsim $args$([ $ext = json ] && echo ' --format json')"
      echo "golden: (--- expected, +++ this build; if the change is intended, run"
      echo "golden:  tools/update-golden.sh $name and say why in the commit)"
      diff -u "$expected" "$actual" || true
      ok=0
    fi
  done
  if [ $ok -eq 0 ]; then
    status=1
  elif [ $update -eq 0 ]; then
    echo "golden: $name: ok (exit status $text_rc)"
  fi
done
exit $status
