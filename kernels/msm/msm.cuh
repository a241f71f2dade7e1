// Pippenger's MSM as separate kernels (no grid-wide synchronisation anywhere):
//   digits      scalar -> one signed digit per window, as a key: bucket + 1 (0: none) | sign << 31
//   histogram   points per (window, bucket)
//   scan        per window, bucket offsets into the window's sorted segment
//   scatter     counting sort: point indices (with the sign) grouped by bucket
//   accumulate  one thread per (window, bucket): the sum of its points, XYZZ
//   reduce      one thread per (window, segment of buckets): Σ (bucket + 1) · B over the segment,
//               segments small enough that the threads fill every SM
//   sum         one block per window: the sum of its segments
// The host combines the windows (Horner over 2^c).
// The sort's order within a bucket depends on the schedule; the bucket sums do not.
#pragma once
#include "ec/bn254_g1.cuh"

namespace chk_msm {

constexpr uint32_t SIGN = 1u << 31;
constexpr uint32_t SCAN_THREADS = 256;

// c bits of the 4-limb integer s from bit `at` (bits past the top are 0).
CHK_HD uint32_t window_bits(const uint64_t* s, uint32_t at, uint32_t c) {
  const uint32_t limb = at / 64, shift = at % 64;
  if (limb >= 4) return 0;
  uint64_t v = s[limb] >> shift;
  if (shift + c > 64 && limb + 1 < 4) v |= s[limb + 1] << (64 - shift);
  return (uint32_t)(v & ((1ull << c) - 1));
}

// Keys of scalar i for each of its `scalar_windows` windows; the carry makes the digits signed
// in [-2^(c-1), 2^(c-1)]. With precomputed copies, scalar window w = j·windows + w' is window w'
// of point j·n + i (copy j of base i): keys[w' · copies·n + j·n + i].
CHK_HD void digits(const uint64_t* s, uint64_t i, uint64_t n, uint32_t c, uint32_t scalar_windows,
                   uint32_t windows, uint32_t* keys) {
  const uint32_t half = 1u << (c - 1);
  const uint64_t points = (uint64_t)((scalar_windows + windows - 1) / windows) * n;
  uint32_t carry = 0;
  for (uint32_t w = 0; w < scalar_windows; w++) {
    const uint32_t v = window_bits(s, w * c, c) + carry;
    carry = v > half;
    // digit v - 2^c when carrying: bucket |digit| - 1, key |digit| with the sign bit.
    const uint32_t key = carry ? ((1u << c) - v) | SIGN : v;
    keys[(uint64_t)(w % windows) * points + (uint64_t)(w / windows) * n + i] = key;
  }
}

// How the reduce and sum kernels add points held in slots (r may be a or b). `reg_ops`: slots
// that are the caller's locals, kept in registers once inlined (G1: two points and the
// temporaries fit). `mem_ops`: slots in shared or global memory, each operand read as the
// formula needs it (G2: an Fq2 point is 64 registers, and two of them with the temporaries in
// registers spill to local memory); out of line, so each kernel holds one copy of each formula
// (inlined, the G2 reduce was 87k SASS instructions, now 29k), and with the operands in memory a
// call saves no point on a stack (0 bytes of stack frame). The accumulate kernel keeps one point
// and an affine base in registers for both curves.
struct reg_ops {
  template <class X>
  CHK_HD static void add(X* r, const X* a, const X* b) { *r = a->add(*b); }
  template <class X>
  CHK_HD static void dbl(X* r, const X* a) { *r = a->dbl(); }
};

struct mem_ops {
  template <class X>
  CHK_NOINLINE __host__ __device__ static void add(X* r, const X* a, const X* b) { X::add_mem(r, a, b); }
  template <class X>
  CHK_NOINLINE __host__ __device__ static void dbl(X* r, const X* a) { X::dbl_mem(r, a); }
};

// A point in a thread's slot of shared memory, padded by 8 bytes: a warp's threads reading the
// same coordinate then hit distinct banks (unpadded, every slot of 128 or 256 bytes starts on
// bank 0 and a warp's access is 16- to 32-way conflicted).
template <class Xyzz>
struct smem_slot {
  Xyzz p;
  uint64_t pad;
};

// *sum = Σ (j + 1) · B_j over buckets [lo, hi) of one window: running sums from the top, then
// the segment's offset lo times the segment's total by double-and-add (`running` and `offset`
// are scratch slots).
template <class Ops, class Xyzz>
CHK_HD void segment_sum(const Xyzz* b, uint32_t lo, uint32_t hi, Xyzz* running, Xyzz* offset, Xyzz* sum) {
  *running = Xyzz::inf();
  *sum = Xyzz::inf();
  CHK_NO_UNROLL
  for (uint32_t j = hi; j > lo; j--) {
    Ops::add(running, running, &b[j - 1]);
    Ops::add(sum, sum, running);
  }
  *offset = Xyzz::inf();
  CHK_NO_UNROLL
  for (int bit = 31; bit >= 0; bit--) {
    Ops::dbl(offset, offset);
    if (lo >> bit & 1) Ops::add(offset, offset, running);
  }
  Ops::add(sum, sum, offset);
}

}  // namespace chk_msm
