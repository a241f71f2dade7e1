// 31-bit Montgomery fields (BabyBear, KoalaBear) exactly as Plonky3 stores them: v = x * 2^32 mod p,
// always canonical (v < p), so equal elements have equal bits on every backend.
#pragma once
#include "emu/compat.h"
#include "ff/params.cuh"

template <class P>
struct mont31_t {
  uint32_t v;

  static constexpr uint32_t MOD = P::MOD;

  CHK_HD static mont31_t from_mont(uint32_t x) {
    mont31_t r;
    r.v = x;
    return r;
  }
  CHK_HD static mont31_t zero() { return from_mont(0); }
  CHK_HD static mont31_t one() { return from_mont(P::ONE); }
  // x < p in ordinary form -> Montgomery form: x * R^2 / R.
  CHK_HD static mont31_t from_canonical(uint32_t x) { return from_mont(reduce((uint64_t)x * P::R2)); }
  CHK_HD uint32_t to_canonical() const { return reduce(v); }

  // x / 2^32 mod p for x < p * 2^32, with Plonky3's MU = p^-1 mod 2^32; result in [0, p).
  // t * p has the low word of x (t = x_lo * MU), so x - t * p = (x_hi - hi(t * p)) * 2^32 exactly:
  // only high words are subtracted and compared (on sm_90 a product is IMAD.WIDE.U32, IMAD,
  // IMAD.HI.U32, ISETP, IADD3 and a predicated IADD3: `cherenkov info --kernels` counts them).
  // CHK_MONT31_REDUCE_64 keeps the 64-bit form (11 instructions): CUDA 13.x's cicc segfaults on
  // merkle/merkle.cu with the 32-bit one.
  CHK_HD static uint32_t reduce(uint64_t x) {
    const uint32_t t = (uint32_t)x * P::MU;
#ifdef CHK_MONT31_REDUCE_64
    const uint64_t u = (uint64_t)t * P::MOD;
    const uint32_t hi = (uint32_t)((x - u) >> 32);
    return x < u ? hi + P::MOD : hi;
#else
    const uint32_t hi = (uint32_t)(x >> 32);
#ifdef __CUDA_ARCH__
    const uint32_t u = __umulhi(t, P::MOD);
#else
    const uint32_t u = (uint32_t)(((uint64_t)t * P::MOD) >> 32);
#endif
    const uint32_t d = hi - u;
    return hi < u ? d + P::MOD : d;
#endif
  }

  CHK_HD bool is_zero() const { return v == 0; }
  CHK_HD bool operator==(mont31_t o) const { return v == o.v; }
  CHK_HD bool operator!=(mont31_t o) const { return v != o.v; }

  CHK_HD mont31_t operator+(mont31_t o) const {
    CHK_PROFILE_OP(CHK_OP_MONT31_ADD);
    uint32_t s = v + o.v;  // < 2^32: both < 2^31
    return from_mont(s >= P::MOD ? s - P::MOD : s);
  }
  CHK_HD mont31_t operator-(mont31_t o) const {
    CHK_PROFILE_OP(CHK_OP_MONT31_ADD);
    uint32_t d = v - o.v;
    return from_mont(v < o.v ? d + P::MOD : d);
  }
  CHK_HD mont31_t operator-() const { return zero() - *this; }
  CHK_HD mont31_t operator*(mont31_t o) const {
    CHK_PROFILE_OP(CHK_OP_MONT31_MUL);
    return from_mont(reduce((uint64_t)v * o.v));
  }
  CHK_HD mont31_t& operator+=(mont31_t o) { return *this = *this + o; }
  CHK_HD mont31_t& operator-=(mont31_t o) { return *this = *this - o; }
  CHK_HD mont31_t& operator*=(mont31_t o) { return *this = *this * o; }
  CHK_HD mont31_t sqr() const { return *this * *this; }
  CHK_HD mont31_t dbl() const { return *this + *this; }

  CHK_HD mont31_t pow(uint64_t e) const {
    mont31_t r = one(), b = *this;
    for (; e; e >>= 1) {
      if (e & 1) r *= b;
      b = b.sqr();
    }
    return r;
  }
  // Fermat: x^(p-2); the inverse of zero is zero.
  CHK_HD mont31_t inverse() const { return pow(P::MOD - 2); }
};

using babybear_t = mont31_t<chk_params::BabyBear>;
using koalabear_t = mont31_t<chk_params::KoalaBear>;
