#!/bin/sh
# `mpirun -np 2 bootsim sweep` on loopback (ctest: sweep_mpi, label mpi; issue 13, item 8): the
# runs split over two ranks give the same bytes as one process, and the results file works:
#   1. CSV, JSON, text and JUnit (less its timestamp) of a 2 x 2 grid: identical to the
#      single-process sweep's;
#   2. SIGTERM to mpirun: a failure exit, the runs of both ranks kept, the message names --resume;
#      the job SIGKILLed (both ranks at once) then resumed under mpirun: the same CSV, each
#      run once in the results file;
#   3. an impossible budget: exit 1 from mpirun, as without it.
#
#   tests/sweep_mpi_test.sh BOOTSIM MPIEXEC     (from the repository root)
set -u
bootsim="$1"
mpiexec="$2"
tmp="$(mktemp -d -t bootsim-mpi.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
status=0
ok() { echo "sweep_mpi: ok: $*"; }
fail() { echo "sweep_mpi: FAIL: $*"; status=1; }
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# Two ranks on this machine whatever its cores, as root in a container; started locally
# (plm isolated: a fresh container has no ssh, which Open MPI's default launcher insists on),
# shared memory without its single-copy path (cross-memory attach, which a container's default
# seccomp profile forbids) and loopback TCP only. A word list, not a function: `$mpi2 … &` must
# make $! mpirun itself, the process the signals below are for.
mpi2="$mpiexec --oversubscribe --allow-run-as-root --mca plm isolated --mca btl self,vader,tcp
  --mca btl_vader_single_copy_mechanism none --mca btl_tcp_if_include lo
  --mca oob_tcp_if_include lo -np 2"
# The processes whose parent is $1 (from /proc: procps may not be installed).
children() {
  for stat in /proc/[0-9]*/stat; do
    # shellcheck disable=SC2046 # the fields after "(comm) "
    set -- "$1" $(sed 's/.*) //' "$stat" 2>/dev/null)
    [ "${3:-}" = "$1" ] && { p="${stat#/proc/}"; echo "${p%/stat}"; }
  done
}
sweep="sweep scenarios/default.yaml --runs 10 --jobs 1 --vary cluster.masters=3,5 --vary cluster.agents.private=5,20"

# 1. Every format byte for byte (JUnit's timestamp, the clock's, left out).
for f in csv json text junit; do
  # shellcheck disable=SC2086 # word lists
  "$bootsim" $sweep --format "$f" --out "$tmp/one.$f" || fail "the single-process $f sweep exited $?"
  # shellcheck disable=SC2086 # word lists
  $mpi2 "$bootsim" $sweep --format "$f" --out "$tmp/two.$f" 2>"$tmp/two.err" ||
    fail "the mpirun $f sweep exited $?: $(cat "$tmp/two.err")"
  if [ "$f" = junit ]; then
    sed -i 's/ timestamp="[^"]*"//' "$tmp/one.$f" "$tmp/two.$f"
  fi
  if [ -s "$tmp/one.$f" ] && cmp -s "$tmp/one.$f" "$tmp/two.$f"; then
    ok "mpirun -np 2: the same $f as one process (40 runs, 4 grid points)"
  else
    fail "mpirun -np 2: the $f differs from one process's"
  fi
done
[ -z "$(ls "$tmp" | grep '\.runs$')" ] && ok "no results file left behind" ||
  fail "results files left: $(ls "$tmp")"

