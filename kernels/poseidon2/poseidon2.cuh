// Poseidon2 over a 31-bit field (Plonky3's structure): an initial external linear layer, R_F/2
// full rounds, R_P partial rounds, R_F/2 full rounds.
//   full round:    s_i = (s_i + rc_i)^D for all i, then the external layer (Plonky3's
//                  mds_light: M4 on each 4-block, then each element plus the sum of its column
//                  of blocks);
//   partial round: s_0 = (s_0 + rc)^D, then the internal layer s_i = diag_i * s_i + scale * sum.
// Upstream Plonky3's internal layers are 1 + diag(V) (scale = 1); SP1's are
// 2^-32 (J + diag(V)), i.e. diag = 2^-32 V and scale = 2^-32. Every constant comes from the host
// (generated from Plonky3's/SP1's own values) inside the parameter struct, which CUDA keeps in
// the kernel's constant bank: all threads read the same constant at the same time, a broadcast.
#pragma once
#include "emu/compat.h"
#include "util/vec.cuh"

template <class F, int W, int RP>
struct chk_poseidon2_params {
  F initial[4][W];   // external round constants, rounds 0..3
  F terminal[4][W];  // external round constants, rounds 4..7
  F partial[RP];     // internal round constants
  F diag[W];
  F scale;
};

template <int D, class F>
__device__ __forceinline__ F p2_sbox(F x) {
  static_assert(D == 3 || D == 7, "Plonky3's 31-bit fields use x^3 or x^7");
  const F x2 = x * x;
  if (D == 3) return x2 * x;
  const F x3 = x2 * x;
  return x3 * x3 * x;
}

template <class F>
__device__ __forceinline__ void p2_mat4(F* x) {
  // Plonky3's MDSMat4: [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]], same additions in the same order.
  const F t01 = x[0] + x[1], t23 = x[2] + x[3];
  const F t0123 = t01 + t23;
  const F t01123 = t0123 + x[1], t01233 = t0123 + x[3];
  x[3] = t01233 + x[0].dbl();
  x[1] = t01123 + x[2].dbl();
  x[0] = t01123 + t01;
  x[2] = t01233 + t23;
}

template <class F, int W>
__device__ __forceinline__ void p2_external_layer(F* s) {
  static_assert(W % 4 == 0, "widths are multiples of 4");
CHK_UNROLL
  for (int i = 0; i < W; i += 4) p2_mat4(s + i);
  F sums[4];
CHK_UNROLL
  for (int k = 0; k < 4; k++) {
    sums[k] = s[k];
CHK_UNROLL
    for (int j = 4; j < W; j += 4) sums[k] += s[j + k];
  }
CHK_UNROLL
  for (int i = 0; i < W; i++) s[i] += sums[i % 4];
}

template <int D, class F, int W, int RP>
__device__ __forceinline__ void p2_full_rounds(F* s, const F (&rc)[4][W]) {
CHK_UNROLL_ROUNDS
  for (int r = 0; r < 4; r++) {
CHK_UNROLL
    for (int i = 0; i < W; i++) s[i] = p2_sbox<D>(s[i] + rc[r][i]);
    p2_external_layer<F, W>(s);
  }
}

template <int D, class F, int W, int RP>
__device__ __forceinline__ void poseidon2_permute(F* s, const chk_poseidon2_params<F, W, RP>& prm) {
  p2_external_layer<F, W>(s);
  p2_full_rounds<D, F, W, RP>(s, prm.initial);
CHK_UNROLL_ROUNDS
  for (int r = 0; r < RP; r++) {
    s[0] = p2_sbox<D>(s[0] + prm.partial[r]);
    F sum = s[0];
CHK_UNROLL
    for (int i = 1; i < W; i++) sum += s[i];
    sum = sum * prm.scale;
CHK_UNROLL
    for (int i = 0; i < W; i++) s[i] = s[i] * prm.diag[i] + sum;
  }
  p2_full_rounds<D, F, W, RP>(s, prm.terminal);
}

// Permutes `count` states of W elements stored one after another in `in` and writes the first OUT
// elements of each to `out` (OUT apart); one thread a state. `in == out` with OUT == W permutes
// in place (a thread reads its whole state before writing it).
template <int D, int OUT, class F, int W, int RP>
__device__ __forceinline__ void poseidon2_map_states(const F* in, uint64_t count, F* out,
                                                     const chk_poseidon2_params<F, W, RP>& prm) {
  static_assert(OUT <= W, "the output fits the state");
  for (uint64_t t = CHK_GLOBAL_TID(); t < count; t += CHK_GRID_STRIDE()) {
    F s[W];
    chk_load_vec<W>(in + t * W, s);
    poseidon2_permute<D>(s, prm);
    chk_store_vec<OUT>(out + t * OUT, s);
  }
}

