#!/usr/bin/env bash
# GPU replay speed and memory, side by side with an older accsim (by default commit 0802d8f, the
# memory-only GPU model this one replaced), in one run so that the machine's drift cancels out:
#
#   bash tests/bench/gpu_replay_vs_base.sh [--base REV] [--base-bin PATH] [--bin PATH] [--reps N]
#
# 1. Speed: each replay below runs on both builds, alternately, --reps times (default 3); the
#    script prints, per replay and build, the median wall time, the sector accesses replayed per
#    second (this build replays the instruction mix too, the base only the sectors), the peak memory
#    (/usr/bin/time's maximum resident set), and the ratio new/base of the medians.
# 2. Memory against trace length: the same GEMM with K = 1024, 4096 and 16384 (4x and 16x the
#    records) on this build only; peak memory must stay flat because records stream.
# The base build is made once into build-base-<rev>/ (Release, accsim only) from a git worktree of
# REV unless --base-bin gives its accsim. Figures and the command: models/gpu/README.md,
# "Performance".
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE_REV=0802d8f
BASE_BIN=""
BIN=build/sim/cli/accsim
REPS=3
while (($#)); do
  case "$1" in
    --base) BASE_REV="$2"; shift 2 ;;
    --base-bin) BASE_BIN="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    *) echo "usage: $0 [--base REV] [--base-bin PATH] [--bin PATH] [--reps N]" >&2; exit 2 ;;
  esac
done
# shellcheck source=tests/bench/base_build.sh
source tests/bench/base_build.sh

SYS=configs/systems/gpu_h100.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs one replay; prints "<wall s> <peak KiB> <records>".
run_one() {
  local bin="$1" kernel="$2" shape="$3" out="$tmp/r.json"
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" run "$SYS" --set workload.kernel="$kernel" \
    --set workload.shape="$shape" -o "$out" -q
  local recs
  # Sector accesses replayed (the base build's summary counts sectors; this one's counts records of
  # every kind, and says how many were sectors).
  recs=$(python3 -c "import json; j=json.load(open('$out')); w=j.get('workload', {}); \
print(int(w['sectors']) if 'sectors' in w else int(j['summary']['work']))")
  echo "$(cat "$tmp/time") $recs"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-34s %-6s %9s %12s %10s %8s\n' replay build "wall s" "sectors/s" "peak MiB" "new/base"
for spec in "gemv M=4096,K=1024" "sdpa_naive B=1,H=16,N=1024,d=64" "sdpa_flash B=4,H=16,N=2048,d=64"; do
  kernel=${spec%% *}
  shape=${spec#* }
  : >"$tmp/new"
  : >"$tmp/base"
  for ((i = 0; i < REPS; i++)); do
    run_one "$BIN" "$kernel" "$shape" >>"$tmp/new"
    run_one "$BASE_BIN" "$kernel" "$shape" >>"$tmp/base"
  done
  tn=$(cut -d' ' -f1 "$tmp/new" | median)
  tb=$(cut -d' ' -f1 "$tmp/base" | median)
  for b in new base; do
    t=$([[ $b == new ]] && echo "$tn" || echo "$tb")
    m=$(cut -d' ' -f2 "$tmp/$b" | median)
    r=$(head -n1 "$tmp/$b" | cut -d' ' -f3)
    ratio=$([[ $b == new ]] && awk -v a="$tn" -v b="$tb" 'BEGIN {printf "%.3f", a / b}' || echo "")
    printf '%-34s %-6s %9.2f %12.3g %10.0f %8s\n' "$kernel $shape" "$b" "$t" \
      "$(awk -v r="$r" -v t="$t" 'BEGIN {print r / t}')" "$(awk -v m="$m" 'BEGIN {print m / 1024}')" "$ratio"
  done
done

echo
printf '%-34s %12s %10s\n' "memory against trace length" sectors "peak MiB"
for K in 1024 4096 16384; do
  read -r t m r < <(run_one "$BIN" gemm "M=2048,N=2048,K=$K")
  printf '%-34s %12s %10.0f\n' "gemm M=2048,N=2048,K=$K" "$r" "$(awk -v m="$m" 'BEGIN {print m / 1024}')"
done
