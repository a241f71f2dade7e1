// Division of 32-bit values by a runtime divisor fixed for a launch, without a division
// instruction (a 64-bit `/` or `%` compiles to a subroutine CALL, a 32-bit one to ~20
// instructions): Granlund and Montgomery's round-up method ("Division by invariant integers using
// multiplication", PLDI 1994, figure 4.1). With l = ceil(log2 d), m = floor(2^32 (2^l - d) / d) + 1:
//   q = (hi(m n) + ((n - hi(m n)) >> s1)) >> s2,  s1 = min(l, 1), s2 = max(l - 1, 0),
// exact for every 32-bit n. The host computes (m, s1, s2) once (cherenkov::backend::FastDiv,
// which tests it against `/`); the kernel pays a multiply-high, two adds and two shifts.
#pragma once
#include "emu/compat.h"

struct chk_fastdiv {
  uint32_t d, m, s1, s2;
};

CHK_HD uint32_t chk_umulhi(uint32_t a, uint32_t b) {
#ifdef __CUDA_ARCH__
  return __umulhi(a, b);
#else
  return (uint32_t)(((uint64_t)a * b) >> 32);
#endif
}

// n / f.d
CHK_HD uint32_t chk_div(uint32_t n, chk_fastdiv f) {
  const uint32_t t = chk_umulhi(n, f.m);
  return (t + ((n - t) >> f.s1)) >> f.s2;
}
