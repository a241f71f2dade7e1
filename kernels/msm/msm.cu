// MSM entry points (see msm.cuh for the pipeline), BN254 G1 and G2.
#include "msm/msm.cuh"
#include "ec/bn254_g2.cuh"

using namespace chk_msm;

extern "C" __global__ void chk_msm_digits(const uint64_t* scalars, uint64_t n, uint32_t c, uint32_t scalar_windows,
                                          uint32_t windows, uint32_t* keys) {
  for (uint64_t i = CHK_GLOBAL_TID(); i < n; i += CHK_GRID_STRIDE())
    digits(scalars + 4 * i, i, n, c, scalar_windows, windows, keys);
}

extern "C" __global__ void chk_msm_histogram(const uint32_t* keys, uint64_t n, uint32_t windows, uint32_t buckets,
                                             uint32_t* counts) {
  const uint64_t total = (uint64_t)windows * n;
  for (uint64_t k = CHK_GLOBAL_TID(); k < total; k += CHK_GRID_STRIDE()) {
    const uint32_t key = keys[k] & ~SIGN;
    if (key) atomicAdd(&counts[(k / n) * buckets + key - 1], 1u);
  }
}

// One block of SCAN_THREADS per window: exclusive prefix sums of the window's bucket counts
// (into `offsets` and `cursors`, the scatter's running copy) and of its buckets' pieces (into
// `piece_offsets`; a piece is at most `piece` points of one bucket, msm.cuh). Both sums are
// scanned as one 64-bit value, points above and pieces below (neither total reaches 2^32). The
// window is scanned SCAN_THREADS buckets at a time, consecutive threads on consecutive buckets
// (coalesced): each warp scans its 32 with shuffles, then the warps' totals are scanned the same
// way by warp 0.
// chk:smem=80
extern "C" __global__ void chk_msm_scan(const uint32_t* counts, uint32_t buckets, uint32_t piece, uint32_t* offsets,
                                        uint32_t* cursors, uint32_t* piece_offsets) {
  __shared__ uint64_t warp_sums[SCAN_THREADS / 32];
  __shared__ uint64_t carry;
  const uint32_t t = threadIdx.x, lane = t & 31, warp = t >> 5;
  const uint64_t base = (uint64_t)blockIdx.x * buckets;
  if (t == 0) carry = 0;
  for (uint32_t j0 = 0; j0 < buckets; j0 += SCAN_THREADS) {
    const uint32_t j = j0 + t;
    const uint32_t count = j < buckets ? counts[base + j] : 0;
    const uint64_t v = (uint64_t)count << 32 | pieces_of(count, piece);
    uint64_t incl = v;  // inclusive scan within the warp
    for (int d = 1; d < 32; d *= 2) {
      const uint64_t up = __shfl_up_sync(0xffffffffu, incl, d);
      if (lane >= (uint32_t)d) incl += up;
    }
    if (lane == 31) warp_sums[warp] = incl;
    __syncthreads();  // warp totals written; `carry` from the previous chunk settled
    if (warp == 0) {
      uint64_t w = lane < SCAN_THREADS / 32 ? warp_sums[lane] : 0, wincl = w;
      for (int d = 1; d < 32; d *= 2) {
        const uint64_t up = __shfl_up_sync(0xffffffffu, wincl, d);
        if (lane >= (uint32_t)d) wincl += up;
      }
      if (lane < SCAN_THREADS / 32) warp_sums[lane] = wincl - w;  // exclusive
    }
    __syncthreads();
    const uint64_t at = carry + warp_sums[warp] + incl - v;
    if (j < buckets) {
      offsets[base + j] = (uint32_t)(at >> 32);
      cursors[base + j] = (uint32_t)(at >> 32);
      piece_offsets[base + j] = (uint32_t)at;
    }
    __syncthreads();  // every thread has read `carry` and `warp_sums`
    if (t == SCAN_THREADS - 1) carry = at + v;
  }
}

