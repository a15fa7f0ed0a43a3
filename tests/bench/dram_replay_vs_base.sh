#!/usr/bin/env bash
# DRAM replay speed as a whole process, side by side with an older accsim (by default commit
# 0802d8f) in one run so that the machine's drift cancels out:
#
#   bash tests/bench/dram_replay_vs_base.sh [--base REV] [--base-bin PATH] [--bin PATH] [--reps N]
#            [--count N]
#
# Two traces are generated once with this build (`accsim trace gen`): --count (default 1 M)
# back-to-back 64-byte requests, sequential reads, and uniform random over 1 GiB with 20 % writes.
# Each is replayed with `accsim run` on one DDR4-2400R channel (4 Gb x8, 1 rank, FR-FCFS, open
# page, 32-entry queues, 64 outstanding requests, Release, protocol checker off) by both builds,
# alternately, --reps times (default 5). The script prints per trace and build the median wall
# time, requests per second and the ratio base/new of the medians (the speed-up). Both builds
# must agree on the request count. The base build is made once into build-base-<rev>/ (Release,
# accsim only) from a git worktree of REV unless --base-bin gives its accsim. Figures and the
# command: models/dram/README.md, "Performance".
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE_REV=0802d8f
BASE_BIN=""
BIN=build/sim/cli/accsim
REPS=5
COUNT=1000000
while (($#)); do
  case "$1" in
    --base) BASE_REV="$2"; shift 2 ;;
    --base-bin) BASE_BIN="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --count) COUNT="$2"; shift 2 ;;
    *)
      echo "usage: $0 [--base REV] [--base-bin PATH] [--bin PATH] [--reps N] [--count N]" >&2
      exit 2
      ;;
  esac
done
# shellcheck source=tests/bench/base_build.sh
source tests/bench/base_build.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BIN" trace gen sequential "$tmp/seq.atrace" --count "$COUNT" >/dev/null
"$BIN" trace gen random "$tmp/rnd.atrace" --count "$COUNT" --write-fraction 0.2 --span 1GiB >/dev/null

cat >"$tmp/sys.yaml" <<EOF
system: {name: ddr4-2400r-bench, target: dram}
dram: {preset: DDR4-3200, speed: DDR4-2400R, density: 4Gb, dq: x8, channels: 1, ranks: 1}
controller: {scheduler: FRFCFS, page_policy: open, read_queue: 32, write_queue: 32,
             check_protocol: false}
issuer: {max_outstanding: 64}
workload: {trace: seq.atrace}
EOF

# Runs one replay; prints "<wall s> <requests>".
run_one() {
  local bin="$1" trace="$2" out="$tmp/r.json"
  /usr/bin/time -f "%e" -o "$tmp/time" "$bin" run "$tmp/sys.yaml" --set workload.trace="$trace" \
    -o "$out" -q
  echo "$(cat "$tmp/time") $(python3 -c "import json; print(int(json.load(open('$out'))['summary']['work']))")"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-12s %-6s %9s %12s %9s\n' trace build "wall s" "requests/s" "speed-up"
for t in seq rnd; do
  : >"$tmp/new"
  : >"$tmp/base"
  for ((i = 0; i < REPS; i++)); do
    run_one "$BIN" "$tmp/$t.atrace" >>"$tmp/new"
    run_one "$BASE_BIN" "$tmp/$t.atrace" >>"$tmp/base"
  done
  n_new=$(cut -d' ' -f2 "$tmp/new" | sort -u)
  n_base=$(cut -d' ' -f2 "$tmp/base" | sort -u)
  [[ "$n_new" == "$n_base" ]] || { echo "$t: request counts differ ($n_new vs $n_base)" >&2; exit 1; }
  tn=$(cut -d' ' -f1 "$tmp/new" | median)
  tb=$(cut -d' ' -f1 "$tmp/base" | median)
  name=$([[ $t == seq ]] && echo sequential || echo "random 80/20")
  printf '%-12s %-6s %9.2f %12.0f\n' "$name" base "$tb" "$(echo "$n_base / $tb" | bc -l)"
  printf '%-12s %-6s %9.2f %12.0f %8.2fx\n' "$name" new "$tn" "$(echo "$n_new / $tn" | bc -l)" \
    "$(echo "$tb / $tn" | bc -l)"
done
