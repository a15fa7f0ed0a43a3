#!/usr/bin/env bash
# The whole GPU run of reference/ in one call: configure, build, kernel tests, fp64 checks at
# every study shape, trace capture (small and medium shapes), timing, Nsight Compute counters,
# the PyTorch comparison, then one measurements file and a summary table (printed last).
#
#   bash reference/run_h100.sh [--out DIR] [--budget SECONDS] [--jobs N] [--skip-ncu]
#                              [--skip-torch] [--dry-run] [--cpu-only] [--binary PATH]
#
#   --out DIR     where the results go (default: $OUT when set, else /tmp/accsim-ref-out).
#                 At most 8 files, each under 15 MiB, so that they fit what the device tool
#                 brings back: measurements.json, summary.txt, run.log and the bundle
#                 h100_bundle.tar.xz (split into .part-NN pieces when larger). Unpack with
#                 cat h100_bundle.tar.xz* | tar -xJ   into reference/data/h100/.
#   --budget S    wall-clock seconds for everything (default 560); phases share what is left.
#   --dry-run     check the tools, the study list and the plan; run nothing on a GPU.
#   --cpu-only    configure, build, and run the host-side tests and the study-list check.
#   --binary P    with --dry-run: use this accsim_ref instead of building one.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
out="${OUT:-/tmp/accsim-ref-out}"
budget=560
jobs=$(nproc 2>/dev/null || echo 4)
dry=0 cpu_only=0 skip_ncu=0 skip_torch=0 binary=""
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --skip-ncu) skip_ncu=1; shift ;;
    --skip-torch) skip_torch=1; shift ;;
    --dry-run) dry=1; shift ;;
    --cpu-only) cpu_only=1; shift ;;
    --binary) binary=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run_h100.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

t0=$(date +%s)
elapsed() { echo $(( $(date +%s) - t0 )); }
left() { echo $(( budget - $(elapsed) )); }
# Seconds a phase may use: its share of what is left, never more than `cap`.
share() { local l; l=$(left); local s=$(( l * $1 / 100 )); [ "$s" -gt "$2" ] && s=$2; [ "$s" -lt 5 ] && s=5; echo "$s"; }
say() { echo "[$(elapsed)s] $*"; }

shapes="$here/shapes.txt"
work=${ACCSIM_REF_WORK:-/tmp/accsim-ref-run}
ncu_kernels='regex:^(gemm_tc_kernel|flash_fwd_kernel|decode_split_kernel|decode_combine_kernel|gemv_kernel|softmax_kernel|layernorm_kernel|gelu_kernel|add_kernel|chase_kernel|bandwidth_kernel)$'
ncu_metrics='gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct,l1tex__t_sector_hit_rate.pct'

if [ "$dry" = 1 ]; then
  status=0
  for tool in cmake nvcc; do
    if command -v "$tool" >/dev/null; then say "found $tool: $(command -v "$tool")"; else say "missing $tool (needed to build)"; fi
  done
  for tool in ncu nvidia-smi python3 xz; do
    if command -v "$tool" >/dev/null; then say "found $tool"; else say "missing $tool (its phase would be skipped)"; fi
  done
  if [ -z "$binary" ]; then
    say "dry run without --binary: the study list is not parsed"
  else
    for sel in "" "--tag capture" "--tag ncu" "--tag torch"; do
      n=$("$binary" list --shapes "$shapes" $sel | tail -1)
      rc=$?
      [ $rc -ne 0 ] && status=1
      say "study list ${sel:-(all)}: $n"
    done
    ncases=$("$binary" list --shapes "$shapes" --tag capture | tail -1 | awk '{print $1}')
    [ "${ncases:-0}" -gt 0 ] || { say "no case is tagged 'capture'"; status=1; }
    torch_ids=$("$binary" list --shapes "$shapes" --tag torch | awk '/^sdpa-flash/ {print $1}')
    [ -n "$torch_ids" ] || { say "no flash case is tagged 'torch'"; status=1; }
  fi
  if command -v python3 >/dev/null; then
    for py in "$here/scripts/merge_measurements.py" "$here/scripts/torch_sdpa.py" \
              "$here/scripts/mix_check.py" "$here/scripts/sass_mix.py"; do
      python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$py" \
        || { say "syntax error in $py"; status=1; }
    done
  fi
  cat <<PLAN
