// Pippenger's MSM as separate kernels (no grid-wide synchronisation anywhere):
//   digits      scalar -> one signed digit per window, as a key: bucket + 1 (0: none) | sign << 31
//   histogram   points per (window, bucket)
//   scan        per window, bucket offsets into the window's sorted segment, and piece offsets
//   scatter     counting sort: point indices (with the sign) grouped by bucket
//   accumulate  one thread per (window, piece): the sum of the piece's points, XYZZ. A piece is
//               at most `piece` points of one bucket (a bucket of m points is ceil(m / piece)
//               pieces), so the work is balanced however skewed the scalars are
//   reduce      one thread per (window, segment of items): its share of Σ (bucket + 1) · piece,
//               segments of equal length, small enough that the threads fill every SM
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

// Pieces of a bucket of `count` points.
CHK_HD uint32_t pieces_of(uint32_t count, uint32_t piece) { return (count + piece - 1) / piece; }

// Pieces of a window: its last bucket's piece offset and pieces (`po`, `counts`: the window's).
CHK_HD uint32_t window_pieces(const uint32_t* po, const uint32_t* counts, uint32_t buckets, uint32_t piece) {
  return po[buckets - 1] + pieces_of(counts[buckets - 1], piece);
}

// The last j < len with a[j] + (indexed ? j : 0) <= x, for a non-decreasing a with a[0] <= x:
// the bucket of a piece (a = piece offsets) or of an item (their steps j + a[j]).
CHK_HD uint32_t last_at_most(const uint32_t* a, uint32_t len, uint32_t x, bool indexed = false) {
  uint32_t lo = 0, hi = len;
  while (hi - lo > 1) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (a[mid] + (indexed ? mid : 0) <= x)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

// *sum = items [lo, lo + seg)'s share of Σ_j (j + 1) · B_j over one window, B_j the sum of bucket
// j's pieces (`sums`, indexed by piece; `po` the window's piece offsets). A window's items are,
// for each bucket j in order, a step (item j + po[j]) and then the bucket's pieces. Folded from
// the top, a piece goes into `running` and a step adds `running` to the sum, so a piece of bucket
// j counts once for every step at or below j inside the segment; the b steps before the segment
// are made up by adding b · running (double-and-add into `offset`): j + 1 times in all. Segments
// cut buckets anywhere, so each thread folds at most `seg` items (`running` and `offset` are
// scratch slots).
template <class Ops, class Xyzz>
CHK_HD void items_sum(const Xyzz* sums, const uint32_t* counts, const uint32_t* po, uint32_t buckets, uint32_t piece,
                      uint32_t lo, uint32_t seg, Xyzz* running, Xyzz* offset, Xyzz* sum) {
  *running = Xyzz::inf();
  *sum = Xyzz::inf();
  const uint32_t items = buckets + window_pieces(po, counts, buckets, piece);
  if (lo >= items) return;
  const uint32_t hi = items - lo > seg ? lo + seg : items;
  uint32_t b = last_at_most(po, buckets, hi - 1, true) + 1;  // steps not yet passed: buckets 0 .. b - 1
  uint32_t step = b - 1 + po[b - 1];
  CHK_NO_UNROLL
  for (uint32_t i = hi; i > lo; i--) {
    const uint32_t item = i - 1;
    if (item == step) {
      Ops::add(sum, sum, running);
      if (--b) step = b - 1 + po[b - 1];
    } else {
      Ops::add(running, running, &sums[po[b - 1] + (item - step - 1)]);
    }
  }
  *offset = Xyzz::inf();
  CHK_NO_UNROLL
  for (int bit = 31; bit >= 0; bit--) {
    Ops::dbl(offset, offset);
    if (b >> bit & 1) Ops::add(offset, offset, running);
  }
  Ops::add(sum, sum, offset);
}

}  // namespace chk_msm
