// 256-bit Montgomery fields with four 64-bit limbs, little-endian, exactly as arkworks stores
// them (Fp256<MontBackend<_, 4>>): v = x * 2^256 mod p, canonical. One template, two fields.
#pragma once
#include "emu/compat.h"
#include "ff/carry.cuh"
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
    CHK_PROFILE_OP(CHK_OP_MONT256_ADD);
    uint64_t s[4], carry = 0;
    for (int i = 0; i < 4; i++) s[i] = chk_u64::adc(l[i], o.l[i], carry);
    return reduce_once(s, carry);
  }
  CHK_HD mont256_t operator-(const mont256_t& o) const {
    CHK_PROFILE_OP(CHK_OP_MONT256_ADD);
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

  // Montgomery product a * b / 2^256 mod p (arkworks' result, bit for bit) over eight 32-bit
  // limbs: CIOS in even/odd carry chains, so that on a GPU every 32 x 32 product is one
  // IMAD.WIDE.U32(.X) (~190 SASS instructions; 64-bit limbs with compare-based carries took ~730).
  //
  // Each row keeps T = A + B * 2^32 in two 8-limb arrays: A (limb k weighs 2^(32k)) takes the
  // products of even limbs a_(2j) b_i, whose halves fall on the pairs (2j, 2j+1); B takes the odd
  // ones. With A[0] zeroed by the reduction, T / 2^32 = (B + A[1]) + (A >> 64) * 2^32: the old B
  // becomes the new A, the old A shifted by two limbs the new B (the shift rides on the next
  // row's chain, which also takes the carry of adding A[1]), so the arrays swap roles every row.
  // A's carry out weighs 2^256, B's top limb. T < 2p throughout (a, b < p), so B never carries out.
  CHK_HD mont256_t mul_chain32(const mont256_t& o) const {
    uint32_t a[8], b[8], x[8], y[8];  // x: the old A (the new B), y: the old B (the new A)
    CHK_UNROLL
    for (int i = 0; i < 4; i++) {
      a[2 * i] = (uint32_t)l[i], a[2 * i + 1] = (uint32_t)(l[i] >> 32);
      b[2 * i] = (uint32_t)o.l[i], b[2 * i + 1] = (uint32_t)(o.l[i] >> 32);
    }
    CHK_UNROLL
    for (int k = 0; k < 8; k++) x[k] = y[k] = 0;
    const uint32_t p0 = (uint32_t)P::MOD0, p1 = (uint32_t)(P::MOD0 >> 32), p2 = (uint32_t)P::MOD1,
                   p3 = (uint32_t)(P::MOD1 >> 32), p4 = (uint32_t)P::MOD2, p5 = (uint32_t)(P::MOD2 >> 32),
                   p6 = (uint32_t)P::MOD3, p7 = (uint32_t)(P::MOD3 >> 32);
    const uint32_t inv = (uint32_t)P::INV;  // -p^-1 mod 2^32
    chk_carry c;
    CHK_UNROLL
    for (int i = 0; i < 8; i++) {
      const uint32_t bi = b[i];
      // new A = old B + old A[1]; new B = (old A >> 64) + a_odd * bi, from that add's carry on
      y[0] = c.add(y[0], x[1]);
      x[0] = c.madc_lo(a[1], bi, x[2]);
      x[1] = c.madc_hi(a[1], bi, x[3]);
      x[2] = c.madc_lo(a[3], bi, x[4]);
      x[3] = c.madc_hi(a[3], bi, x[5]);
      x[4] = c.madc_lo(a[5], bi, x[6]);
      x[5] = c.madc_hi(a[5], bi, x[7]);
      x[6] = c.madc_lo(a[7], bi, 0);
      x[7] = c.madc_hi_end(a[7], bi, 0);
      // A += a_even * bi
      y[0] = c.mad_lo(a[0], bi, y[0]);
      y[1] = c.madc_hi(a[0], bi, y[1]);
      y[2] = c.madc_lo(a[2], bi, y[2]);
      y[3] = c.madc_hi(a[2], bi, y[3]);
      y[4] = c.madc_lo(a[4], bi, y[4]);
      y[5] = c.madc_hi(a[4], bi, y[5]);
      y[6] = c.madc_lo(a[6], bi, y[6]);
      y[7] = c.madc_hi(a[6], bi, y[7]);
      x[7] = c.addc_end(x[7], 0);
      // + m * p with m making the low limb zero
      const uint32_t m = y[0] * inv;
      x[0] = c.mad_lo(p1, m, x[0]);
      x[1] = c.madc_hi(p1, m, x[1]);
      x[2] = c.madc_lo(p3, m, x[2]);
      x[3] = c.madc_hi(p3, m, x[3]);
      x[4] = c.madc_lo(p5, m, x[4]);
      x[5] = c.madc_hi(p5, m, x[5]);
      x[6] = c.madc_lo(p7, m, x[6]);
      x[7] = c.madc_hi_end(p7, m, x[7]);
      y[0] = c.mad_lo(p0, m, y[0]);
      y[1] = c.madc_hi(p0, m, y[1]);
      y[2] = c.madc_lo(p2, m, y[2]);
      y[3] = c.madc_hi(p2, m, y[3]);
      y[4] = c.madc_lo(p4, m, y[4]);
      y[5] = c.madc_hi(p4, m, y[5]);
      y[6] = c.madc_lo(p6, m, y[6]);
      y[7] = c.madc_hi(p6, m, y[7]);
      x[7] = c.addc_end(x[7], 0);
      CHK_UNROLL
      for (int k = 0; k < 8; k++) {
        const uint32_t t = x[k];
        x[k] = y[k];
        y[k] = t;
      }
    }
    // T = x + y * 2^32 with x[0] = 0: the result is y + (x >> 32), < 2p.
    uint32_t r[8];
    y[0] = c.add(y[0], x[1]);
    y[1] = c.addc(y[1], x[2]);
    y[2] = c.addc(y[2], x[3]);
    y[3] = c.addc(y[3], x[4]);
    y[4] = c.addc(y[4], x[5]);
    y[5] = c.addc(y[5], x[6]);
    y[6] = c.addc(y[6], x[7]);
    y[7] = c.addc_end(y[7], 0);
    r[0] = c.sub(y[0], p0);
    r[1] = c.subc(y[1], p1);
    r[2] = c.subc(y[2], p2);
    r[3] = c.subc(y[3], p3);
    r[4] = c.subc(y[4], p4);
    r[5] = c.subc(y[5], p5);
    r[6] = c.subc(y[6], p6);
    r[7] = c.subc(y[7], p7);
    const bool below_p = c.subc_end(0, 0) != 0;  // the subtraction borrowed: y < p
    mont256_t out;
    CHK_UNROLL
    for (int i = 0; i < 4; i++) {
      const uint32_t lo = below_p ? y[2 * i] : r[2 * i], hi = below_p ? y[2 * i + 1] : r[2 * i + 1];
      out.l[i] = (uint64_t)hi << 32 | lo;
    }
    return out;
  }
  // The same product with four 64-bit limbs (CIOS, compare-based carries): what the emulator and
  // host builds run, 2.7x faster there than the 32-bit chains' portable twin. On a GPU the chains
  // win (~730 SASS instructions here); the emulator still tests them (chk_ff_*_mul_chain32).
  CHK_HD mont256_t mul_cios64(const mont256_t& o) const {
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
  // a * b / 2^256 mod p: the carry chains on a GPU (CHK_CARRY_PORTABLE: the 64-bit limbs there
  // too, to compare), the 64-bit limbs elsewhere.
  CHK_HD mont256_t operator*(const mont256_t& o) const {
    CHK_PROFILE_OP(CHK_OP_MONT256_MUL);
#if defined(__CUDA_ARCH__) && CHK_CARRY_PTX
    return mul_chain32(o);
#else
    return mul_cios64(o);
#endif
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
