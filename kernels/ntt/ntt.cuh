// Radix-2 NTT building blocks over a row-major matrix: every column is one polynomial, one
// thread per (row pair, column) so consecutive threads touch consecutive columns (coalesced).
//
// Twiddle table `tw` for transforms up to size 2^log_tw, by level: level L (1 <= L <= log_tw) holds
// w_(2^L)^j for j < 2^(L-1) at tw[2^(L-1) - 1 + j], so the twiddles of any one stage are
// contiguous (a block reads its group's in whole sectors). A stage whose butterflies span 2*half
// rows uses w_(2 half)^j = tw[half - 1 + j].
#pragma once
#include "emu/compat.h"
#include "util/fastdiv.cuh"

// The low `bits` bits of i reversed (bits ≤ 64).
CHK_HD uint64_t chk_bitrev(uint64_t i, uint32_t bits) {
#if defined(__CUDA_ARCH__) || defined(CHK_EMU)
  return bits ? __brevll(i) >> (64 - bits) : 0;
#else
  uint64_t r = 0;
  for (uint32_t b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
  return r;
#endif
}

// A grid-stride walk over the elements of a row-major matrix that keeps (row, col) by additions:
// the host splits the stride (gridDim * blockDim) into whole rows and a remainder, so no kernel
// divides by the width (only the start, a 32-bit thread index, goes through chk_div).
struct ntt_walk {
  uint64_t row;
  uint32_t col;
  CHK_HD void advance(uint64_t stride_rows, uint32_t stride_cols, uint32_t width) {
    row += stride_rows;
    col += stride_cols;
    if (col >= width) {
      col -= width;
      row++;
    }
  }
};
__device__ __forceinline__ ntt_walk ntt_walk_start(chk_fastdiv wdiv) {
  const uint32_t tid = blockIdx.x * blockDim.x + threadIdx.x;  // the grid is < 2^32 threads
  const uint32_t row = chk_div(tid, wdiv);
  return ntt_walk{row, tid - row * wdiv.d};
}

// dst row bitrev(i) = src row i (out of place).
template <class F>
__device__ __forceinline__ void ntt_bitrev(const F* src, F* dst, chk_fastdiv wdiv, uint32_t log_n,
                                           uint64_t stride_rows, uint32_t stride_cols) {
  const uint32_t width = wdiv.d;
  const uint64_t rows = 1ull << log_n;
  for (ntt_walk w = ntt_walk_start(wdiv); w.row < rows; w.advance(stride_rows, stride_cols, width))
    dst[chk_bitrev(w.row, log_n) * width + w.col] = src[w.row * width + w.col];
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

// dst (2^log_dst rows) = the map of src (see ntt_load_mapped), for a map no butterfly pass absorbs:
// only around transforms of height 1 (no stages), so the pow per element stays.
template <class F>
__device__ __forceinline__ void ntt_scale_rows(const F* src, F* dst, chk_fastdiv wdiv, uint32_t log_src,
                                               uint32_t log_dst, F scale, F shift, F root, uint32_t flags,
                                               uint64_t stride_rows, uint32_t stride_cols) {
  const uint32_t width = wdiv.d;
  const uint64_t rows = 1ull << log_dst;
  for (ntt_walk w = ntt_walk_start(wdiv); w.row < rows; w.advance(stride_rows, stride_cols, width))
    dst[w.row * width + w.col] = ntt_load_mapped(src, width, w.row, w.col, log_dst, log_src, scale, shift, root, flags);
}

// Flags of ntt_block_pass (bits 1 and 2 are the maps' flags, above).
#define NTT_DIF 4u           // DIF stages from hi down (else DIT from lo up)
#define NTT_MAP_LOAD 8u      // apply the map on load (src has 2^log_src rows for an expand)
#define NTT_MAP_STORE 16u    // ... or a scale on store, to the output row
#define NTT_STORE_BITREV 32u // write row r to row bitrev(r) (dst must not alias src)

// W^e for W = w_(2^(hi+1)), e < 2^(hi+1), from level hi + 1 of the table:
// W^(2^hi) = -1 covers the upper half.
template <class F>
__device__ __forceinline__ F ntt_twiddle(const F* tw, uint32_t log_tw, uint32_t hi, uint64_t e) {
  const uint64_t half = 1ull << hi;
  const F w = tw[(half - 1) + (e & (half - 1))];
  return (e & half) ? -w : w;
}

// Row j of a block pass's tile sits at padded row j + j / 32 of shared memory: a round whose
// stages span 32 rows gives a warp's lanes rows 32 apart, which would share a bank when the tile
// is narrower than 32 columns; the pad row every 32 rows moves them to different banks.
CHK_HD uint32_t ntt_srow(uint32_t j) { return j + (j >> 5); }

// Stages per round of ntt_block_pass: a thread holds 2^R elements of one column in registers
// (BabyBear/KoalaBear: 32 words; BN254: 4 elements of 8 words each).
template <class F>
struct ntt_radix {
  static constexpr uint32_t R = sizeof(F) <= 4 ? 5 : 2;
};

// Stage g0 + H of a round on the 2^RR elements x of one work item (rows base | (m << g0)): the
// butterflies on m and m + 2^H. The stage's 2^H distinct twiddles (row a's tws[(a mod 2^g) <<
// (k - 1 - g)], g = g0 + H) are read once each. Every register index is a constant (H, RR and
// DIF are template arguments): no local memory.
template <int RR, int H, bool DIF, class F>
__device__ __forceinline__ void ntt_stage(F (&x)[1 << RR], const F* tws, uint32_t base_lo, uint32_t g0, uint32_t k) {
  constexpr uint32_t M = 1u << RR, HALF = 1u << H;
  const uint32_t shift = k - 1 - (g0 + H);
  F w[HALF];
CHK_UNROLL
  for (uint32_t j = 0; j < HALF; j++) w[j] = tws[(base_lo | (j << g0)) << shift];
CHK_UNROLL
  for (uint32_t a = 0; a < M; a++) {
    if (a & HALF) continue;
    if (DIF) {
      const F u = x[a], v = x[a | HALF];
      x[a] = u + v;
      x[a | HALF] = (u - v) * w[a & (HALF - 1)];
    } else {
      const F v = x[a | HALF] * w[a & (HALF - 1)];
      x[a | HALF] = x[a] - v;
      x[a] = x[a] + v;
    }
  }
}

// Stages I.. of the round: up for DIT, down for DIF.
template <int RR, int I, bool DIF, class F>
__device__ __forceinline__ void ntt_stages(F (&x)[1 << RR], const F* tws, uint32_t base_lo, uint32_t g0, uint32_t k) {
  if constexpr (I < RR) {
    ntt_stage<RR, DIF ? RR - 1 - I : I, DIF>(x, tws, base_lo, g0, k);
    ntt_stages<RR, I + 1, DIF>(x, tws, base_lo, g0, k);
  }
}

// One round of RR consecutive stages g0..g0+RR-1 of a group's size-2^k transform in shared
// memory `s` (row j of the group at s[(ntt_srow(j) << log_tile) + c]), the RR stages in registers: each work
// item is a column c and the 2^RR rows base | (m << g0) (m < 2^RR, base with bits g0..g0+RR-1
// clear), loaded once, transformed, stored once (tws[i] = w_(2^k)^i).
template <int RR, bool DIF, class F>
__device__ __forceinline__ void ntt_round(F* s, const F* tws, uint32_t k, uint32_t g0, uint32_t log_tile, uint32_t tc) {
  constexpr uint32_t M = 1u << RR;
  const uint32_t items = (1u << (k - RR)) << log_tile;
  const uint32_t lo_mask = (1u << g0) - 1;
  for (uint32_t e = threadIdx.x; e < items; e += blockDim.x) {
    const uint32_t c = e & ((1u << log_tile) - 1), b = e >> log_tile;
    if (c >= tc) continue;
    const uint32_t base = (b & lo_mask) | ((b >> g0) << (g0 + RR));
    F x[M];
CHK_UNROLL
    for (uint32_t m = 0; m < M; m++) x[m] = s[(ntt_srow(base | (m << g0)) << log_tile) + c];
    ntt_stages<RR, 0, DIF>(x, tws, b & lo_mask, g0, k);
CHK_UNROLL
    for (uint32_t m = 0; m < M; m++) s[(ntt_srow(base | (m << g0)) << log_tile) + c] = x[m];
  }
}

// The k stages of a group in rounds of up to ntt_radix<F>::R, a barrier after each.
template <bool DIF, class F>
__device__ __forceinline__ void ntt_rounds(F* s, const F* tws, uint32_t k, uint32_t log_tile, uint32_t tc) {
  constexpr uint32_t R = ntt_radix<F>::R;
  const uint32_t rounds = (k + R - 1) / R;
  for (uint32_t i = 0; i < rounds; i++) {
    const uint32_t r = DIF ? rounds - 1 - i : i;  // DIF runs the rounds down
    const uint32_t g0 = r * R, rr = min(R, k - g0);
    if (R >= 5 && rr == 5) ntt_round<(R >= 5 ? 5 : 1), DIF>(s, tws, k, g0, log_tile, tc);
    else if (R >= 4 && rr == 4) ntt_round<(R >= 4 ? 4 : 1), DIF>(s, tws, k, g0, log_tile, tc);
    else if (R >= 3 && rr == 3) ntt_round<(R >= 3 ? 3 : 1), DIF>(s, tws, k, g0, log_tile, tc);
    else if (rr == 2) ntt_round<2, DIF>(s, tws, k, g0, log_tile, tc);
    else ntt_round<1, DIF>(s, tws, k, g0, log_tile, tc);
    __syncthreads();
  }
}

// One pass of a multi-pass NTT: stages lo..=hi of a size-2^log_n transform, in shared memory.
//
// Rows that differ only in bits lo..=hi form a group of 2^k rows (k = hi - lo + 1) spaced 2^lo
// apart. Seen as a matrix of virtual width W = width << lo (row j of a group and its 2^lo
// neighbours side by side), a group is 2^k consecutive virtual rows, so one block takes 2^k
// virtual rows × 2^log_tile consecutive virtual columns: every read and write is a contiguous run
// of the tile's width (the whole row when lo = 0 and the tile covers the width). Passes of ≤ 11
// stages each take a 2^24-row transform in three passes over global memory.
//
// Twiddles: stage h's butterfly at offset pos = (jj << lo) + r (jj its index in the group, r the
// row's low lo bits) uses w_(2^(h+1))^pos = w_(2^(h+1-lo))^jj * w_(2^(h+1))^r. The first factor is
// the group's own size-2^k transform: its 2^(k-1) twiddles sit in shared memory. The second
// factors out of the whole pass: a DIT pass equals multiplying row j of the group by
// W^(r * bitrev_k(j)), W = w_(2^(hi+1)), then the plain size-2^k DIT; a DIF pass (the transpose)
// the plain DIF then the same products. So a row's r costs one product and one cached table read
// per element per pass, not a global twiddle load per butterfly.
//
// The first pass may fuse a scale or the LDE's expand (NTT_MAP_LOAD; an expand reads a
// 2^log_src-row src) and the last the bit-reversal and output scaling (NTT_STORE_BITREV,
// NTT_MAP_STORE), so those cost no launches of their own. A scale's factor scale * shift^x
// (x the row, or its bit reversal) is kept per thread: each thread walks one column of the tile in
// steps of 2^log_jstep rows, ordered so that x grows by a constant (rows in bit-reversed order
// when x is reversed), and `step` = shift^that constant comes from the host. The expand's factor
// likewise, times a twiddle for its root's power (see the load loop).
//
// Indices: the host guarantees W < 2^32 and a grid of < 2^32 blocks, so block and column
// arithmetic is 32-bit with no division (chk_div by `tiles` = column tiles per group and `wdiv`
// = width); a tile of 2^log_tile columns may hang over W (the last one), its extra columns idle.
template <class F>
__device__ __forceinline__ void ntt_block_pass(const F* src, F* dst, chk_fastdiv wdiv, uint32_t log_n,
                                               uint32_t lo, uint32_t hi, const F* tw, uint32_t log_tw,
                                               uint32_t log_tile, chk_fastdiv tiles, uint32_t flags,
                                               uint32_t log_src, F scale, F shift, F root, F step) {
  DYN_SHARED(F, s);
  const uint32_t width = wdiv.d;
  const uint32_t k = hi - lo + 1, rows = 1u << k;
  F* const tws = s + (ntt_srow(rows) << log_tile);  // the group's twiddles: tws[i] = w_(2^k)^i
  const uint32_t vwidth = width << lo;
  const uint32_t group = chk_div(blockIdx.x, tiles);
  const uint32_t vc0 = (blockIdx.x - group * tiles.d) << log_tile;
  const uint32_t tc = min(1u << log_tile, vwidth - vc0);
  const uint64_t base = (uint64_t)group << (hi + 1);  // first row of the block's group
  const uint64_t gbase = base * width + vc0;          // its first element
  for (uint32_t i = threadIdx.x; i < rows / 2; i += blockDim.x) tws[i] = tw[rows / 2 - 1 + i];  // level k

  // Thread layout of the load and the store: a thread owns column lane c of 2^log_c lanes and
  // rows j0 + (s << log_jstep); a tile wider than the block gives it several column slots.
  const uint32_t log_threads = 31 - __clz(blockDim.x);  // a power of two (the host's TILE_THREADS)
  const uint32_t log_c = min(log_tile, log_threads);
  const uint32_t lane = threadIdx.x & ((1u << log_c) - 1), j0 = threadIdx.x >> log_c;
  const uint32_t log_jstep = log_threads - log_c;
  const uint32_t log_runs = k > log_jstep ? k - log_jstep : 0;
  const uint32_t runs = j0 < rows ? 1u << log_runs : 0;
  const bool expand = flags & NTT_EXPAND;
  const bool map_load = (flags & NTT_MAP_LOAD) != 0, map_store = (flags & NTT_MAP_STORE) != 0;
  const bool store_bitrev = flags & NTT_STORE_BITREV;
  // Whether the scale's exponent is the bit-reversed row: on store it is the output row's.
  const bool exp_bitrev = ((flags & NTT_EXP_BITREV) != 0) != (map_store && store_bitrev);
  const bool scaled = (map_load && !expand) || map_store;
  const bool dif = flags & NTT_DIF;

  for (uint32_t c = lane; c < tc; c += 1u << log_c) {
    const uint32_t vc = vc0 + c, r = lo ? chk_div(vc, wdiv) : 0, col = vc - r * width;
    const uint64_t row0 = base + ((uint64_t)j0 << lo) + r;
    F f = (map_load && scaled) ? scale * shift.pow(exp_bitrev ? chk_bitrev(row0, log_n) : row0) : F::one();
    uint64_t i_prev = 0;
    for (uint32_t u = 0; u < runs; u++) {
      const uint32_t j = j0 + ((exp_bitrev ? (uint32_t)chk_bitrev(u, log_runs) : u) << log_jstep);
      F x;
      if (map_load && expand) {
        // Row m * 2^log_src + i = scale * shift^i * root^(bitrev(m) i) * c[bitrev(i)]: the root's
        // power is a twiddle (root = w_(2^log_n)); scale * shift^i advances by `step` = shift^S
        // (S = the thread's row step mod 2^log_src) and restarts where i wraps.
        const uint64_t row = base + ((uint64_t)j << lo) + r;
        const uint64_t m = row >> log_src, i = row & ((1ull << log_src) - 1);
        f = (u == 0 || i < i_prev) ? scale * shift.pow(i) : f * step;
        i_prev = i;
        const F w = ntt_twiddle(tw, log_tw, log_n - 1, chk_bitrev(m, log_n - log_src) * i);
        x = src[chk_bitrev(i, log_src) * width + col] * (f * w);
      } else {
        x = src[gbase + (uint64_t)j * vwidth + c];
      }
      if (map_load && scaled) {
        x = x * f;
        f = f * step;
      }
      if (r && !dif) x = x * ntt_twiddle(tw, log_tw, hi, (uint64_t)r * chk_bitrev(j, k));
      s[(ntt_srow(j) << log_tile) + c] = x;
    }
  }
  __syncthreads();
  if (dif)
    ntt_rounds<true>(s, tws, k, log_tile, tc);
  else
    ntt_rounds<false>(s, tws, k, log_tile, tc);
  for (uint32_t c = lane; c < tc; c += 1u << log_c) {
    const uint32_t vc = vc0 + c, r = lo ? chk_div(vc, wdiv) : 0, col = vc - r * width;
    const uint64_t row0 = base + ((uint64_t)j0 << lo) + r;
    F f = map_store ? scale * shift.pow(exp_bitrev ? chk_bitrev(row0, log_n) : row0) : F::one();
    for (uint32_t u = 0; u < runs; u++) {
      const uint32_t j = j0 + ((exp_bitrev ? (uint32_t)chk_bitrev(u, log_runs) : u) << log_jstep);
      F x = s[(ntt_srow(j) << log_tile) + c];
      if (r && dif) x = x * ntt_twiddle(tw, log_tw, hi, (uint64_t)r * chk_bitrev(j, k));
      if (map_store) {
        x = x * f;
        f = f * step;
      }
      if (store_bitrev)
        dst[chk_bitrev(base + ((uint64_t)j << lo) + r, log_n) * width + col] = x;
      else
        dst[gbase + (uint64_t)j * vwidth + c] = x;
    }
  }
}
