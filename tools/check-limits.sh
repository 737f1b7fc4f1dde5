#!/usr/bin/env bash
# Every parameter at the largest and at the smallest value `--set` accepts, one run each: each
# must end in under 10 s and 500 MB, or be refused with exit 2 (issue 7). Run it on the
# sanitizer build to see that no extreme value triggers a report (exit 99 there).
#
#   tools/check-limits.sh [BOOTSIM] [SCENARIO]   (defaults: build-asan/bootsim if built, else
#                                                 build/bootsim; scenarios/default.yaml)
#
# The extreme accepted value is found by bisection on what `--set` refuses (a refusal comes
# before anything is simulated). Prints one line per run and a summary; exit 1 if any run broke
# the rule. Needs GNU time (/usr/bin/time) for the memory figure.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bootsim="${1:-}"
if [[ -z "$bootsim" ]]; then
  bootsim=build/bootsim
  [[ -x build-asan/bootsim ]] && bootsim=build-asan/bootsim
fi
scenario="${2:-scenarios/default.yaml}"
max_ns=9223372036854775806
tmp="$(mktemp -d "${TMPDIR:-/tmp}/bootsim-limits.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# The parameter table, read from its source: key and type.
mapfile -t params < <(grep -h -oE 'ParamSpec\{"[^"]+", T::k[A-Za-z]+' models/core/parameters.cpp |
  sed -E 's/ParamSpec\{"([^"]+)", T::k([A-Za-z]+)/\1 \2/')

accepted() {  # key value: --set accepted?
  local out
  out="$("$bootsim" run "$scenario" --set "$1=$2" --max-events 1 --out /dev/null 2>&1)"
  ! grep -q '^command line: error' <<<"$out"
}
format() {  # type n
  if [[ "$1" == Duration ]]; then echo "${2}ns"; else echo "$2"; fi
}
# The largest (dir=max) or smallest (dir=min) accepted integer in [lo, hi].
bisect() {  # key type dir lo hi
  local key="$1" type="$2" dir="$3" lo="$4" hi="$5" mid
  if [[ "$dir" == max ]]; then
    accepted "$key" "$(format "$type" "$hi")" && { echo "$hi"; return; }
    while [[ "$lo" != "$hi" ]]; do
      mid=$(((lo / 2) + (hi / 2) + ((lo % 2 + hi % 2 + 1) / 2)))
      if accepted "$key" "$(format "$type" "$mid")"; then lo=$mid; else hi=$((mid - 1)); fi
    done
  else
    accepted "$key" "$(format "$type" "$lo")" && { echo "$lo"; return; }
    while [[ "$lo" != "$hi" ]]; do
      mid=$(((lo / 2) + (hi / 2)))
      if accepted "$key" "$(format "$type" "$mid")"; then hi=$mid; else lo=$((mid + 1)); fi
    done
  fi
  echo "$lo"
}

bad=0
runs=0
check() {  # key value
  local key="$1" value="$2" rc secs kb
  runs=$((runs + 1))
  rc=0
  /usr/bin/time -f "%e %M" -o "$tmp/time" timeout 60 "$bootsim" run "$scenario" \
    --set "$key=$value" --out /dev/null 2>"$tmp/err" || rc=$?
  read -r secs kb < <(tail -n 1 "$tmp/time") || { secs=60; kb=0; }
  local verdict=ok
  if [[ $rc -ne 2 ]] && { [[ $rc -gt 2 ]] || awk "BEGIN{exit !($secs >= 10 || $kb >= 500000)}"; }; then
    verdict=FAIL
    bad=1
  fi
  printf '%-4s %-40s %-34s exit %-3s %6ss %7s KB %s\n' "$verdict" "$key" "$value" "$rc" "$secs" \
    "$kb" "$(head -c 120 "$tmp/err" | tr '\n' ' ')"
}

for entry in "${params[@]}"; do
  key="${entry% *}"
  type="${entry#* }"
  case "$type" in
    Duration)
      hi="$(bisect "$key" Duration max 1 "$max_ns")"
      check "$key" "${hi}ns"
      check "$key" "$(bisect "$key" Duration min 0 "$hi")ns"
      ;;
    Integer)
      hi="$(bisect "$key" Integer max 0 9223372036854775807)"
      check "$key" "$hi"
      check "$key" "$(bisect "$key" Integer min 0 "$hi")"
      ;;
    Probability)
      check "$key" 1
      check "$key" 0
      ;;
    Distribution)
      check "$key" "constant(2562047h47m16.854775806s)"
      check "$key" "constant(0)"
      ;;
  esac
done
echo "check-limits: $runs runs of $bootsim, $([[ $bad -eq 0 ]] && echo 'every one within 10 s and 500 MB or refused with exit 2' || echo 'SOME BROKE THE RULE')"
exit $bad