// Permutes `count` states of W elements stored one after another, in place.
template <int D, class F, int W, int RP>
__device__ __forceinline__ void poseidon2_permute_batch(F* states, uint64_t count,
                                                        const chk_poseidon2_params<F, W, RP>& prm) {
  poseidon2_map_states<D, W>(states, count, states, prm);
}

// Staged row elements per thread are padded to RATE + 1 words: consecutive threads then read
// shared memory with an odd stride, free of bank conflicts.
#define P2_ROW_STRIDE 9

// Stages columns [c0, c0 + n) of rows [base, base + block_rows) (those below `count`) in
// `tile`, P2_ROW_STRIDE elements a row: the block's threads read consecutive elements
// (coalesced), then wait for each other.
template <class F>
__device__ __forceinline__ void p2_stage_columns(const F* rows, uint64_t width, uint64_t count, uint64_t base,
                                                 uint32_t block_rows, uint64_t c0, uint32_t n, F* tile) {
  for (uint32_t l = threadIdx.x; l < n * block_rows; l += blockDim.x) {
    const uint64_t r = base + l / n;
    if (r < count) tile[(l / n) * P2_ROW_STRIDE + l % n] = rows[r * width + c0 + l % n];
  }
  __syncthreads();
}

// Plonky3's PaddingFreeSponge<Perm16, 16, 8, 8> over rows, the one device sponge (hash_rows and
// Merkle leaves). Absorbs one matrix's rows into the sponge states of rows [0, count): the
// row's elements continue the stream at block offset `pos` (a row of several same-height matrices is their
// concatenation, absorbed a matrix a launch). `first`: start from the zero state, else load
// `states`; `last`: finish (permute a partial block) and write the digest, else store the state
// for the next matrix. Reads are coalesced: a block stages its rows' next ≤ RATE columns in
// shared memory (consecutive threads read consecutive elements), then each thread takes its
// row's. Dynamic shared memory: blockDim.x * P2_ROW_STRIDE elements.
template <int D, class F, int RP>
__device__ __forceinline__ void poseidon2_absorb_rows(const F* rows, uint64_t width, uint64_t count, uint32_t pos,
                                                      uint32_t first, uint32_t last, F* states, F* digests,
                                                      const chk_poseidon2_params<F, 16, RP>& prm) {
  constexpr int RATE = 8, OUT = 8;
  DYN_SHARED(F, tile);
  const uint32_t t = threadIdx.x;
  for (uint64_t base = (uint64_t)blockIdx.x * blockDim.x; base < count; base += CHK_GRID_STRIDE()) {
    const uint64_t row = base + t;
    const bool live = row < count;
    F s[16];
    if (!first && live) {
      chk_load_vec<16>(states + row * 16, s);
    } else {
CHK_UNROLL
      for (int i = 0; i < 16; i++) s[i] = F::zero();
    }
    uint32_t p = pos;
    for (uint64_t c0 = 0; c0 < width;) {
      const uint32_t n = (uint32_t)((width - c0) < (uint64_t)(RATE - p) ? (width - c0) : (RATE - p));
      p2_stage_columns(rows, width, count, base, blockDim.x, c0, n, tile);
CHK_UNROLL
      for (int i = 0; i < RATE; i++)
        if ((uint32_t)i >= p && (uint32_t)i < p + n) s[i] = tile[t * P2_ROW_STRIDE + (i - p)];
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
      chk_store_vec<OUT>(digests + row * OUT, s);
    } else {
      chk_store_vec<16>(states + row * 16, s);
    }
  }
}

// The width-16 permutation with four lanes a state: lane q of a group of four consecutive lanes
// holds elements 4q..4q+3 (one M4 block). `rc` is the 8 × 16 external round constants and
// `diag` this lane's four internal diagonal entries. Every lane of the warp runs it (shuffles).
template <class F>
__device__ __forceinline__ F p2_shfl_xor(F x, int mask) {
  return F::from_mont(__shfl_xor_sync(0xffffffffu, x.v, mask));
}

template <class F>
__device__ __forceinline__ void p2_external_layer_x4(F* s) {
  p2_mat4(s);
  // Each element plus the sum of its column of blocks: the four lanes' sums by two xor steps.
CHK_UNROLL
  for (int k = 0; k < 4; k++) {
    F sum = s[k] + p2_shfl_xor(s[k], 1);
    sum += p2_shfl_xor(sum, 2);
    s[k] += sum;
  }
}

template <int D, class F, int RP>
__device__ __forceinline__ void p2_full_rounds_x4(F* s, const F* rc, uint32_t q) {
CHK_UNROLL_ROUNDS
  for (int r = 0; r < 4; r++) {
CHK_UNROLL
    for (int k = 0; k < 4; k++) s[k] = p2_sbox<D>(s[k] + rc[r * 16 + 4 * q + k]);
    p2_external_layer_x4(s);
  }
}

