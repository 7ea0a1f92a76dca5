#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh FUZZER SECONDS WORK_CORPUS: runs the libFuzzer binary FUZZER for SECONDS, seeded
# with tools/fuzz/corpus, writing new inputs to WORK_CORPUS and crashes, hangs (> 10 s per
# input) and leaks to .build-fuzz/artifacts/. Prints a summary (executions, edges,
# features, corpus) and exits non-zero if the fuzzer found anything.
set -euo pipefail
fuzzer=$1
seconds=$2
corpus=$3
seeds="$(cd "$(dirname "$0")" && pwd)/corpus"
base="$(dirname "$(dirname "$fuzzer")")"   # .build-fuzz
artifacts="$base/artifacts"
log="$base/fuzz-$(basename "$corpus").log"
mkdir -p "$corpus" "$artifacts"

# The Swift runtime's backtracer would handle the fatal signals libFuzzer and ASan report.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"

status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$corpus" "$seeds" >"$log" 2>&1 || status=$?

# The last status line: "#N DONE cov: E ft: F corp: C/S ...".
grep -E '^#[0-9]+' "$log" | grep -E 'INITED|DONE' | sed 's/^/  /' || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" | sed 's/^/  /' || true
if [ "$status" -ne 0 ]; then
  echo "fuzz: FAILED (status $status); the report (see $log):"
  grep -E -A25 'ERROR|fuzz_abi:|Test unit written|SUMMARY' "$log" | head -80
  exit 1
fi
echo "fuzz: no crash, hang or leak in ${seconds} s (log: $log; new inputs: $corpus)"