plan (budget ${budget}s, output $out):
  cmake -S $here -B $work/build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C $work/build -j$jobs
  test_reference_host; test_reference_gpu
  scripts/mix_check.py ptx|regs --repo . --accsim-ref accsim_ref --save-counts ptx_counts.json
  cuobjdump -sass accsim_ref; scripts/sass_mix.py --ptx-counts ptx_counts.json --out sass_mix.json
  accsim_ref info    --out gpu.json
  accsim_ref check   --shapes shapes.txt --out check.jsonl
  accsim_ref capture --shapes shapes.txt --out-dir traces
  accsim_ref time    --shapes shapes.txt --out timing.jsonl --optrace ops.optrace.jsonl
  ncu --csv --page raw --print-units base --print-kernel-base function --kernel-name-base function
      --kernel-name '$ncu_kernels'
      --metrics $ncu_metrics --clock-control none --cache-control all --log-file ncu.csv
      accsim_ref profile --shapes shapes.txt --tag ncu --out launches.tsv
  python3 scripts/torch_sdpa.py --out torch.json <flash cases tagged torch>
  python3 scripts/merge_measurements.py ... --out measurements.json --summary summary.txt
PLAN
  exit $status
fi

mkdir -p "$out" "$work"
rm -rf "$work/run"
mkdir -p "$work/run/traces" "$work/run/logs"
run="$work/run"
log="$out/run.log"
: >"$log"
exec > >(tee -a "$log") 2>&1
cmdline="bash reference/run_h100.sh ${args[*]}"
say "$cmdline"
say "repository $repo, work $work, output $out, budget ${budget}s"

{
  echo "command: $cmdline"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -a)"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.draw,temperature.gpu,persistence_mode --format=csv
  nvcc --version | tail -2
  cmake --version | head -1
  command -v ncu >/dev/null && ncu --version | tail -1
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)' 2>/dev/null
  (cd "$repo" && git rev-parse HEAD 2>/dev/null && git status --short -- reference 2>/dev/null | head -20)
} >"$run/env.txt" 2>&1
cat "$run/env.txt"

# --- build ----------------------------------------------------------------------------------------
say "configure and build (-j$jobs)"
if ! cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$run/logs/cmake.log" 2>&1; then
  tail -30 "$run/logs/cmake.log"; say "configure failed"; exit 3
fi
if ! ninja -C "$work/build" -j"$jobs" >"$run/logs/build.log" 2>&1; then
  grep -E "error|Error" "$run/logs/build.log" | head -30; say "build failed"; exit 3
fi
bin="$work/build/accsim_ref"
say "built: $(cd "$work/build" && ls -1 | grep -E '^(accsim_ref|test_reference_[a-z]+)$' | tr '\n' ' ')"

"$work/build/test_reference_host" --gtest_brief=1 >"$run/logs/test_host.log" 2>&1
say "host tests: $(tail -1 "$run/logs/test_host.log")"
"$bin" list --shapes "$shapes" >"$run/logs/list.log" 2>&1 || { cat "$run/logs/list.log"; exit 4; }

# --- instruction mix: kernel_mix.h against the PTX (per program point), ptxas -v and the SASS ----
t=$(share 12 90)
timeout "$t" python3 "$here/scripts/mix_check.py" ptx --repo "$repo" --accsim-ref "$bin" \
  --jobs "$jobs" --save-counts "$run/ptx_counts.json" >"$run/logs/mix_ptx.log" 2>&1
say "instruction mix, PTX: $(tail -1 "$run/logs/mix_ptx.log")"
grep -E '^FAIL' "$run/logs/mix_ptx.log" | head -10
timeout "$t" python3 "$here/scripts/mix_check.py" regs --repo "$repo" --accsim-ref "$bin" \
  --jobs "$jobs" >"$run/logs/mix_regs.log" 2>&1
say "registers (ptxas -v): $(tail -1 "$run/logs/mix_regs.log")"
if command -v cuobjdump >/dev/null && [ -f "$run/ptx_counts.json" ]; then
  # The SASS dump is large; only the comparison is kept.
  cuobjdump -sass "$bin" >"$work/sass.txt" 2>"$run/logs/cuobjdump.log"
  python3 "$here/scripts/sass_mix.py" --sass "$work/sass.txt" --ptx-counts "$run/ptx_counts.json" \
    --out "$run/sass_mix.json" >"$run/logs/sass_mix.log" 2>&1
  say "instruction mix, SASS: $(tail -1 "$run/logs/sass_mix.log")"
  grep -E '^FAIL' "$run/logs/sass_mix.log" | head -10
  rm -f "$work/sass.txt"
else
  say "no cuobjdump (or no PTX counts): SASS mix check skipped"
fi
if [ "$cpu_only" = 1 ]; then
  "$work/build/test_reference_gpu" --gtest_brief=1 >"$run/logs/test_gpu.log" 2>&1
  say "kernel tests: $(tail -1 "$run/logs/test_gpu.log")"
  say "cpu-only run done: $(tail -1 "$run/logs/list.log")"
  exit 0
fi

timeout "$(share 10 60)" "$work/build/test_reference_gpu" --gtest_brief=1 >"$run/logs/test_gpu.log" 2>&1
say "kernel tests: $(grep -E '^\[  (PASSED|FAILED)' "$run/logs/test_gpu.log" | tr '\n' ' ')"
grep -E '^\[  FAILED' "$run/logs/test_gpu.log" | head -20

"$bin" info --out "$run/gpu.json" || { say "no usable GPU"; exit 7; }

