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

// Shared-memory layout of a block's nodes: pair p (nodes 2p, 2p+1, 16 words) at 17p, so a lane
// reading its pair's 16 words (lane t, word j: 17t + j) hits 32 distinct banks, and a lane writing
// its node at most two lanes to a bank (the emulator's profile scores both).
#define MERKLE_PAIR_STRIDE 17
CHK_HD uint32_t merkle_slot(uint32_t node) { return (node >> 1) * MERKLE_PAIR_STRIDE + (node & 1) * 8; }

// Folds `levels` layers above `prev` (stored at padded length prev_len) into `out`,
// the layers stored one after another at their padded lengths. Node i of a layer is
// compress(child 2i, child 2i+1) for i < half the layer below (padding slots hold zero); at
// the first level, when `inject` is given, node i is then compress(node, inject[i]) (zero past
// inject_len): Plonky3's injection of shorter matrices' row digests. Block b computes parents
// [b*B, (b+1)*B) of the first level, then their subtrees, every level's nodes in shared memory:
// the block's children are read from global memory into it, and each level's nodes written out
// from it, by consecutive threads at consecutive words (coalesced), not a digest per thread.
// levels <= log2(B): then every level keeps >= 2 nodes a block, so the launched blocks cover each
// layer's padding slot. Dynamic shared memory: MERKLE_PAIR_STRIDE * blockDim.x elements.
template <int D, class F, int RP>
__device__ __forceinline__ void merkle_compress_levels(const F* prev, uint64_t prev_len, uint32_t levels, F* out,
                                                       const F* inject, uint64_t inject_len,
                                                       const chk_poseidon2_params<F, 16, RP>& prm) {
  DYN_SHARED(F, node);
  const uint32_t t = threadIdx.x;
  const uint32_t B = blockDim.x;
  const uint64_t b = blockIdx.x;
  // The block's children: pairs [b*B, b*B + B) of the layer below, up to its raw / 2 pairs.
  {
    const uint64_t pairs = prev_len / 2, first = b * B;
    const uint32_t here = first < pairs ? (uint32_t)min((uint64_t)B, pairs - first) : 0;
    for (uint32_t w = t; w < here * 16; w += B) node[(w >> 4) * MERKLE_PAIR_STRIDE + (w & 15)] = prev[first * 16 + w];
  }
  __syncthreads();
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
      for (int k = 0; k < 16; k++) s[k] = node[t * MERKLE_PAIR_STRIDE + k];
      // One permutation body for both compressions (an injecting level runs it twice): half
      // the registers of two inlined copies.
      const int passes = (lv == 0 && inject != nullptr) ? 2 : 1;
CHK_NO_UNROLL
      for (int pass = 0; pass < passes; pass++) {
        if (pass == 1) {
          if (i < inject_len) {
            chk_load_vec<8>(inject + i * 8, s + 8);
          } else {
CHK_UNROLL
            for (int k = 0; k < 8; k++) s[8 + k] = F::zero();
          }
        }
        poseidon2_permute<D>(s, prm);
      }
    }
    __syncthreads();  // every thread has read its children from `node`
    if (t < span && i < padded) {
CHK_UNROLL
      for (int k = 0; k < 8; k++) node[merkle_slot(t) + k] = live ? s[k] : F::zero();
    }
    __syncthreads();
    // The level's nodes [b*span, b*span + span) below `padded`, out in consecutive words.
    const uint32_t here = b * span < padded ? (uint32_t)min((uint64_t)span, padded - b * span) : 0;
    for (uint32_t w = t; w < here * 8; w += B) layer[b * span * 8 + w] = node[merkle_slot(w >> 3) + (w & 7)];
    layer += padded * 8;
    below = padded;
  }
}
