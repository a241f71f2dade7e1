// Short-Weierstrass points with a = 0 (BN254 G1: y^2 = x^3 + 3) in the coordinates the MSM
// accumulates in: XYZZ (x = X/ZZ, y = Y/ZZZ, ZZ^3 = ZZZ^2), plus affine inputs.
// Formulas: add-2008-s, madd-2008-s, dbl-2008-s-1 (Explicit-Formulas Database, XYZZ).
#pragma once
#include "ff/mont256.cuh"

template <class Fq>
struct affine_t {
  Fq x, y;
  // arkworks' point at infinity has x = y = 0, which is not on a curve with b != 0.
  CHK_HD bool is_inf() const { return x.is_zero() && y.is_zero(); }
};

template <class Fq>
struct xyzz_t {
  Fq X, Y, ZZ, ZZZ;

  CHK_HD static xyzz_t inf() { return xyzz_t{Fq::zero(), Fq::zero(), Fq::zero(), Fq::zero()}; }
  CHK_HD bool is_inf() const { return ZZ.is_zero(); }
  CHK_HD static xyzz_t from_affine(const affine_t<Fq>& p) {
    if (p.is_inf()) return inf();
    return xyzz_t{p.x, p.y, Fq::one(), Fq::one()};
  }

  CHK_HD xyzz_t dbl() const {
    if (is_inf()) return *this;
    const Fq U = Y.dbl(), V = U.sqr(), W = U * V, S = X * V;
    const Fq XX = X.sqr(), M = XX.dbl() + XX;
    xyzz_t r;
    r.X = M.sqr() - S.dbl();
    r.Y = M * (S - r.X) - W * Y;
    r.ZZ = V * ZZ;
    r.ZZZ = W * ZZZ;
    return r;
  }

  // Doubling of an affine point (mdbl-2008-s-1).
  CHK_HD static xyzz_t dbl_affine(const affine_t<Fq>& p) {
    const Fq U = p.y.dbl(), V = U.sqr(), W = U * V, S = p.x * V;
    const Fq XX = p.x.sqr(), M = XX.dbl() + XX;
    xyzz_t r;
    r.X = M.sqr() - S.dbl();
    r.Y = M * (S - r.X) - W * p.y;
    r.ZZ = V;
    r.ZZZ = W;
    return r;
  }

  CHK_HD xyzz_t add(const xyzz_t& q) const {
    if (is_inf()) return q;
    if (q.is_inf()) return *this;
    const Fq U1 = X * q.ZZ, U2 = q.X * ZZ, S1 = Y * q.ZZZ, S2 = q.Y * ZZZ;
    const Fq P = U2 - U1, R = S2 - S1;
    if (P.is_zero()) return R.is_zero() ? dbl() : inf();
    const Fq PP = P.sqr(), PPP = P * PP, Q = U1 * PP;
    xyzz_t r;
    r.X = R.sqr() - PPP - Q.dbl();
    r.Y = R * (Q - r.X) - S1 * PPP;
    r.ZZ = ZZ * q.ZZ * PP;
    r.ZZZ = ZZZ * q.ZZZ * PPP;
    return r;
  }

  CHK_HD xyzz_t add_affine(const affine_t<Fq>& q) const {
    if (q.is_inf()) return *this;
    if (is_inf()) return from_affine(q);
    const Fq P = q.x * ZZ - X, R = q.y * ZZZ - Y;
    if (P.is_zero()) return R.is_zero() ? dbl_affine(q) : inf();
    const Fq PP = P.sqr(), PPP = P * PP, Q = X * PP;
    xyzz_t r;
    r.X = R.sqr() - PPP - Q.dbl();
    r.Y = R * (Q - r.X) - Y * PPP;
    r.ZZ = ZZ * PP;
    r.ZZZ = ZZZ * PPP;
    return r;
  }

  CHK_HD xyzz_t neg() const { return xyzz_t{X, -Y, ZZ, ZZZ}; }
};

using bn254_g1_affine_t = affine_t<bn254_fq_t>;
using bn254_g1_xyzz_t = xyzz_t<bn254_fq_t>;
