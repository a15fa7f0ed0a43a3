#!/bin/sh
# One long coverage-guided fuzz run (CTest label fuzz_long, -DACCSIM_FUZZ=ON builds only):
#   long_fuzz.sh <libfuzzer binary> <seed corpus folder> <work folder> <seconds>
# The seeds in the repository are never written: libFuzzer grows a copy of them in
# <work folder>/corpus (kept between runs, so a second run goes on from the first), and any input
# that crashes, leaks, runs out of memory or takes longer than 60 s is saved in
# <work folder>/artifacts and fails the test. The whole log is <work folder>/log; its last lines are printed.
set -eu
bin=$1 seeds=$2 work=$3 seconds=$4
mkdir -p "$work/corpus" "$work/artifacts"
if [ -z "$(ls -A "$work/corpus")" ]; then cp "$seeds"/* "$work/corpus/"; fi
echo "long fuzz: $(basename "$bin") for $seconds s, corpus $work/corpus ($(ls "$work/corpus" | wc -l) inputs at start)"
status=0
"$bin" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" > "$work/log" 2>&1 || status=$?
tail -n 40 "$work/log"
echo "long fuzz: corpus now $(ls "$work/corpus" | wc -l) inputs; artifacts: $(ls "$work/artifacts" | wc -l)"
[ -z "$(ls -A "$work/artifacts")" ] || exit 1
exit $status