# --- checks at every study shape ------------------------------------------------------------------
say "fp64 checks"
# Each phase also runs under `timeout` (its deadline + 60 s), so a hung kernel costs one phase.
d=$(share 25 150)
timeout $((d + 60)) "$bin" check --shapes "$shapes" --out "$run/check.jsonl" --deadline "$d" \
  >"$run/logs/check.log" 2>&1
tail -3 "$run/logs/check.log"; grep -E '^(FAIL|ERROR)' "$run/logs/check.log" | head -20

# --- capture --------------------------------------------------------------------------------------
say "trace capture"
d=$(share 15 75)
timeout $((d + 60)) "$bin" capture --shapes "$shapes" --out-dir "$run/traces" --deadline "$d" \
  >"$run/logs/capture.log" 2>&1
tail -2 "$run/logs/capture.log"; grep -E '^(FAIL|ERROR)|OVERFLOW' "$run/logs/capture.log" | head -20

# --- timing ---------------------------------------------------------------------------------------
say "timing"
d=$(share 40 150)
timeout $((d + 60)) "$bin" time --shapes "$shapes" --out "$run/timing.jsonl" \
  --optrace "$run/ops.optrace.jsonl" --deadline "$d" >"$run/logs/time.log" 2>&1
tail -2 "$run/logs/time.log"; grep -E '^(ERROR)' "$run/logs/time.log" | head -20

# --- Nsight Compute -------------------------------------------------------------------------------
if [ "$skip_ncu" = 0 ] && command -v ncu >/dev/null; then
  t=$(share 55 150)
  say "ncu counters (at most ${t}s)"
  timeout "$t" ncu --csv --page raw --print-units base --print-kernel-base function \
    --kernel-name-base function --kernel-name "$ncu_kernels" --metrics "$ncu_metrics" \
    --clock-control none --cache-control all --log-file "$run/ncu.csv" \
    "$bin" profile --shapes "$shapes" --tag ncu --out "$run/launches.tsv" \
    --deadline $((t > 40 ? t - 20 : t / 2)) >"$run/logs/ncu.log" 2>&1
  say "ncu exit $? ; $(grep -c '^"' "$run/ncu.csv" 2>/dev/null || echo 0) CSV lines"
else
  say "ncu skipped"
fi

# --- PyTorch --------------------------------------------------------------------------------------
if [ "$skip_torch" = 0 ] && python3 -c 'import torch' 2>/dev/null; then
  ids=$("$bin" list --shapes "$shapes" --tag torch | awk '/^sdpa-flash/ {print $1}')
  say "torch scaled_dot_product_attention: $(echo $ids | wc -w) shapes"
  PYTHONUNBUFFERED=1 timeout "$(share 70 90)" python3 "$here/scripts/torch_sdpa.py" \
    --out "$run/torch.json" $ids >"$run/logs/torch.log" 2>&1
  tail -8 "$run/logs/torch.log"
else
  say "torch comparison skipped"
fi

# --- merge, package, summary ----------------------------------------------------------------------
say "merge"
echo "$cmdline" >"$run/COMMAND.txt"
python3 "$here/scripts/merge_measurements.py" --gpu "$run/gpu.json" --check "$run/check.jsonl" \
  --timing "$run/timing.jsonl" --optrace "$run/ops.optrace.jsonl" \
  --launches "$run/launches.tsv" --ncu "$run/ncu.csv" --capture "$run/traces/capture.jsonl" \
  --capture-optrace "$run/traces/capture.optrace.jsonl" --torch "$run/torch.json" \
  --out "$run/measurements.json" --optrace-out "$run/optrace.jsonl" \
  --capture-optrace-out "$run/traces/capture.optrace.jsonl.merged" \
  --summary "$run/summary.txt" --command "$cmdline" >/dev/null 2>"$run/logs/merge.log" \
  || { cat "$run/logs/merge.log"; say "merge failed"; }
[ -f "$run/traces/capture.optrace.jsonl.merged" ] && \
  mv "$run/traces/capture.optrace.jsonl.merged" "$run/traces/capture.optrace.jsonl"

cp "$run/measurements.json" "$run/summary.txt" "$out/" 2>/dev/null
rm -f "$out"/h100_bundle.tar.xz*
(cd "$run" && tar -cf - --exclude=./build . | xz -T0 -6 >"$out/h100_bundle.tar.xz")
size=$(stat -c %s "$out/h100_bundle.tar.xz")
if [ "$size" -gt $((15 * 1024 * 1024)) ]; then
  (cd "$out" && split -b 15M -d -a 2 h100_bundle.tar.xz h100_bundle.tar.xz.part- && rm h100_bundle.tar.xz)
fi
say "output: $(ls -1 "$out" | tr '\n' ' ')"
say "done in $(elapsed)s"
echo
cat "$run/summary.txt" 2>/dev/null || say "no summary (merge failed)"
