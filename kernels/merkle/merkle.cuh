// Plonky3's Merkle tree (MerkleTreeMmcs, arity 2, Poseidon2-16 sponge rate 8, digest 8) on a
// device: digest layers folded several levels a launch (leaf digests are poseidon2_absorb_rows).
//
// Layer lengths follow Plonky3's padding: a layer of `raw` nodes is stored with
// padded_len(raw) = raw (raw <= 1) or raw rounded up to even, the extra slot the zero digest;
// the next layer has padded_len / 2 real nodes.
#pragma once
#include "emu/compat.h"
#include "poseidon2/poseidon2.cuh"

CHK_HD uint64_t merkle_padded_len(uint64_t raw) { return raw <= 1 ? raw : (raw + 1) & ~(uint64_t)1; }

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
