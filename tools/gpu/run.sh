#!/bin/bash
# On a GPU machine, from the repository root: unpacks tools/gpu/bundle.sh's archive, runs every
# test suite (their cuda cases run there), `cherenkov check`, the benchmarks and the proofs.
#   ARCHIVE=.gpucarry/gpu.tar.xz OUT=/some/dir tools/gpu/run.sh
# Logs go to $OUT (default /tmp/cherenkov-gpu); a summary to stdout.
set -uo pipefail
archive=${ARCHIVE:-.gpucarry/gpu.tar.xz}
out=${OUT:-/tmp/cherenkov-gpu}
bin=/tmp/cherenkov-bin
mkdir -p "$out" "$bin"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
tar -xJf "$archive" -C "$bin" || exit 1
# Tests that read checked-in files find them through the build machine's path.
mkdir -p /work && [ -e /work/main ] || ln -s "$PWD" /work/main
cli=$bin/cherenkov_cli
grep -q avx512f /proc/cpuinfo && cli=$bin/cli_v4
"$cli" info | tee "$out/info.txt"
for t in "$bin"/*; do
  name=$(basename "$t")
  case $name in cherenkov_cli | cli_v4) continue ;; esac
  echo "=== $name" >>"$out/tests.txt"
  timeout 300 "$t" --test-threads 8 >>"$out/tests.txt" 2>&1
  echo "$name rc=$? $(grep -E '^test result' "$out/tests.txt" | tail -1)"
done
"$cli" check >"$out/check.txt" 2>&1; echo "check rc=$? $(tail -1 "$out/check.txt")"
for b in ntt merkle; do "$cli" bench "$b" 2>&1 | grep -v timing | tee "$out/bench_$b.txt"; done
"$cli" prove --log-rows 14 --backends cpu,cuda --pow-bits 0 2>&1 | tee "$out/prove_14.txt" | tail -6
"$cli" prove --log-rows 16 --backends cpu,cuda 2>&1 | tee "$out/prove_16.txt" | tail -6