template <int D, class F, int RP>
__device__ __forceinline__ void poseidon2_permute_x4(F* s, uint32_t q, const F* rc, const F* diag,
                                                     const chk_poseidon2_params<F, 16, RP>& prm) {
  p2_external_layer_x4(s);
  p2_full_rounds_x4<D, F, RP>(s, rc, q);
CHK_UNROLL_ROUNDS
  for (int r = 0; r < RP; r++) {
    // s_0 is lane 0's: every lane computes the s-box on its own first element, lane 0 keeps it.
    const F y = p2_sbox<D>(s[0] + prm.partial[r]);
    if (q == 0) s[0] = y;
    F sum = (s[0] + s[1]) + (s[2] + s[3]);
    sum += p2_shfl_xor(sum, 1);
    sum += p2_shfl_xor(sum, 2);
    sum = sum * prm.scale;
CHK_UNROLL
    for (int k = 0; k < 4; k++) s[k] = s[k] * diag[k] + sum;
  }
  p2_full_rounds_x4<D, F, RP>(s, rc + 4 * 16, q);
}

// poseidon2_absorb_rows with four lanes a row (poseidon2_permute_x4): for matrices of few rows,
// where a thread a row would leave most SMs idle — a wide trace's row is a serial chain of
// hundreds of permutations, so a few thousand rows are a few thousand threads. Same arguments;
// blockDim.x a multiple of 32 (whole warps: the shuffles), blockDim.x / 4 rows a block. Dynamic
// shared memory: (blockDim.x / 4) * P2_ROW_STRIDE staged elements, then the external round
// constants (8 × 16) and the diagonal (16), which lanes index by their position.
template <int D, class F, int RP>
__device__ __forceinline__ void poseidon2_absorb_rows_x4(const F* rows, uint64_t width, uint64_t count, uint32_t pos,
                                                         uint32_t first, uint32_t last, F* states, F* digests,
                                                         const chk_poseidon2_params<F, 16, RP>& prm) {
  constexpr int RATE = 8, OUT = 8;
  DYN_SHARED(F, smem);
  const uint32_t t = threadIdx.x, q = t & 3, local = t >> 2, per_block = blockDim.x >> 2;
  F* tile = smem;
  F* rc = smem + per_block * P2_ROW_STRIDE;
  for (uint32_t i = t; i < 9 * 16; i += blockDim.x) {
    const uint32_t r = i >> 4, k = i & 15;
    rc[i] = r < 4 ? prm.initial[r][k] : r < 8 ? prm.terminal[r - 4][k] : prm.diag[k];
  }
  __syncthreads();
  F diag[4];
CHK_UNROLL
  for (int k = 0; k < 4; k++) diag[k] = rc[8 * 16 + 4 * q + k];
  for (uint64_t base = (uint64_t)blockIdx.x * per_block; base < count; base += (uint64_t)gridDim.x * per_block) {
    const uint64_t row = base + local;
    const bool live = row < count;
    F s[4];
    if (!first && live) {
      chk_load4(states + row * 16 + 4 * q, s);
    } else {
CHK_UNROLL
      for (int k = 0; k < 4; k++) s[k] = F::zero();
    }
    uint32_t p = pos;
    for (uint64_t c0 = 0; c0 < width;) {
      const uint32_t n = (uint32_t)((width - c0) < (uint64_t)(RATE - p) ? (width - c0) : (RATE - p));
      p2_stage_columns(rows, width, count, base, per_block, c0, n, tile);
      // The rate is lanes 0 and 1.
CHK_UNROLL
      for (int k = 0; k < 4; k++) {
        const uint32_t i = 4 * q + k;
        if (i >= p && i < p + n) s[k] = tile[local * P2_ROW_STRIDE + (i - p)];
      }
      __syncthreads();
      p += n;
      c0 += n;
      if (p == RATE) {
        poseidon2_permute_x4<D>(s, q, rc, diag, prm);
        p = 0;
      }
    }
    if (last) {
      if (p != 0) poseidon2_permute_x4<D>(s, q, rc, diag, prm);
      if (live && 4 * q < OUT) chk_store4(digests + row * OUT + 4 * q, s);
    } else if (live) {
      chk_store4(states + row * 16 + 4 * q, s);
    }
  }
}

// Plonky3's TruncatedPermutation<Perm, 2, OUT, W>: digest pair (l, r) -> first OUT elements of
// permute(l || r). `pairs` holds 2·count digests of OUT elements, left then right.
template <int D, int OUT, class F, int W, int RP>
__device__ __forceinline__ void poseidon2_compress(const F* pairs, uint64_t count, F* out,
                                                   const chk_poseidon2_params<F, W, RP>& prm) {
  static_assert(2 * OUT == W, "two digests fill the state");
  poseidon2_map_states<D, OUT>(pairs, count, out, prm);
}