// `cursors` starts as a copy of the offsets; each point takes the next slot of its bucket.
extern "C" __global__ void chk_msm_scatter(const uint32_t* keys, uint64_t n, uint32_t windows, uint32_t buckets,
                                           uint32_t* cursors, uint32_t* sorted) {
  const uint64_t total = (uint64_t)windows * n;
  for (uint64_t k = CHK_GLOBAL_TID(); k < total; k += CHK_GRID_STRIDE()) {
    const uint32_t key = keys[k], b = key & ~SIGN;
    if (!b) continue;
    const uint64_t w = k / n, i = k % n;
    const uint32_t slot = atomicAdd(&cursors[w * buckets + b - 1], 1u);
    sorted[w * n + slot] = (uint32_t)i | (key & SIGN);
  }
}

// One thread per (window, piece): the sum of the piece's points (negated where signed), added in
// XYZZ. A piece is at most `piece` points of one bucket, so no thread adds more than that however
// the scalars fall (all equal: one bucket of every window holds every point). The running point
// and the base stay in registers, inlined for both curves (G2: no local memory).
template <class Affine, class Xyzz>
__device__ __forceinline__ void accumulate(const Affine* bases, const uint32_t* sorted, const uint32_t* offsets,
                                           const uint32_t* counts, const uint32_t* piece_offsets, uint64_t n,
                                           uint32_t windows, uint32_t buckets, uint32_t piece, uint32_t max_pieces,
                                           Xyzz* out) {
  const uint64_t total = (uint64_t)windows * max_pieces;
  for (uint64_t k = CHK_GLOBAL_TID(); k < total; k += CHK_GRID_STRIDE()) {
    const uint64_t w = k / max_pieces;
    const uint32_t q = (uint32_t)(k % max_pieces);
    const uint32_t* po = piece_offsets + w * buckets;
    const uint32_t* cnt = counts + w * buckets;
    if (q >= window_pieces(po, cnt, buckets, piece)) continue;  // past the window's pieces
    const uint32_t j = last_at_most(po, buckets, q);            // the piece's bucket
    const uint32_t* run = sorted + w * n + offsets[w * buckets + j];
    const uint32_t first = (q - po[j]) * piece, end = first + piece < cnt[j] ? first + piece : cnt[j];
    Xyzz acc = Xyzz::inf();
    CHK_NO_UNROLL
    for (uint32_t i = first; i < end; i++) {
      const uint32_t e = run[i];
      Affine p = bases[e & ~SIGN];
      if (e & SIGN) p.y = -p.y;
      acc = acc.add_affine(p);
    }
    out[k] = acc;
  }
}

// One thread per (window, segment of `seg` items), its segment's share of Σ (bucket + 1) · piece
// into out[k] (items: msm.cuh). G1: the slots are registers.
template <class Xyzz>
__device__ __forceinline__ void reduce_in_registers(const Xyzz* sums, const uint32_t* counts,
                                                    const uint32_t* piece_offsets, uint32_t windows, uint32_t buckets,
                                                    uint32_t piece, uint32_t max_pieces, uint32_t seg, uint32_t segs,
                                                    Xyzz* out) {
  const uint64_t total = (uint64_t)windows * segs;
  for (uint64_t k = CHK_GLOBAL_TID(); k < total; k += CHK_GRID_STRIDE()) {
    const uint64_t w = k / segs;
    Xyzz running, offset, sum;
    items_sum<reg_ops>(sums + w * max_pieces, counts + w * buckets, piece_offsets + w * buckets, buckets, piece,
                       (uint32_t)(k % segs) * seg, seg, &running, &offset, &sum);
    out[k] = sum;
  }
}

// G2: the running sum and the offset in slots of this block's dynamic shared memory (two
// padded slots a thread, blockDim.x running sums then blockDim.x offsets: the host sizes the
// memory for the block it launches, so any width is correct), the sum in out[k] itself.
template <class Xyzz>
__device__ __forceinline__ void reduce_in_memory(const Xyzz* sums, const uint32_t* counts,
                                                 const uint32_t* piece_offsets, uint32_t windows, uint32_t buckets,
                                                 uint32_t piece, uint32_t max_pieces, uint32_t seg, uint32_t segs,
                                                 Xyzz* out) {
  DYN_SHARED(smem_slot<Xyzz>, slots);
  Xyzz* running = &slots[threadIdx.x].p;
  Xyzz* offset = &slots[blockDim.x + threadIdx.x].p;
  const uint64_t total = (uint64_t)windows * segs;
  for (uint64_t k = CHK_GLOBAL_TID(); k < total; k += CHK_GRID_STRIDE()) {
    const uint64_t w = k / segs;
    items_sum<mem_ops>(sums + w * max_pieces, counts + w * buckets, piece_offsets + w * buckets, buckets, piece,
                       (uint32_t)(k % segs) * seg, seg, running, offset, &out[k]);
  }
}

