#!/usr/bin/env bash
# The error of the GPU model's sampling mode (workload.sample_waves) against full runs, on every
# bundled kernel at the default study's shapes and at larger ones:
#
#   bash tests/bench/gpu_sampling_error.sh [--bin build/sim/cli/accsim] [--waves "1 2"]
#
# For each kernel and shape it runs the whole grid once and then each sample size, and prints
# per launch the full time, the sampled time and their relative error, the extrapolation used and
# the error of the DRAM bytes. The table in models/gpu/README.md ("Sampling") is this output.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=build/sim/cli/accsim
WAVES="1 2"
while (($#)); do
  case "$1" in
    --bin) BIN="$2"; shift 2 ;;
    --waves) WAVES="$2"; shift 2 ;;
    *) echo "usage: $0 [--bin PATH] [--waves \"1 2\"]" >&2; exit 2 ;;
  esac
done
[[ -x "$BIN" ]] || { echo "no accsim at $BIN: build first (bash setup.sh build)" >&2; exit 2; }
SYS=configs/systems/gpu_h100.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

CASES=(
  "gemv M=4096,K=1024"
  "gemv M=16384,K=4096"
  "softmax rows=1024,cols=4096"
  "softmax rows=8192,cols=1024"
  "layernorm rows=4096,cols=1024"
  "gelu n=16777216"
  "gemm M=2048,N=2048,K=1024"
  "gemm M=4096,N=4096,K=1024"
  "sdpa_flash B=1,H=16,N=1024,d=64"
  "sdpa_flash B=2,H=16,N=2048,d=128"
  "sdpa_naive B=1,H=16,N=1024,d=64"
  "decode B=8,H=16,L=4096,d=128"
)

run() {  # kernel shape waves -> report path
  local out="$tmp/$1_$4.json"
  "$BIN" run "$SYS" --set workload.kernel="$1" --set workload.shape="$2" \
    --set workload.sample_waves="$3" -o "$out" -q
  echo "$out"
}

printf '%-34s %-22s %5s %11s %11s %8s %8s %9s\n' case kernel waves "full us" "sampled us" \
  "t err" "extrap" "bytes err"
for c in "${CASES[@]}"; do
  kernel=${c%% *}
  shape=${c#* }
  full=$(run "$kernel" "$shape" 0 full)
  for w in $WAVES; do
    samp=$(run "$kernel" "$shape" "$w" "s$w")
    python3 - "$full" "$samp" "$c" "$w" <<'EOF'
import json, sys
full, samp = (json.load(open(p))["components"]["gpu"]["latency"]["kernels"] for p in sys.argv[1:3])
for f, s in zip(full, samp):
    tf, ts = f["time_ns"] / 1e3, s["time_ns"] / 1e3
    bf = f["dram_read_bytes"] + f["dram_write_bytes"]
    bs = s["dram_read_bytes"] + s["dram_write_bytes"]
    how = s["sampled"]["extrapolated_by"] if "sampled" in s else "whole"
    print(f"{sys.argv[3]:34} {f['kernel']:22} {sys.argv[4]:>5} {tf:11.2f} {ts:11.2f} "
          f"{100 * (ts - tf) / tf:7.1f}% {how:>8} "
          f"{(100 * (bs - bf) / bf if bf else 0):8.1f}%")
EOF
  done
done
