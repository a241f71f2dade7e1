// FRI's commit-phase folding (p3-fri's `TwoAdicFriFolding::fold_matrix`) over a codeword that
// stays on the device. The codeword is in bit-reversed order, so the conjugate pair of output
// row i (the evaluations at x and −x) is (in[2i], in[2i + 1]), and
//   out[i] = (lo + hi) / 2 + β · (lo − hi) · g^{−rev(i)} / 2,   g of order 2 · half,
// rev over log2(half) bits. An arity-2^k round is k of these with β, β², β⁴, … (the
// decomposition p3-fri's own fold uses). On the round's last step the next reduced opening of
// the folded height joins: out[i] += scale · mix[i] (scale = β^arity). Field arithmetic is
// exact, so any arrangement of these operations gives p3-fri's values.
#pragma once
#include "ff/coset.cuh"
#include "ff/ext4.cuh"

template <class F, class E>
__device__ __forceinline__ void fri_fold_pairs(const E* in, E* out, uint32_t log_half, F g_inv, F half, E beta,
                                               const E* mix, E scale) {
  const uint64_t n = 1ull << log_half;
  for (uint64_t i = CHK_GLOBAL_TID(); i < n; i += CHK_GRID_STRIDE()) {
    const F t = chk_bit_reversed_coset_point(half, g_inv, i, log_half);  // g^{−rev(i)} / 2
    const E lo = in[2 * i], hi = in[2 * i + 1];
    E r = (lo + hi) * half + beta * (lo - hi) * t;
    if (mix != nullptr) r = r + scale * mix[i];
    out[i] = r;
  }
}