// One block per window: the sum of the window's `per_window` segment sums (each thread adds a
// strided share into its slot of dynamic shared memory, blockDim.x padded slots, then a tree
// over the slots; blockDim.x a power of two).
template <class Ops, class Xyzz>
__device__ __forceinline__ void sum_windows(const Xyzz* parts, uint32_t per_window, Xyzz* out) {
  DYN_SHARED(smem_slot<Xyzz>, s);
  const uint32_t t = threadIdx.x;
  const Xyzz* w = parts + (uint64_t)blockIdx.x * per_window;
  Xyzz* mine = &s[t].p;
  *mine = Xyzz::inf();
  CHK_NO_UNROLL
  for (uint32_t i = t; i < per_window; i += blockDim.x) Ops::add(mine, mine, &w[i]);
  __syncthreads();
  for (uint32_t half = blockDim.x / 2; half > 0; half /= 2) {
    if (t < half) Ops::add(mine, mine, &s[t + half].p);
    __syncthreads();
  }
  if (t == 0) out[blockIdx.x] = s[0].p;
}

extern "C" __global__ void chk_msm_accumulate_g1(const bn254_g1_affine_t* bases, const uint32_t* sorted,
                                                 const uint32_t* offsets, const uint32_t* counts,
                                                 const uint32_t* piece_offsets, uint64_t n, uint32_t windows,
                                                 uint32_t buckets, uint32_t piece, uint32_t max_pieces,
                                                 bn254_g1_xyzz_t* out) {
  accumulate(bases, sorted, offsets, counts, piece_offsets, n, windows, buckets, piece, max_pieces, out);
}

extern "C" __global__ void chk_msm_reduce_g1(const bn254_g1_xyzz_t* sums, const uint32_t* counts,
                                             const uint32_t* piece_offsets, uint32_t windows, uint32_t buckets,
                                             uint32_t piece, uint32_t max_pieces, uint32_t seg, uint32_t segs,
                                             bn254_g1_xyzz_t* out) {
  reduce_in_registers(sums, counts, piece_offsets, windows, buckets, piece, max_pieces, seg, segs, out);
}

extern "C" __global__ void chk_msm_accumulate_g2(const bn254_g2_affine_t* bases, const uint32_t* sorted,
                                                 const uint32_t* offsets, const uint32_t* counts,
                                                 const uint32_t* piece_offsets, uint64_t n, uint32_t windows,
                                                 uint32_t buckets, uint32_t piece, uint32_t max_pieces,
                                                 bn254_g2_xyzz_t* out) {
  accumulate(bases, sorted, offsets, counts, piece_offsets, n, windows, buckets, piece, max_pieces, out);
}

extern "C" __global__ void chk_msm_reduce_g2(const bn254_g2_xyzz_t* sums, const uint32_t* counts,
                                             const uint32_t* piece_offsets, uint32_t windows, uint32_t buckets,
                                             uint32_t piece, uint32_t max_pieces, uint32_t seg, uint32_t segs,
                                             bn254_g2_xyzz_t* out) {
  reduce_in_memory(sums, counts, piece_offsets, windows, buckets, piece, max_pieces, seg, segs, out);
}

extern "C" __global__ void chk_msm_sum_g1(const bn254_g1_xyzz_t* parts, uint32_t per_window, bn254_g1_xyzz_t* out) {
  sum_windows<reg_ops>(parts, per_window, out);
}

extern "C" __global__ void chk_msm_sum_g2(const bn254_g2_xyzz_t* parts, uint32_t per_window, bn254_g2_xyzz_t* out) {
  sum_windows<mem_ops>(parts, per_window, out);
}
