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
CHK_UNROLL
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
CHK_UNROLL
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

// Permutes `count` states of W elements stored one after another, in place; one thread each.
template <int D, class F, int W, int RP>
__device__ __forceinline__ void poseidon2_permute_batch(F* states, uint64_t count,
                                                        const chk_poseidon2_params<F, W, RP>& prm) {
  for (uint64_t t = CHK_GLOBAL_TID(); t < count; t += CHK_GRID_STRIDE()) {
    F s[W];
CHK_UNROLL
    for (int i = 0; i < W; i++) s[i] = states[t * W + i];
    poseidon2_permute<D>(s, prm);
CHK_UNROLL
    for (int i = 0; i < W; i++) states[t * W + i] = s[i];
  }
}

// Plonky3's PaddingFreeSponge<Perm, W, RATE, OUT> over each row of a row-major matrix, one
// thread a row: from the zero state, overwrite s[0..RATE) with the next RATE elements and
// permute; a last partial block overwrites only its elements (and is permuted); a width that is
// a multiple of RATE ends on the permutation of its last block. Digest = s[0..OUT).
// Loops run over RATE with a bound test rather than a runtime trip count, so the state stays
// in registers.
template <int D, int RATE, int OUT, class F, int W, int RP>
__device__ __forceinline__ void poseidon2_hash_rows(const F* rows, uint64_t width, uint64_t count, F* digests,
                                                    const chk_poseidon2_params<F, W, RP>& prm) {
  static_assert(RATE <= W && OUT <= W, "rate and output fit the state");
  for (uint64_t t = CHK_GLOBAL_TID(); t < count; t += CHK_GRID_STRIDE()) {
    const F* row = rows + t * width;
    F s[W];
    CHK_UNROLL
    for (int i = 0; i < W; i++) s[i] = F::zero();
    for (uint64_t k = 0; k < width; k += RATE) {
      CHK_UNROLL
      for (int i = 0; i < RATE; i++)
        if (k + i < width) s[i] = row[k + i];
      poseidon2_permute<D>(s, prm);
    }
    CHK_UNROLL
    for (int i = 0; i < OUT; i++) digests[t * OUT + i] = s[i];
  }
}

// Plonky3's TruncatedPermutation<Perm, 2, OUT, W>: digest pair (l, r) -> first OUT elements of
// permute(l || r). `pairs` holds 2·count digests of OUT elements, left then right.
template <int D, int OUT, class F, int W, int RP>
__device__ __forceinline__ void poseidon2_compress(const F* pairs, uint64_t count, F* out,
                                                   const chk_poseidon2_params<F, W, RP>& prm) {
  static_assert(2 * OUT == W, "two digests fill the state");
  for (uint64_t t = CHK_GLOBAL_TID(); t < count; t += CHK_GRID_STRIDE()) {
    F s[W];
    CHK_UNROLL
    for (int i = 0; i < W; i++) s[i] = pairs[t * W + i];
    poseidon2_permute<D>(s, prm);
    CHK_UNROLL
    for (int i = 0; i < OUT; i++) out[t * OUT + i] = s[i];
  }
}
