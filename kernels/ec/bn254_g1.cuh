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
    xyzz_t r;
    dbl_mem(&r, this);
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
    xyzz_t r;
    add_mem(&r, this, &q);
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

  // The formulas in memory form, *r = *a + *b and *r = 2 · *a, which `add` and `dbl` wrap for
  // values: for points too wide to keep several of in registers (G2: 64 registers a point) the
  // operands stay in memory and are read as the formula needs them, so at most seven field
  // elements and the product temporaries are live. r may be a or b (every read comes before the
  // first write).
  CHK_HD static void add_mem(xyzz_t* r, const xyzz_t* a, const xyzz_t* b) {
    if (a->is_inf()) {
      *r = *b;
      return;
    }
    if (b->is_inf()) {
      *r = *a;
      return;
    }
    const Fq U1 = a->X * b->ZZ, S1 = a->Y * b->ZZZ;
    const Fq P = b->X * a->ZZ - U1, R = b->Y * a->ZZZ - S1;
    if (P.is_zero()) {
      if (R.is_zero()) {
        dbl_mem(r, a);
      } else {
        *r = inf();
      }
      return;
    }
    const Fq PP = P.sqr();
    const Fq ZZ3 = a->ZZ * b->ZZ * PP;
    const Fq PPP = P * PP;
    const Fq ZZZ3 = a->ZZZ * b->ZZZ * PPP;
    const Fq Q = U1 * PP;
    const Fq X3 = R.sqr() - PPP - Q.dbl();
    r->Y = R * (Q - X3) - S1 * PPP;
    r->X = X3;
    r->ZZ = ZZ3;
    r->ZZZ = ZZZ3;
  }

  CHK_HD static void dbl_mem(xyzz_t* r, const xyzz_t* a) {
    if (a->is_inf()) {
      *r = *a;
      return;
    }
    const Fq U = a->Y.dbl(), V = U.sqr(), W = U * V, S = a->X * V;
    const Fq XX = a->X.sqr(), M = XX.dbl() + XX;
    const Fq X3 = M.sqr() - S.dbl();
    const Fq Y3 = M * (S - X3) - W * a->Y;
    const Fq ZZ3 = V * a->ZZ, ZZZ3 = W * a->ZZZ;
    r->X = X3;
    r->Y = Y3;
    r->ZZ = ZZ3;
    r->ZZZ = ZZZ3;
  }

  CHK_HD xyzz_t neg() const { return xyzz_t{X, -Y, ZZ, ZZZ}; }
};

using bn254_g1_affine_t = affine_t<bn254_fq_t>;
using bn254_g1_xyzz_t = xyzz_t<bn254_fq_t>;
