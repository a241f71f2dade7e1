#!/bin/bash
# On a GPU machine, from the repository root: unpacks tools/gpu/bundle.sh's archive and, in
# under 10 minutes, measures the README's GPU cases:
#   1. `cherenkov check` (every kernel bit-exact on cuda against the references);
#   2. the benchmarks against the peers (Plonky3, arkworks) on the host's cores;
#   3. `cherenkov profile --measure cuda`: each case's median call split into kernels, transfers,
#      allocations, conversions and the rest of the host's work (CHERENKOV_TRACE's spans), beside
#      the emulator profile's estimate of its kernels (profile_h100.json, made by bundle.sh on
#      the build machine, so no GPU time goes to emulation);
#   4. a Keccak-f proof against Plonky3's stock prover.
#   ARCHIVE=.gpucarry/gpu.tar.xz OUT=/some/dir tools/gpu/run.sh
# RUN_TESTS=1 also runs every test suite (their cuda cases; several more minutes).
# Logs go to $OUT (default /tmp/cherenkov-gpu); the tables to stdout.
set -uo pipefail
archive=${ARCHIVE:-.gpucarry/gpu.tar.xz}
out=${OUT:-/tmp/cherenkov-gpu}
bin=/tmp/cherenkov-bin
mkdir -p "$out" "$bin"
start=$(date +%s)
step() { echo "== $1 ($(($(date +%s) - start)) s)"; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
tar -xJf "$archive" -C "$bin" || exit 1
# Tests that read checked-in files find them through the build machine's path.
mkdir -p /work && [ -e /work/main ] || ln -s "$PWD" /work/main
cli=$bin/cherenkov_cli
grep -q avx512f /proc/cpuinfo && cli=$bin/cli_v4
"$cli" info | tee "$out/info.txt"

step "check"
timeout 120 "$cli" check >"$out/check.txt" 2>&1
echo "check rc=$? $(tail -1 "$out/check.txt")"

step "benchmarks against the peers (medians of 3)"
timeout 150 "$cli" bench ntt --shapes 20x64,22x16 --bn254 20 --reps 3 2>&1 | tee "$out/bench_ntt.txt"
timeout 90 "$cli" bench merkle --batches 20x16,20x8+19x16+18x32 --log-perms 20 --reps 3 2>&1 | tee "$out/bench_merkle.txt"
timeout 90 "$cli" bench msm --g1 16,20 --g2 16 --reps 3 2>&1 | tee "$out/bench_msm.txt"

step "where each call's time goes, beside the profile's kernel estimate"
estimates=()
[ -f "$bin/profile_h100.json" ] && estimates=(--estimates "$bin/profile_h100.json")
timeout 120 "$cli" profile --shapes 20x64,22x16 --log-perms 20 --trees 20x16 --measure cuda --reps 5 \
  "${estimates[@]}" 2>&1 | tee "$out/profile_measured.txt"

step "Keccak-f proof, 2^16 rows"
timeout 90 "$cli" prove --log-rows 16 --backends cpu,cuda 2>&1 | tee "$out/prove_16.txt" | tail -14

if [ -n "${RUN_TESTS:-}" ]; then
  step "test suites"
  for t in "$bin"/*; do
    name=$(basename "$t")
    case $name in cherenkov_cli | cli_v4 | *.json) continue ;; esac
    echo "=== $name" >>"$out/tests.txt"
    timeout 300 "$t" --test-threads 8 >>"$out/tests.txt" 2>&1
    echo "$name rc=$? $(grep -E '^test result' "$out/tests.txt" | tail -1)"
  done
fi
step "done"
