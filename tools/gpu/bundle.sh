#!/bin/bash
# Builds everything a GPU run needs on this (GPU-less) machine and packs it into one archive,
# for a machine that has a driver but no Rust toolchain:
#   tools/gpu/bundle.sh [OUT_DIR]      (default .gpucarry; add it to .git/info/exclude)
# The test binaries embed the kernels' fatbins (~60 MB each); xz over all of them together
# shrinks 17 binaries to ~14 MB. Then, there: tar -xJf OUT_DIR/gpu.tar.xz -C /tmp/g and
# tools/gpu/run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-.gpucarry}
: "${NVCC:?set NVCC to nvcc (e.g. .venv/lib/python3*/site-packages/nvidia/cu13/bin/nvcc)}"
export CHERENKOV_REQUIRE_NVCC=1
stage=$(mktemp -d)
cargo test --release --workspace --locked --no-run --message-format=json 2>/dev/null |
  python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(m["executable"])' |
  while read -r exe; do
    name=$(basename "$exe"); name=${name%-*}
    # cpu-only suites (build rules, generated files, SP1 constants) need the source tree or nvcc.
    # patch builds a second workspace with cargo, which the GPU machine does not have.
    case $name in nvcc_build | kernel_rules | generated | sp1_poseidon2 | emu_model | patch) continue ;; esac
    [ -e "$stage/$name" ] && name=${name}_2
    cp "$exe" "$stage/$name"
  done
cargo build --release --locked --bin cherenkov
cp target/release/cherenkov "$stage/cherenkov_cli"
# The emulator profile of run.sh's cases, made here (a few minutes on 2 cores) so the GPU machine
# spends none of its time emulating: run.sh prints its kernel estimates beside the measurements.
target/release/cherenkov profile --shapes 20x64,22x16 --log-perms 20 --trees 20x16 --gpu h100 --json \
  >"$stage/profile_h100.json"
# The peers run at their best with the host's vector units; most GPU hosts have AVX-512.
RUSTFLAGS="-C target-cpu=x86-64-v4" CARGO_TARGET_DIR=target/v4 cargo build --release --locked --bin cherenkov
cp target/v4/release/cherenkov "$stage/cli_v4"
find "$stage" -type f ! -name '*.json' -exec strip {} +
mkdir -p "$out"
(cd "$stage" && tar -cf - ./* | xz -T0 -6 --lzma2=dict=192MiB) >"$out/gpu.tar.xz"
rm -rf "$stage"
ls -la "$out/gpu.tar.xz"
