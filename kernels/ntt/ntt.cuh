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

// dst row bitrev(i) = src row i (out of place).
template <class F>
__device__ __forceinline__ void ntt_bitrev(const F* src, F* dst, uint64_t width, uint32_t log_n) {
  const uint64_t total = width << log_n;
  for (uint64_t idx = CHK_GLOBAL_TID(); idx < total; idx += CHK_GRID_STRIDE()) {
    const uint64_t col = idx % width, row = idx / width;
    dst[chk_bitrev(row, log_n) * width + col] = src[idx];
  }
}

// The scaling maps, applied to one element as it is loaded (or stored):
// - scale (flags & NTT_EXPAND clear): row r of a 2^log_rows-row matrix times scale * shift^k, k = r
//   or bitrev(r) when flags & NTT_EXP_BITREV (rows stored bit-reversed): the coset shift, 1/n.
// - expand (flags & NTT_EXPAND): the LDE's copy from 2^log_src bit-reversed coefficients c to
//   2^log_rows rows: row m·2^log_src + i = scale * (shift * root^bitrev(m))^i * c[bitrev(i)], root
//   of order 2^log_rows. That is the zero padding plus the first log_rows - log_src stages of the
//   forward DIF on it (those stages only multiply the copies), so the transform skips them.
#define NTT_EXP_BITREV 1u
#define NTT_EXPAND 2u
// scale * shift^k for row `row` of 2^log_rows rows, k = row or bitrev(row) (NTT_EXP_BITREV).
template <class F>
__device__ __forceinline__ F ntt_scale_factor(uint64_t row, uint32_t log_rows, F scale, F shift, uint32_t flags) {
  return scale * shift.pow((flags & NTT_EXP_BITREV) ? chk_bitrev(row, log_rows) : row);
}

template <class F>
__device__ __forceinline__ F ntt_load_mapped(const F* src, uint64_t width, uint64_t row, uint64_t col,
                                             uint32_t log_rows, uint32_t log_src, F scale, F shift, F root,
                                             uint32_t flags) {
  if (flags & NTT_EXPAND) {
    const uint64_t m = row >> log_src, i = row & ((1ull << log_src) - 1);
    const F sh = m ? shift * root.pow(chk_bitrev(m, log_rows - log_src)) : shift;
    return src[chk_bitrev(i, log_src) * width + col] * (scale * sh.pow(i));
  }
  return src[row * width + col] * ntt_scale_factor(row, log_rows, scale, shift, flags);
}

// dst (2^log_dst rows) = the map of src (see ntt_load_mapped), for a map no butterfly pass absorbs.
template <class F>
__device__ __forceinline__ void ntt_scale_rows(const F* src, F* dst, uint64_t width, uint32_t log_src,
                                               uint32_t log_dst, F scale, F shift, F root, uint32_t flags) {
  const uint64_t total = width << log_dst;
  for (uint64_t idx = CHK_GLOBAL_TID(); idx < total; idx += CHK_GRID_STRIDE())
    dst[idx] = ntt_load_mapped(src, width, idx / width, idx % width, log_dst, log_src, scale, shift, root, flags);
}

// Flags of ntt_block_pass (bits 1 and 2 are the maps' flags, above).
#define NTT_DIF 4u           // DIF stages from hi down (else DIT from lo up)
#define NTT_MAP_LOAD 8u      // apply the map on load (src has 2^log_src rows for an expand)
#define NTT_MAP_STORE 16u    // ... or a scale on store, to the output row
#define NTT_STORE_BITREV 32u // write row r to row bitrev(r) (dst must not alias src)

// One pass of a multi-pass NTT: stages lo..=hi of a size-2^log_n transform, in shared memory.
//
// Rows that differ only in bits lo..=hi form a group of 2^k rows (k = hi - lo + 1) spaced 2^lo
// apart. Seen as a matrix of virtual width W = width << lo (row j of a group and its 2^lo
// neighbours side by side), a group is 2^k consecutive virtual rows, so one block takes 2^k
// virtual rows × tile_cols consecutive virtual columns: every read and write is a contiguous run
// of tile_cols elements (the whole row when lo = 0 and tile_cols = width). Passes of ≤ 11 stages
// each take a 2^24-row transform in three passes over global memory.
//
// The first pass may fuse a scale or the LDE's expand (NTT_MAP_LOAD; an expand reads a
// 2^log_src-row src) and the last the bit-reversal and output scaling (NTT_STORE_BITREV,
// NTT_MAP_STORE), so those cost no launches of their own. Twiddles: tw[i] = w^i, w of order
// 2^log_tw ≥ 2^log_n (one cached table serves every smaller transform).
template <class F>
__device__ __forceinline__ void ntt_block_pass(const F* src, F* dst, uint64_t width, uint32_t log_n, uint32_t lo,
                                               uint32_t hi, const F* tw, uint32_t log_tw, uint32_t tile_cols,
                                               uint32_t flags, uint32_t log_src, F scale, F shift, F root) {
  DYN_SHARED(F, s);
  const uint32_t k = hi - lo + 1;
  const uint64_t rows = 1ull << k, vwidth = width << lo;
  const uint64_t col_tiles = (vwidth + tile_cols - 1) / tile_cols;
  const uint64_t base = (blockIdx.x / col_tiles) << (hi + 1);  // first row of the block's groups
  const uint64_t vc0 = (blockIdx.x % col_tiles) * tile_cols;
  const uint64_t tc = min((uint64_t)tile_cols, vwidth - vc0);
  for (uint64_t e = threadIdx.x; e < rows * tc; e += blockDim.x) {
    const uint64_t j = e / tc, vc = vc0 + e % tc;
    const uint64_t row = base + (j << lo) + vc / width, col = vc % width;
    s[j * tile_cols + e % tc] = (flags & NTT_MAP_LOAD)
                                    ? ntt_load_mapped(src, width, row, col, log_n, log_src, scale, shift, root, flags)
                                    : src[row * width + col];
  }
  __syncthreads();
  const bool dif = flags & NTT_DIF;
  for (uint32_t i = 0; i < k; i++) {
    const uint32_t h = dif ? hi - i : lo + i;  // stage of the whole transform
    const uint32_t g = h - lo;                 // the same stage inside the group
    for (uint64_t e = threadIdx.x; e < (rows / 2) * tc; e += blockDim.x) {
      const uint64_t c = e % tc, p = e / tc;
      const uint64_t jj = p & ((1ull << g) - 1);
      const uint64_t a = ((p >> g) << (g + 1)) + jj, b = a + (1ull << g);
      // The pair's position in its span of the whole transform: index in the group, then the
      // row's low bits (the virtual column's row offset; none when lo = 0).
      const uint64_t pos = (jj << lo) + (lo ? (vc0 + c) / width : 0);
      const F w = tw[pos << (log_tw - 1 - h)];
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
  for (uint64_t e = threadIdx.x; e < rows * tc; e += blockDim.x) {
    const uint64_t j = e / tc, vc = vc0 + e % tc;
    uint64_t row = base + (j << lo) + vc / width;
    const uint64_t col = vc % width;
    if (flags & NTT_STORE_BITREV) row = chk_bitrev(row, log_n);
    F x = s[j * tile_cols + e % tc];
    if (flags & NTT_MAP_STORE)
      x = x * ntt_scale_factor(row, log_n, scale, shift, flags);
    dst[row * width + col] = x;
  }
}
