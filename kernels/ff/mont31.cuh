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
  CHK_HD static uint32_t reduce(uint64_t x) {
    uint32_t t = (uint32_t)x * P::MU;
    uint64_t u = (uint64_t)t * P::MOD;
    uint32_t hi = (uint32_t)((x - u) >> 32);
    return x < u ? hi + P::MOD : hi;
  }

  CHK_HD bool is_zero() const { return v == 0; }
  CHK_HD bool operator==(mont31_t o) const { return v == o.v; }
  CHK_HD bool operator!=(mont31_t o) const { return v != o.v; }

  CHK_HD mont31_t operator+(mont31_t o) const {
    uint32_t s = v + o.v;  // < 2^32: both < 2^31
    return from_mont(s >= P::MOD ? s - P::MOD : s);
  }
  CHK_HD mont31_t operator-(mont31_t o) const {
    uint32_t d = v - o.v;
    return from_mont(v < o.v ? d + P::MOD : d);
  }
  CHK_HD mont31_t operator-() const { return zero() - *this; }
  CHK_HD mont31_t operator*(mont31_t o) const { return from_mont(reduce((uint64_t)v * o.v)); }
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
