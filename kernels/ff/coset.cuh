// Points of a bit-reversed coset: shift · ω^{rev(i)}, rev over `bits` bits (the i-th row of an
// LDE committed in bit-reversed order, and FRI's fold factors), in `bits` squarings — no table.
#pragma once
#include "ff/mont31.cuh"

template <class F>
__device__ __forceinline__ F chk_bit_reversed_coset_point(F shift, F omega, uint64_t i, uint32_t bits) {
  F x = shift, sq = omega;
  CHK_NO_UNROLL
  for (uint32_t b = 0; b < bits; b++) {
    if ((i >> (bits - 1 - b)) & 1) x = x * sq;
    sq = sq * sq;
  }
  return x;
}
