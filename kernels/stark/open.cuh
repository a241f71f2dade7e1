// The PCS openings of matrices that lie on the device (the committed LDEs, rows bit-reversed,
// row-major): what p3-fri's `TwoAdicFriPcs::open` computes per matrix in O(height · width), so
// only O(width) values leave the device.
//
// - Columns at a point (barycentric evaluation): Σ_r w[r] · M[r][c] over the first `rows` rows
//   for every column c and each of `points` weight vectors, in two steps: partial sums over
//   chunks of rows (a warp reads 32 adjacent columns of one row: 128-byte runs), then the
//   chunks summed per column.
// - Rows compressed by powers of α: Σ_c p[c] · M[r][c] for every row r, one warp a row (the
//   lanes stride the columns, then a butterfly of shuffles sums them).
// - The reduced openings FRI starts from, accumulated per height from the compressed rows.
// Field arithmetic is exact, so the summation order changes no value.
#pragma once
#include "ff/coset.cuh"
#include "ff/ext4.cuh"

// partials[(chunk · points + p) · width + c] = Σ_{r ∈ chunk} weights[p · rows + r] · M[r][c],
// chunk blockIdx.y of `chunk_rows` rows; the threads of the grid's x dimension across the columns.
template <class F, class E>
__device__ __forceinline__ void stark_open_columns(const F* mat, uint32_t width, uint32_t rows, const E* weights,
                                                   uint32_t points, uint32_t chunk_rows, E* partials) {
  const uint64_t chunk = blockIdx.y, start = chunk * chunk_rows;
  const uint64_t end = start + chunk_rows < rows ? start + chunk_rows : rows;
  for (uint32_t c = blockIdx.x * blockDim.x + threadIdx.x; c < width; c += gridDim.x * blockDim.x) {
    CHK_NO_UNROLL
    for (uint32_t p = 0; p < points; p++) {
      E acc = E::zero();
      const E* w = weights + (uint64_t)p * rows;
      for (uint64_t r = start; r < end; r++) acc = acc + w[r] * mat[r * width + c];
      partials[(chunk * points + p) * width + c] = acc;
    }
  }
}

// out[p · width + c] = Σ_chunk partials[(chunk · points + p) · width + c].
template <class E>
__device__ __forceinline__ void stark_sum_partials(const E* partials, uint32_t width, uint32_t points,
                                                   uint32_t chunks, E* out) {
  const uint64_t total = (uint64_t)points * width;
  for (uint64_t i = CHK_GLOBAL_TID(); i < total; i += CHK_GRID_STRIDE()) {
    E acc = E::zero();
    for (uint32_t k = 0; k < chunks; k++) acc = acc + partials[(uint64_t)k * total + i];
    out[i] = acc;
  }
}

// out[r] = Σ_c powers[c] · M[r][c] for r < rows; one warp a row, blockDim.x a multiple of 32.
template <class F, class E>
__device__ __forceinline__ void stark_compress_rows(const F* mat, uint32_t width, uint64_t rows, const E* powers,
                                                    E* out) {
  const uint32_t lane = threadIdx.x & 31;
  const uint64_t warps = CHK_GRID_STRIDE() / 32;
  for (uint64_t r = CHK_GLOBAL_TID() / 32; r < rows; r += warps) {
    const F* row = mat + r * width;
    E acc = E::zero();
    for (uint32_t c = lane; c < width; c += 32) acc = acc + powers[c] * row[c];
    CHK_UNROLL
    for (int o = 16; o > 0; o >>= 1) {
      E other;
      CHK_UNROLL
      for (int d = 0; d < 4; d++) other.c[d] = F::from_mont(__shfl_xor_sync(0xffffffffu, acc.c[d].v, o));
      acc = acc + other;
    }
    if (lane == 0) out[r] = acc;
  }
}

// p3-fri's reduced opening at one point, added in place over a matrix's compressed rows c:
//   reduced[r] += (weighted − scale · c[r]) / (z − x_r),   r < 2^log_rows,
// x_r = shift · ω^{rev(r)} the r-th point of the bit-reversed coset shift · ⟨ω⟩ (the LDE's rows),
// the inverse denominator computed here (one extension inverse a row) instead of uploaded.
template <class F, class E>
__device__ __forceinline__ void stark_reduce_opening(const E* c, uint32_t log_rows, F shift, F omega, E z, E weighted,
                                                     E scale, E* reduced) {
  const uint64_t rows = 1ull << log_rows;
  for (uint64_t r = CHK_GLOBAL_TID(); r < rows; r += CHK_GRID_STRIDE()) {
    E d = z;
    d.c[0] = d.c[0] - chk_bit_reversed_coset_point(shift, omega, r, log_rows);
    reduced[r] = reduced[r] + (weighted - scale * c[r]) * d.inverse();
  }
}
