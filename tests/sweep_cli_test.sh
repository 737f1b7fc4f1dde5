#!/bin/sh
# `bootsim sweep` as a CI owner meets it (ctest: sweep_cli; issue 13's acceptance):
#   1. a sweep of the default scenario gives the same CSV with --jobs 1 and --jobs 2;
#   2. a sweep SIGKILLed halfway and resumed gives the same CSV, every run in its results file
#      once; one interrupted by SIGINT exits 130, says how to resume, and resumes to the same;
#   3. an impossible budget exits 1 with JUnit XML valid against tests/data/JUnit.xsd (xmllint,
#      Debian's libxml2-utils), its failure carrying the measured value;
#   4. bootsim diff of two sweeps flags a slowdown (exit 1) and nothing for equal ones (exit 0).
#
#   tests/sweep_cli_test.sh BOOTSIM [RUNS]     (from the repository root; RUNS defaults to 1000)
set -u
bootsim="$1"
runs="${2:-1000}"
scenario=scenarios/default.yaml
tmp="$(mktemp -d "${TMPDIR:-/tmp}/bootsim-sweep.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
status=0
ok() { echo "sweep_cli: ok: $*"; }
fail() { echo "sweep_cli: FAIL: $*"; status=1; }
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# 1. --jobs 1 and --jobs 2.
"$bootsim" sweep "$scenario" --runs "$runs" --jobs 1 --format csv --out "$tmp/j1.csv" ||
  fail "the --jobs 1 sweep exited $?"
"$bootsim" sweep "$scenario" --runs "$runs" --jobs 2 --format csv --out "$tmp/j2.csv" ||
  fail "the --jobs 2 sweep exited $?"
if [ -s "$tmp/j1.csv" ] && cmp -s "$tmp/j1.csv" "$tmp/j2.csv"; then
  ok "$runs runs: the same CSV with --jobs 1 and --jobs 2"
else
  fail "$runs runs: the CSVs of --jobs 1 and --jobs 2 differ"
fi
left="$(ls "$tmp" | grep '\.runs$' || true)"
[ -z "$left" ] && ok "no results file left behind" || fail "results files left: $left"

# 2a. SIGKILL halfway (half the runs in the results file), then --resume.
half=$((runs / 2))
"$bootsim" sweep "$scenario" --runs "$runs" --jobs 1 --format csv --out "$tmp/k.csv" \
  --results "$tmp/k.runs" &
pid=$!
while [ "$(lines "$tmp/k.runs")" -le "$half" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
killed_at=$(($(lines "$tmp/k.runs") - 1))
if [ -f "$tmp/k.csv" ] || [ "$killed_at" -ge "$runs" ]; then
  fail "the sweep finished before it was killed (raise RUNS)"
fi
"$bootsim" sweep "$scenario" --runs "$runs" --jobs 2 --format csv --out "$tmp/k.csv" \
  --results "$tmp/k.runs" --resume || fail "the resumed sweep exited $?"
if cmp -s "$tmp/j1.csv" "$tmp/k.csv"; then
  ok "killed after $killed_at of $runs runs and resumed: the same CSV"
else
  fail "killed and resumed: the CSV differs from the uninterrupted sweep's"
fi
unique="$(tail -n +2 "$tmp/k.runs" | cut -f2 | sort -un | wc -l)"
total="$(tail -n +2 "$tmp/k.runs" | wc -l)"
[ "$unique" -eq "$runs" ] && [ "$total" -eq "$runs" ] &&
  ok "the results file holds each of the $runs runs once" ||
  fail "the results file holds $total lines for $unique distinct runs of $runs"

# 2b. SIGINT (a tenth of the runs, against its own uninterrupted sweep): exit 130, a message
#     naming --resume, then the same output.
small=$((runs / 10))
[ "$small" -lt 100 ] && small=100
"$bootsim" sweep "$scenario" --runs "$small" --jobs 2 --format csv --out "$tmp/s.csv" ||
  fail "the $small-run sweep exited $?"
"$bootsim" sweep "$scenario" --runs "$small" --jobs 1 --format csv --out "$tmp/i.csv" \
  --results "$tmp/i.runs" 2>"$tmp/i.err" &
pid=$!
while [ "$(lines "$tmp/i.runs")" -le 5 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] && ok "SIGINT: exit 130" || fail "SIGINT: exit $rc, not 130"
grep -q -- "--resume" "$tmp/i.err" && ok "SIGINT: says how to resume" ||
  fail "SIGINT: no word of --resume: $(cat "$tmp/i.err")"
"$bootsim" sweep "$scenario" --runs "$small" --jobs 2 --format csv --out "$tmp/i.csv" \
  --results "$tmp/i.runs" --resume && cmp -s "$tmp/s.csv" "$tmp/i.csv" &&
  ok "interrupted and resumed: the same CSV" || fail "interrupted and resumed: a different CSV"

# 3. An impossible budget: exit 1, JUnit valid against the schema, the measured value in it.
"$bootsim" sweep "$scenario" --runs 20 --jobs 2 --budget 'cluster.ready:p99<=1s' \
  --format junit --out "$tmp/junit.xml"
rc=$?
[ "$rc" -eq 1 ] && ok "an impossible budget exits 1" || fail "an impossible budget exits $rc"
if ! command -v xmllint >/dev/null 2>&1; then
  fail "xmllint not found: install Debian's libxml2-utils (tools/setup.sh test does)"
elif xmllint --noout --schema tests/data/JUnit.xsd "$tmp/junit.xml" 2>"$tmp/xmllint.err"; then
  ok "the JUnit file validates against JUnit.xsd"
else
  fail "the JUnit file does not validate: $(cat "$tmp/xmllint.err")"
fi
grep -q 'failure message="p99 is [0-9.]*s (budget 1s); 0 of 20 runs within"' "$tmp/junit.xml" &&
  ok "the failure carries the measured p99" || fail "no failure with the measured p99"

# 4. diff: a slower DNS refresh is a regression; a sweep against itself is not.
"$bootsim" sweep "$scenario" --runs 20 --format json --out "$tmp/base.json"
"$bootsim" sweep "$scenario" --runs 20 --format json --out "$tmp/slow.json" \
  --set mesos-dns.refreshSeconds=5m
"$bootsim" diff "$tmp/base.json" "$tmp/base.json" >"$tmp/same.txt"
rc=$?
[ "$rc" -eq 0 ] && grep -q "^0 moved" "$tmp/same.txt" && ok "diff of a sweep with itself: exit 0" ||
  fail "diff of a sweep with itself: exit $rc"
"$bootsim" diff "$tmp/base.json" "$tmp/slow.json" --threshold 5% >"$tmp/slow.txt"
rc=$?
[ "$rc" -eq 1 ] && grep -q "SLOWER" "$tmp/slow.txt" && ok "diff flags a slower refresh: exit 1" ||
  fail "diff of a slower refresh: exit $rc: $(cat "$tmp/slow.txt")"
exit $status