# 2a. SIGTERM to mpirun, which passes it to the ranks: both ranks' runs kept.
runs=120
# 60 agents: each run long enough (about 0.1 s) that the signal comes mid-sweep.
long="sweep scenarios/default.yaml --runs $runs --jobs 1 --format csv --set cluster.agents.private=60"
# shellcheck disable=SC2086 # word lists
"$bootsim" $long --out "$tmp/all.csv" || fail "the single-process $runs-run sweep exited $?"
# shellcheck disable=SC2086 # word lists
$mpi2 "$bootsim" $long --out "$tmp/t.csv" --results "$tmp/t.runs" 2>"$tmp/t.err" &
pid=$!
while [ "$(lines "$tmp/t.runs")" -le 6 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
kill -TERM "$pid"
wait "$pid"
rc=$?
# mpirun reports a job it ended on a signal with its own status, 1 (bootsim's 143 is rank 0's).
[ "$rc" -ne 0 ] && ok "SIGTERM: exit $rc" || fail "SIGTERM: exit 0: $(cat "$tmp/t.err")"
grep -q -- "--resume" "$tmp/t.err" && ok "SIGTERM: says how to resume" ||
  fail "SIGTERM: no word of --resume: $(cat "$tmp/t.err")"
evens="$(tail -n +2 "$tmp/t.runs" | cut -f2 | awk '$1 % 2 == 0' | wc -l)"
odds="$(tail -n +2 "$tmp/t.runs" | cut -f2 | awk '$1 % 2 == 1' | wc -l)"
[ "$evens" -gt 0 ] && [ "$odds" -gt 0 ] && ok "SIGTERM: runs of both ranks kept ($evens + $odds)" ||
  fail "SIGTERM: the results file lacks a rank's runs ($evens even, $odds odd)"
# shellcheck disable=SC2086 # word lists
$mpi2 "$bootsim" $long --out "$tmp/t.csv" --results "$tmp/t.runs" --resume 2>"$tmp/t.err" &&
  cmp -s "$tmp/all.csv" "$tmp/t.csv" && ok "SIGTERM then --resume under mpirun: the same CSV" ||
  fail "SIGTERM then --resume under mpirun: a different CSV: $(cat "$tmp/t.err")"

# 2b. Both ranks SIGKILLed at once (mpirun's children), then --resume under mpirun.
# shellcheck disable=SC2086 # word lists
$mpi2 "$bootsim" $long --out "$tmp/k.csv" --results "$tmp/k.runs" 2>/dev/null &
pid=$!
while [ "$(lines "$tmp/k.runs")" -le 6 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
ranks="$(children "$pid")"
[ -n "$ranks" ] || fail "no rank found under mpirun ($pid)"
# shellcheck disable=SC2086 # one pid a word
kill -KILL $ranks 2>/dev/null
wait "$pid"
killed_at=$(($(lines "$tmp/k.runs") - 1))
[ ! -f "$tmp/k.csv" ] && [ "$killed_at" -lt "$runs" ] ||
  fail "the sweep finished before it was killed"
# shellcheck disable=SC2086 # word lists
$mpi2 "$bootsim" $long --out "$tmp/k.csv" --results "$tmp/k.runs" --resume 2>"$tmp/k.err" &&
  cmp -s "$tmp/all.csv" "$tmp/k.csv" &&
  ok "SIGKILL after $killed_at runs, then --resume under mpirun: the same CSV" ||
  fail "SIGKILL then --resume under mpirun: a different CSV: $(cat "$tmp/k.err")"
unique="$(tail -n +2 "$tmp/k.runs" | cut -f2 | sort -un | wc -l)"
total="$(tail -n +2 "$tmp/k.runs" | wc -l)"
[ "$unique" -eq "$runs" ] && [ "$total" -eq "$runs" ] &&
  ok "the results file holds each of the $runs runs once" ||
  fail "the results file holds $total lines for $unique distinct runs of $runs"

# 3. An impossible budget: mpirun exits 1.
$mpi2 "$bootsim" sweep scenarios/default.yaml --runs 4 --budget 'cluster.ready:p99<=1s' \
  --format csv --out "$tmp/b.csv" 2>/dev/null
rc=$?
[ "$rc" -eq 1 ] && ok "an impossible budget: mpirun exits 1" ||
  fail "an impossible budget: mpirun exits $rc"
exit $status
