#!/bin/sh
# `bootsim run --out` as a user meets it (ctest: output; issue 7, item 1): parallel runs to one
# path, a FIFO, a symbolic link, /dev/stdout, a device, and paths that cannot be written.
#
#   tests/output_test.sh BOOTSIM [PAIRS]     (from the repository root; PAIRS defaults to 100)
#
# Every check prints "output: ok: ..." or "output: FAIL: ..."; the exit status is 1 on any
# failure. POSIX sh: CI machines have no Python.
set -u
bootsim="$1"
pairs="${2:-100}"
scenario=scenarios/default.yaml

tmp="$(mktemp -d "${TMPDIR:-/tmp}/bootsim-output.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
status=0
ok() { echo "output: ok: $*"; }
fail() { echo "output: FAIL: $*"; status=1; }

# The two single-run outputs the pairs must reproduce.
"$bootsim" run "$scenario" --format json --seed 1 >"$tmp/one.json" || fail "single run, seed 1"
"$bootsim" run "$scenario" --format json --seed 2 >"$tmp/two.json" || fail "single run, seed 2"
cmp -s "$tmp/one.json" "$tmp/two.json" && fail "seeds 1 and 2 give the same output"

# 1. Pairs of runs writing the same path at once: each pair leaves one complete output, both
#    runs exit 0, and no temporary file is left behind.
mkdir "$tmp/pairs"
bad=0
i=1
while [ "$i" -le "$pairs" ]; do
  out="$tmp/pairs/out.json"
  "$bootsim" run "$scenario" --format json --seed 1 --out "$out" &
  a=$!
  "$bootsim" run "$scenario" --format json --seed 2 --out "$out" &
  b=$!
  wait "$a" || { bad=1; echo "output: pair $i: the seed-1 run failed"; }
  wait "$b" || { bad=1; echo "output: pair $i: the seed-2 run failed"; }
  if ! cmp -s "$out" "$tmp/one.json" && ! cmp -s "$out" "$tmp/two.json"; then
    bad=1
    echo "output: pair $i: the file is neither run's output"
  fi
  i=$((i + 1))
done
left="$(ls -A "$tmp/pairs" | grep -v '^out\.json$' || true)"
[ -n "$left" ] && { bad=1; echo "output: temporary files left: $left"; }
[ $bad -eq 0 ] && ok "$pairs parallel pairs to one --out each left one complete output" ||
  fail "parallel pairs to one --out"

# 2. A FIFO with a reader gets the output and stays a FIFO.
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from-fifo" &
reader=$!
"$bootsim" run "$scenario" --format json --seed 1 --out "$tmp/fifo" || fail "run to a FIFO"
wait "$reader"
if [ -p "$tmp/fifo" ] && cmp -s "$tmp/from-fifo" "$tmp/one.json"; then
  ok "--out FIFO delivers the output and leaves the FIFO"
else
  fail "--out FIFO"
fi

# 3. A symbolic link is followed: its target is replaced, the link stays.
echo old >"$tmp/real.json"
ln -s real.json "$tmp/link.json"
"$bootsim" run "$scenario" --format json --seed 1 --out "$tmp/link.json" || fail "run to a link"
if [ -L "$tmp/link.json" ] && cmp -s "$tmp/real.json" "$tmp/one.json"; then
  ok "--out symbolic link writes the file it names and keeps the link"
else
  fail "--out symbolic link"
fi
# A dangling link creates the file it names.
ln -s new.json "$tmp/dangling.json"
"$bootsim" run "$scenario" --format json --seed 1 --out "$tmp/dangling.json" ||
  fail "run to a dangling link"
if [ -L "$tmp/dangling.json" ] && cmp -s "$tmp/new.json" "$tmp/one.json"; then
  ok "--out dangling link creates the file it names"
else
  fail "--out dangling link"
fi

# 4. /dev/stdout and "-" are standard output, whatever it is (here a file opened for append).
echo first >"$tmp/stdout.txt"
"$bootsim" run "$scenario" --format json --seed 1 --out /dev/stdout >>"$tmp/stdout.txt" ||
  fail "run to /dev/stdout"
{ echo first; cat "$tmp/one.json"; } >"$tmp/expected-stdout.txt"
cmp -s "$tmp/stdout.txt" "$tmp/expected-stdout.txt" &&
  ok "--out /dev/stdout appends to what the shell opened" || fail "--out /dev/stdout"
"$bootsim" run "$scenario" --format json --seed 1 --out - >"$tmp/dash.json" || fail "--out -"
cmp -s "$tmp/dash.json" "$tmp/one.json" && ok "--out - is standard output" || fail "--out -"

# 5. Errors: exit 2, the message, nothing created or replaced. Checked before simulating: a
#    run with a missing directory takes no longer than one with a bad scenario.
expect_error() {  # expected message, then the arguments of bootsim
  expected="$1"
  shift
  rc=0
  "$bootsim" "$@" >"$tmp/err.out" 2>"$tmp/err.txt" || rc=$?
  if [ "$rc" -eq 2 ] && [ "$(cat "$tmp/err.txt")" = "$expected" ] && [ ! -s "$tmp/err.out" ]; then
    ok "$expected"
  else
    fail "expected exit 2 and '$expected', got $rc and '$(cat "$tmp/err.txt")'"
  fi
}
expect_error "bootsim: error: --out '$tmp/none/r.json': no such directory '$tmp/none'" \
  run "$scenario" --out "$tmp/none/r.json"
[ -e "$tmp/none" ] && fail "a directory was created"
echo file >"$tmp/plain"
expect_error "bootsim: error: --out '$tmp/plain/r.json': '$tmp/plain' is not a directory" \
  run "$scenario" --out "$tmp/plain/r.json"
mkdir "$tmp/dir"
expect_error "bootsim: error: --out '$tmp/dir': is a directory" run "$scenario" --out "$tmp/dir"
if [ -c /dev/full ]; then
  expect_error "bootsim: error: --out '/dev/full': cannot write: No space left on device" \
    run "$scenario" --out /dev/full
  [ -c /dev/full ] && ok "/dev/full is still a device" || fail "/dev/full was replaced"
fi
# A failed run leaves an existing output and a stray "<out>.tmp" as they were.
echo keep >"$tmp/keep.json"
mkdir "$tmp/keep.json.tmp"
printf 'name: x\ncluster:\n  masters: 4\n' >"$tmp/bad.yaml"
"$bootsim" run "$tmp/bad.yaml" --out "$tmp/keep.json" 2>/dev/null
[ "$(cat "$tmp/keep.json")" = keep ] && [ -d "$tmp/keep.json.tmp" ] &&
  ok "a refused run leaves the existing output and <out>.tmp alone" || fail "existing output"
"$bootsim" run "$scenario" --format json --seed 1 --out "$tmp/keep.json" || fail "run over keep"
cmp -s "$tmp/keep.json" "$tmp/one.json" && [ -d "$tmp/keep.json.tmp" ] &&
  ok "a run replaces its output and leaves <out>.tmp alone" || fail "<out>.tmp was touched"

exit $status
