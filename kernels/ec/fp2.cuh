// Quadratic extension Fp[u] / (u^2 + 1) (BN254's Fq2: non-residue -1), the field G2 lives over.
// Karatsuba multiplication: 3 base multiplications.
#pragma once
#include "ff/mont256.cuh"

template <class Fp>
struct fp2_t {
  Fp c0, c1;

  CHK_HD static fp2_t zero() { return fp2_t{Fp::zero(), Fp::zero()}; }
  CHK_HD static fp2_t one() { return fp2_t{Fp::one(), Fp::zero()}; }
  CHK_HD bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  CHK_HD bool operator==(const fp2_t& o) const { return c0 == o.c0 && c1 == o.c1; }
  CHK_HD bool operator!=(const fp2_t& o) const { return !(*this == o); }

  CHK_HD fp2_t operator+(const fp2_t& o) const { return fp2_t{c0 + o.c0, c1 + o.c1}; }
  CHK_HD fp2_t operator-(const fp2_t& o) const { return fp2_t{c0 - o.c0, c1 - o.c1}; }
  CHK_HD fp2_t operator-() const { return fp2_t{-c0, -c1}; }
  CHK_HD fp2_t operator*(const fp2_t& o) const { return mul(*this, o); }
  CHK_HD fp2_t sqr() const { return square(*this); }

  CHK_HD static fp2_t mul(const fp2_t& x, const fp2_t& y) {
    const Fp a = x.c0 * y.c0, b = x.c1 * y.c1;
    return fp2_t{a - b, (x.c0 + x.c1) * (y.c0 + y.c1) - a - b};
  }
  // (c0 + c1 u)^2 = (c0 + c1)(c0 - c1) + 2 c0 c1 u
  CHK_HD static fp2_t square(const fp2_t& x) {
    const Fp m = x.c0 * x.c1;
    return fp2_t{(x.c0 + x.c1) * (x.c0 - x.c1), m.dbl()};
  }
  CHK_HD fp2_t dbl() const { return fp2_t{c0.dbl(), c1.dbl()}; }
};
