// Plonky3's Merkle tree (MerkleTreeMmcs, arity 2, Poseidon2-16 sponge rate 8, digest 8) on a
// device: leaf digests of row-major matrices, and digest layers folded several levels a launch.
//
// Layer lengths follow Plonky3's padding: a layer of `raw` nodes is stored with
// padded_len(raw) = raw (raw <= 1) or raw rounded up to even, the extra slot the zero digest;
// the next layer has padded_len / 2 real nodes.
#pragma once
#include "emu/compat.h"
#include "poseidon2/poseidon2.cuh"

// Staged row elements per thread are padded to RATE + 1 words: consecutive threads then read
// shared memory with an odd stride, free of bank conflicts.
#define MERKLE_ROW_STRIDE 9

CHK_HD uint64_t merkle_padded_len(uint64_t raw) { return raw <= 1 ? raw : (raw + 1) & ~(uint64_t)1; }

// Absorbs one matrix's rows into the sponge states of rows [0, count): the row's elements
// continue the stream at block offset `pos` (a row of several same-height matrices is their
// concatenation, absorbed a matrix a launch). `first`: start from the zero state, else load
// `states`; `last`: finish (permute a partial block) and write the digest, else store the state
// for the next matrix. Reads are coalesced: a block stages its rows' next ≤ RATE columns in
// shared memory (consecutive threads read consecutive elements), then each thread takes its
// row's. Dynamic shared memory: blockDim.x * MERKLE_ROW_STRIDE elements.
template <int D, class F, int RP>
__device__ __forceinline__ void merkle_absorb_rows(const F* rows, uint64_t width, uint64_t count, uint32_t pos,
                                                   uint32_t first, uint32_t last, F* states, F* digests,
                                                   const chk_poseidon2_params<F, 16, RP>& prm) {
  constexpr int RATE = 8, OUT = 8;
  DYN_SHARED(F, tile);
  const uint32_t t = threadIdx.x;
  for (uint64_t base = (uint64_t)blockIdx.x * blockDim.x; base < count; base += CHK_GRID_STRIDE()) {
    const uint64_t row = base + t;
    const bool live = row < count;
    F s[16];
CHK_UNROLL
    for (int i = 0; i < 16; i++) s[i] = (!first && live) ? states[row * 16 + i] : F::zero();
    uint32_t p = pos;
    for (uint64_t c0 = 0; c0 < width;) {
      const uint32_t n = (uint32_t)((width - c0) < (uint64_t)(RATE - p) ? (width - c0) : (RATE - p));
      // Stage columns [c0, c0 + n) of the block's rows: element l of the block's n * blockDim.
      for (uint32_t l = t; l < n * blockDim.x; l += blockDim.x) {
        const uint64_t r = base + l / n;
        if (r < count) tile[(l / n) * MERKLE_ROW_STRIDE + l % n] = rows[r * width + c0 + l % n];
      }
      __syncthreads();
CHK_UNROLL
      for (int i = 0; i < RATE; i++)
        if ((uint32_t)i >= p && (uint32_t)i < p + n) s[i] = tile[t * MERKLE_ROW_STRIDE + (i - p)];
      __syncthreads();
      p += n;
      c0 += n;
      if (p == RATE) {
        if (live) poseidon2_permute<D>(s, prm);
        p = 0;
      }
    }
    if (!live) continue;
    if (last) {
      if (p != 0) poseidon2_permute<D>(s, prm);
CHK_UNROLL
      for (int i = 0; i < OUT; i++) digests[row * OUT + i] = s[i];
    } else {
CHK_UNROLL
      for (int i = 0; i < 16; i++) states[row * 16 + i] = s[i];
    }
  }
}

// Folds `levels` layers above `prev` (stored at padded length prev_len) into `out`,
// the layers stored one after another at their padded lengths. Node i of a layer is
// compress(child 2i, child 2i+1) for i < half the layer below (padding slots hold zero); at
// the first level, when `inject` is given, node i is then compress(node, inject[i]) (zero past
// inject_len): Plonky3's injection of shorter matrices' row digests. Block b computes parents
// [b*B, (b+1)*B) of the first level from global memory (coalesced: a thread reads one pair,
// 16 consecutive elements), then their subtrees in shared memory. levels <= log2(B): then every
// level keeps >= 2 nodes a block, so the launched blocks cover each layer's padding slot.
// Dynamic shared memory: blockDim.x * 8 elements.
template <int D, class F, int RP>
__device__ __forceinline__ void merkle_compress_levels(const F* prev, uint64_t prev_len, uint32_t levels, F* out,
                                                       const F* inject, uint64_t inject_len,
                                                       const chk_poseidon2_params<F, 16, RP>& prm) {
  DYN_SHARED(F, node);
  const uint32_t t = threadIdx.x;
  const uint32_t B = blockDim.x;
  const uint64_t b = blockIdx.x;
  uint64_t below = prev_len;  // padded length of the layer below the current level
  F* layer = out;
  for (uint32_t lv = 0; lv < levels; lv++) {
    const uint64_t raw = below / 2, padded = merkle_padded_len(raw);
    const uint32_t span = B >> lv;  // this block's nodes at this level
    const uint64_t i = b * span + t;
    F s[16];
    const bool live = t < span && i < raw;
    if (live) {
CHK_UNROLL
      for (int k = 0; k < 16; k++) s[k] = lv == 0 ? prev[2 * i * 8 + k] : node[2 * t * 8 + k];
      // One permutation body for both compressions (an injecting level runs it twice): half
      // the registers of two inlined copies.
      const int passes = (lv == 0 && inject != nullptr) ? 2 : 1;
CHK_NO_UNROLL
      for (int pass = 0; pass < passes; pass++) {
        if (pass == 1) {
CHK_UNROLL
          for (int k = 0; k < 8; k++) s[8 + k] = i < inject_len ? inject[i * 8 + k] : F::zero();
        }
        poseidon2_permute<D>(s, prm);
      }
    }
    __syncthreads();  // every thread has read its children from `node`
    if (t < span && i < padded) {
CHK_UNROLL
      for (int k = 0; k < 8; k++) {
        const F v = live ? s[k] : F::zero();
        node[t * 8 + k] = v;
        layer[i * 8 + k] = v;
      }
    }
    __syncthreads();
    layer += padded * 8;
    below = padded;
  }
}
