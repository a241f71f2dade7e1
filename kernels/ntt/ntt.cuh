// Radix-2 NTT building blocks over a row-major matrix: every column is one polynomial, one
// thread per (row pair, column) so consecutive threads touch consecutive columns (coalesced).
//
// Twiddle table `tw` for a transform of size 2^log_tw: tw[i] = w^i for i < 2^(log_tw - 1). A stage
// whose butterflies span 2*half rows uses w_(2 half)^j = tw[j << (log_tw - 1 - log_half)].
#pragma once
#include "emu/compat.h"

CHK_HD uint64_t chk_bitrev(uint64_t i, uint32_t bits) {
  uint64_t r = 0;
  for (uint32_t b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
  return r;
}

// One decimation-in-frequency stage (Gentleman-Sande): (a, b) -> (a + b, (a - b) w).
// Natural-order input, run for log_half = log_n - 1 down to 0, gives bit-reversed output.
template <class F>
__device__ __forceinline__ void ntt_dif_stage(F* v, uint64_t width, uint32_t log_n, uint32_t log_half,
                                              const F* tw, uint32_t log_tw) {
  const uint64_t total = (width << log_n) >> 1;
  for (uint64_t idx = CHK_GLOBAL_TID(); idx < total; idx += CHK_GRID_STRIDE()) {
    const uint64_t col = idx % width, pair = idx / width;
    const uint64_t j = pair & ((1ull << log_half) - 1);
    const uint64_t a = ((pair >> log_half) << (log_half + 1)) + j, b = a + (1ull << log_half);
    const F x = v[a * width + col], y = v[b * width + col];
    v[a * width + col] = x + y;
    v[b * width + col] = (x - y) * tw[j << (log_tw - 1 - log_half)];
  }
}

// One decimation-in-time stage (Cooley-Tukey): (a, b) -> (a + b w, a - b w).
// Bit-reversed input, run for log_half = 0 up to log_n - 1, gives natural-order output.
template <class F>
__device__ __forceinline__ void ntt_dit_stage(F* v, uint64_t width, uint32_t log_n, uint32_t log_half,
                                              const F* tw, uint32_t log_tw) {
  const uint64_t total = (width << log_n) >> 1;
  for (uint64_t idx = CHK_GLOBAL_TID(); idx < total; idx += CHK_GRID_STRIDE()) {
    const uint64_t col = idx % width, pair = idx / width;
    const uint64_t j = pair & ((1ull << log_half) - 1);
    const uint64_t a = ((pair >> log_half) << (log_half + 1)) + j, b = a + (1ull << log_half);
    const F x = v[a * width + col], y = v[b * width + col] * tw[j << (log_tw - 1 - log_half)];
    v[a * width + col] = x + y;
    v[b * width + col] = x - y;
  }
}

// dst row bitrev(i) = src row i (out of place).
template <class F>
__device__ __forceinline__ void ntt_bitrev(const F* src, F* dst, uint64_t width, uint32_t log_n) {
  const uint64_t total = width << log_n;
  for (uint64_t idx = CHK_GLOBAL_TID(); idx < total; idx += CHK_GRID_STRIDE()) {
    const uint64_t col = idx % width, row = idx / width;
    dst[chk_bitrev(row, log_n) * width + col] = src[idx];
  }
}

// Row r of dst (height 2^log_dst) = scale * shift^k * (src row r, or src row bitrev(r) over log_src
// bits when flags & NTT_GATHER_BITREV) for the first 2^log_src rows, zero below; k is r, or
// bitrev(r) when flags & NTT_EXP_BITREV (rows stored bit-reversed). With log_dst = log_src this
// is the coset shift / 1/n scaling alone; with log_dst > log_src it is also the LDE's zero
// padding, and with the gather also its bit-reversal, all in one pass.
#define NTT_EXP_BITREV 1u
#define NTT_GATHER_BITREV 2u
template <class F>
__device__ __forceinline__ void ntt_scale_rows(const F* src, F* dst, uint64_t width, uint32_t log_src,
                                               uint32_t log_dst, F scale, F shift, uint32_t flags) {
  const uint64_t total = width << log_dst;
  for (uint64_t idx = CHK_GLOBAL_TID(); idx < total; idx += CHK_GRID_STRIDE()) {
    const uint64_t row = idx / width, col = idx % width;
    if (row >> log_src) {
      dst[idx] = F::zero();
      continue;
    }
    const uint64_t rev = chk_bitrev(row, log_src);
    const uint64_t k = (flags & NTT_EXP_BITREV) ? rev : row;
    const uint64_t from = (flags & NTT_GATHER_BITREV) ? rev : row;
    dst[idx] = src[from * width + col] * (scale * shift.pow(k));
  }
}

// Stages lo..=hi (DIF: hi down to lo; DIT: lo up to hi) inside each contiguous block of
// 2^(hi+1) rows, in shared memory: one launch finishes every stage whose span fits a block, so a
// transform of up to 2^(hi+1) rows is a single launch. Block b takes rows [row_block·2^(hi+1), +)
// of columns [col_tile·tile_cols, +tile_cols); dynamic shared memory holds 2^(hi+1) × tile_cols.
template <class F>
__device__ __forceinline__ void ntt_block_stages(F* v, uint64_t width, uint32_t log_n, uint32_t lo, uint32_t hi,
                                                 const F* tw, uint32_t dif, uint32_t tile_cols) {
  DYN_SHARED(F, s);
  const uint64_t rows = 1ull << (hi + 1);
  const uint64_t col_tiles = (width + tile_cols - 1) / tile_cols;
  const uint64_t row0 = (blockIdx.x / col_tiles) * rows;
  const uint64_t c0 = (blockIdx.x % col_tiles) * tile_cols;
  const uint64_t tc = min((uint64_t)tile_cols, width - c0);
  for (uint64_t e = threadIdx.x; e < rows * tc; e += blockDim.x)
    s[(e / tc) * tile_cols + e % tc] = v[(row0 + e / tc) * width + c0 + e % tc];
  __syncthreads();
  for (uint32_t i = 0; i <= hi - lo; i++) {
    const uint32_t h = dif ? hi - i : lo + i;
    const uint64_t half = 1ull << h;
    for (uint64_t e = threadIdx.x; e < (rows / 2) * tc; e += blockDim.x) {
      const uint64_t c = e % tc, p = e / tc;
      const uint64_t j = p & (half - 1);
      const uint64_t a = ((p >> h) << (h + 1)) + j, b = a + half;
      const F w = tw[j << (log_n - 1 - h)];
      F x = s[a * tile_cols + c], y = s[b * tile_cols + c];
      if (dif) {
        s[a * tile_cols + c] = x + y;
        s[b * tile_cols + c] = (x - y) * w;
      } else {
        y = y * w;
        s[a * tile_cols + c] = x + y;
        s[b * tile_cols + c] = x - y;
      }
    }
    __syncthreads();
  }
  for (uint64_t e = threadIdx.x; e < rows * tc; e += blockDim.x)
    v[(row0 + e / tc) * width + c0 + e % tc] = s[(e / tc) * tile_cols + e % tc];
}
