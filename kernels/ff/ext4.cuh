// Degree-4 binomial extension F[x]/(x^4 - W), laid out as Plonky3's
// BinomialExtensionField<F, 4>: four base coefficients, lowest degree first.
#pragma once
#include "ff/mont31.cuh"

template <class F, class P>
struct ext4_t {
  F c[4];

  CHK_HD static F w() { return F::from_mont(P::EXT4_W); }
  CHK_HD static ext4_t zero() { return ext4_t{{F::zero(), F::zero(), F::zero(), F::zero()}}; }
  CHK_HD static ext4_t one() { return ext4_t{{F::one(), F::zero(), F::zero(), F::zero()}}; }

  CHK_HD bool is_zero() const { return c[0].is_zero() && c[1].is_zero() && c[2].is_zero() && c[3].is_zero(); }
  CHK_HD bool operator==(const ext4_t& o) const {
    return c[0] == o.c[0] && c[1] == o.c[1] && c[2] == o.c[2] && c[3] == o.c[3];
  }

  CHK_HD ext4_t operator+(const ext4_t& o) const {
    return ext4_t{{c[0] + o.c[0], c[1] + o.c[1], c[2] + o.c[2], c[3] + o.c[3]}};
  }
  CHK_HD ext4_t operator-(const ext4_t& o) const {
    return ext4_t{{c[0] - o.c[0], c[1] - o.c[1], c[2] - o.c[2], c[3] - o.c[3]}};
  }
  CHK_HD ext4_t operator-() const { return zero() - *this; }
  CHK_HD ext4_t operator*(F s) const { return ext4_t{{c[0] * s, c[1] * s, c[2] * s, c[3] * s}}; }
  CHK_HD ext4_t operator*(const ext4_t& o) const {
    const F W = w();
    const F* a = c;
    const F* b = o.c;
    return ext4_t{{
        a[0] * b[0] + W * (a[1] * b[3] + a[2] * b[2] + a[3] * b[1]),
        a[0] * b[1] + a[1] * b[0] + W * (a[2] * b[3] + a[3] * b[2]),
        a[0] * b[2] + a[1] * b[1] + a[2] * b[0] + W * (a[3] * b[3]),
        a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0],
    }};
  }
  CHK_HD ext4_t sqr() const { return *this * *this; }
  CHK_HD ext4_t dbl() const { return *this + *this; }

  // a(x)^-1 = a(-x) * b(-y) / N with y = x^2, b(y) = a(x) a(-x) and N = b(y) b(-y) in F.
  // The inverse of zero is zero.
  CHK_HD ext4_t inverse() const {
    const F W = w();
    const F b0 = c[0].sqr() + W * c[2].sqr() - (W * c[1] * c[3]).dbl();
    const F b1 = (c[0] * c[2]).dbl() - c[1].sqr() - W * c[3].sqr();
    const F n_inv = (b0.sqr() - W * b1.sqr()).inverse();
    const ext4_t a_conj{{c[0], -c[1], c[2], -c[3]}};
    const ext4_t b_conj{{b0, F::zero(), -b1, F::zero()}};
    return (a_conj * b_conj) * n_inv;
  }
};

using babybear4_t = ext4_t<babybear_t, chk_params::BabyBear>;
using koalabear4_t = ext4_t<koalabear_t, chk_params::KoalaBear>;
