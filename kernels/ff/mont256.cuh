// 256-bit Montgomery fields with four 64-bit limbs, little-endian, exactly as arkworks stores
// them (Fp256<MontBackend<_, 4>>): v = x * 2^256 mod p, canonical. One template, two fields.
#pragma once
#include "emu/compat.h"
#include "ff/params.cuh"

namespace chk_u64 {
CHK_HD void mul_wide(uint64_t a, uint64_t b, uint64_t& lo, uint64_t& hi) {
#if defined(__CUDA_ARCH__)
  lo = a * b;
  hi = __umul64hi(a, b);
#else
  unsigned __int128 p = (unsigned __int128)a * b;
  lo = (uint64_t)p;
  hi = (uint64_t)(p >> 64);
#endif
}
// Returns a + b + carry, leaves the carry out (0 or 1) in carry.
CHK_HD uint64_t adc(uint64_t a, uint64_t b, uint64_t& carry) {
  uint64_t s = a + b;
  uint64_t c1 = s < a;
  uint64_t r = s + carry;
  carry = c1 | (r < s);
  return r;
}
// Returns a - b - borrow, leaves the borrow out (0 or 1) in borrow.
CHK_HD uint64_t sbb(uint64_t a, uint64_t b, uint64_t& borrow) {
  uint64_t d = a - b;
  uint64_t b1 = a < b;
  uint64_t r = d - borrow;
  borrow = b1 | (d < borrow);
  return r;
}
// Returns lo(acc + a * b + carry), leaves the high word in carry.
CHK_HD uint64_t mac(uint64_t acc, uint64_t a, uint64_t b, uint64_t& carry) {
  uint64_t lo, hi;
  mul_wide(a, b, lo, hi);
  uint64_t c = 0;
  lo = adc(lo, acc, c);
  hi += c;
  c = 0;
  lo = adc(lo, carry, c);
  carry = hi + c;
  return lo;
}
}  // namespace chk_u64

template <class P>
struct mont256_t {
  uint64_t l[4];

  CHK_HD static mont256_t zero() { return mont256_t{{0, 0, 0, 0}}; }
  CHK_HD static mont256_t one() { return mont256_t{{P::ONE0, P::ONE1, P::ONE2, P::ONE3}}; }
  CHK_HD static mont256_t modulus() { return mont256_t{{P::MOD0, P::MOD1, P::MOD2, P::MOD3}}; }

  CHK_HD bool is_zero() const { return (l[0] | l[1] | l[2] | l[3]) == 0; }
  CHK_HD bool operator==(const mont256_t& o) const {
    return ((l[0] ^ o.l[0]) | (l[1] ^ o.l[1]) | (l[2] ^ o.l[2]) | (l[3] ^ o.l[3])) == 0;
  }
  CHK_HD bool operator!=(const mont256_t& o) const { return !(*this == o); }

  // r = x - p if x >= p (x < 2p, with an optional 257th bit `top`).
  CHK_HD static mont256_t reduce_once(const uint64_t x[4], uint64_t top) {
    const mont256_t m = modulus();
    mont256_t d;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) d.l[i] = chk_u64::sbb(x[i], m.l[i], borrow);
    if (top || !borrow) return d;
    return mont256_t{{x[0], x[1], x[2], x[3]}};
  }

  CHK_HD mont256_t operator+(const mont256_t& o) const {
    uint64_t s[4], carry = 0;
    for (int i = 0; i < 4; i++) s[i] = chk_u64::adc(l[i], o.l[i], carry);
    return reduce_once(s, carry);
  }
  CHK_HD mont256_t operator-(const mont256_t& o) const {
    mont256_t d;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) d.l[i] = chk_u64::sbb(l[i], o.l[i], borrow);
    if (borrow) {
      const mont256_t m = modulus();
      uint64_t carry = 0;
      for (int i = 0; i < 4; i++) d.l[i] = chk_u64::adc(d.l[i], m.l[i], carry);
    }
    return d;
  }
  CHK_HD mont256_t operator-() const { return zero() - *this; }

  // CIOS Montgomery multiplication: a * b / 2^256 mod p, with arkworks' INV = -p^-1 mod 2^64.
  CHK_HD mont256_t operator*(const mont256_t& o) const {
    const mont256_t m = modulus();
    uint64_t t[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
      uint64_t c = 0;
      for (int j = 0; j < 4; j++) t[j] = chk_u64::mac(t[j], l[j], o.l[i], c);
      uint64_t c2 = 0;
      t[4] = chk_u64::adc(t[4], c, c2);
      t[5] = c2;
      const uint64_t k = t[0] * P::INV;
      c = 0;
      chk_u64::mac(t[0], k, m.l[0], c);
      for (int j = 1; j < 4; j++) t[j - 1] = chk_u64::mac(t[j], k, m.l[j], c);
      c2 = 0;
      t[3] = chk_u64::adc(t[4], c, c2);
      t[4] = t[5] + c2;
    }
    return reduce_once(t, t[4]);
  }
  CHK_HD mont256_t& operator+=(const mont256_t& o) { return *this = *this + o; }
  CHK_HD mont256_t& operator-=(const mont256_t& o) { return *this = *this - o; }
  CHK_HD mont256_t& operator*=(const mont256_t& o) { return *this = *this * o; }
  CHK_HD mont256_t sqr() const { return *this * *this; }
  CHK_HD mont256_t dbl() const { return *this + *this; }

  CHK_HD mont256_t pow(uint64_t e) const {
    mont256_t r = one(), b = *this;
    for (; e; e >>= 1) {
      if (e & 1) r *= b;
      b = b.sqr();
    }
    return r;
  }

  // Fermat: x^(p-2), square-and-multiply over the exponent's bits; the inverse of zero is zero.
  CHK_HD mont256_t inverse() const {
    const uint64_t e[4] = {P::MOD0 - 2, P::MOD1, P::MOD2, P::MOD3};  // p is odd and > 2
    mont256_t r = one();
    for (int i = 3; i >= 0; i--)
      for (int b = 63; b >= 0; b--) {
        r = r.sqr();
        if (e[i] >> b & 1) r *= *this;
      }
    return r;
  }
};

using bn254_fr_t = mont256_t<chk_params::Bn254Fr>;
using bn254_fq_t = mont256_t<chk_params::Bn254Fq>;
