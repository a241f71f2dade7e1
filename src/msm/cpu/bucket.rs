//! Bucket arithmetic in the curve's own base-field products ([`CpuCurve::base_mul`]): the
//! batched inversion of the accumulator's denominators and the XYZZ additions of the bucket
//! reduction. arkworks' formulas (its `Bucket`), with the products swapped: for BN254 G1
//! arkworks' Fq product called inline, for G2 the Fq2 products of [`crate::field::fq2_wide`].
//! The rare degenerate additions (equal or opposite points) go to arkworks' own code.

use ark_ec::short_weierstrass::{Affine, Bucket};
use ark_ec::AffineRepr;
use ark_ff::{batch_inversion, AdditiveGroup, Field};

use super::CpuCurve;

/// Every element of `v` (none zero) replaced by its inverse, with one inversion (Montgomery's
/// trick) in the curve's own products, on this thread: arkworks' `batch_inversion` splits a batch
/// over rayon's threads (an inversion and a task each), and the accumulator already runs one
/// task per window. `prefix` is scratch.
pub(super) fn invert_all<P: CpuCurve>(v: &mut [P::BaseField], prefix: &mut Vec<P::BaseField>) {
    prefix.clear();
    let mut acc = P::BaseField::ONE;
    for x in v.iter() {
        acc = P::base_mul(&acc, x);
        prefix.push(acc);
    }
    let Some(mut inv) = acc.inverse() else {
        // A zero among them (no caller passes one): arkworks' version skips zeros.
        batch_inversion(v);
        return;
    };
    for i in (1..v.len()).rev() {
        let x = v[i];
        v[i] = P::base_mul(&inv, &prefix[i - 1]);
        inv = P::base_mul(&inv, &x);
    }
    if let Some(first) = v.first_mut() {
        *first = inv;
    }
}

/// `s += q` for an affine `q` (mixed XYZZ addition).
pub(crate) fn add_affine<P: CpuCurve>(s: &mut Bucket<P>, q: &Affine<P>) {
    let Some((qx, qy)) = q.xy() else {
        return;
    };
    if s.is_zero() {
        *s = Bucket::new_unchecked(qx, qy, P::BaseField::ONE, P::BaseField::ONE);
        return;
    }
    let u2 = P::base_mul(&qx, &s.zz);
    let s2 = P::base_mul(&qy, &s.zzz);
    if s.x == u2 {
        *s += q; // a doubling or the identity
        return;
    }
    let (p, r) = (u2 - s.x, s2 - s.y);
    let pp = P::base_square(&p);
    let ppp = P::base_mul(&pp, &p);
    let q = P::base_mul(&s.x, &pp);
    let x = P::base_square(&r) - ppp - q.double();
    s.y = P::base_mul(&r, &(q - x)) - P::base_mul(&s.y, &ppp);
    s.x = x;
    s.zz = P::base_mul(&s.zz, &pp);
    s.zzz = P::base_mul(&s.zzz, &ppp);
}

/// `s += o` (XYZZ addition).
pub(crate) fn add<P: CpuCurve>(s: &mut Bucket<P>, o: &Bucket<P>) {
    if o.is_zero() {
        return;
    }
    if s.is_zero() {
        *s = *o;
        return;
    }
    let u1 = P::base_mul(&s.x, &o.zz);
    let u2 = P::base_mul(&o.x, &s.zz);
    let s1 = P::base_mul(&s.y, &o.zzz);
    let s2 = P::base_mul(&o.y, &s.zzz);
    if u1 == u2 {
        *s += o; // a doubling or the identity
        return;
    }
    let (p, r) = (u2 - u1, s2 - s1);
    let pp = P::base_square(&p);
    let ppp = P::base_mul(&pp, &p);
    let q = P::base_mul(&u1, &pp);
    let x = P::base_square(&r) - ppp - q.double();
    s.y = P::base_mul(&r, &(q - x)) - P::base_mul(&s1, &ppp);
    s.x = x;
    s.zz = P::base_mul(&P::base_mul(&s.zz, &o.zz), &pp);
    s.zzz = P::base_mul(&P::base_mul(&s.zzz, &o.zzz), &ppp);
}

/// Σ (b+1) · (bucket[b] + extra[b]) by running sums in XYZZ coordinates (cheaper additions than
/// Jacobian coordinates; the affine buckets go in as mixed additions).
pub(crate) fn running_sum<P: CpuCurve>(buckets: &[Affine<P>], extra: &[Bucket<P>]) -> Bucket<P> {
    let (mut running, mut sum) = (Bucket::<P>::ZERO, Bucket::<P>::ZERO);
    for (b, e) in buckets.iter().zip(extra).rev() {
        add_affine(&mut running, b);
        add(&mut running, e);
        add(&mut sum, &running);
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::short_weierstrass::Projective;
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    use ark_std::UniformRand;

    /// The additions against arkworks' `Bucket` on random points and the degenerate cases
    /// (identity on either side, P + P, P + (−P)), and a running sum against Σ (b+1)·B_b.
    fn agrees_with_arkworks<P: CpuCurve>(seed: u64) {
        eprintln!("seed {seed:#x}");
        let mut rng = StdRng::seed_from_u64(seed);
        let points: Vec<Affine<P>> = (0..40).map(|_| Projective::<P>::rand(&mut rng).into_affine()).collect();
        let mut cases: Vec<(Bucket<P>, Affine<P>)> = vec![
            (Bucket::ZERO, points[0]),
            (Bucket::from(points[1]), Affine::identity()),
            (Bucket::from(points[2]), points[2]),
            (Bucket::from(points[3]), -points[3]),
        ];
        // A bucket with zz ≠ 1, then the same point, its negation, and another point.
        let mut deep = Bucket::from(points[4]);
        deep += &points[5];
        let deep_affine = Affine::<P>::from(deep);
        cases.extend([(deep, deep_affine), (deep, -deep_affine), (deep, points[6])]);
        for (k, (s, q)) in cases.iter().enumerate() {
            let (mut ours, mut theirs) = (*s, *s);
            add_affine(&mut ours, q);
            theirs += q;
            assert_eq!(ours, theirs, "mixed addition, case {k}");
            let (mut ours, mut theirs) = (*s, *s);
            let qb = Bucket::from(*q);
            add(&mut ours, &qb);
            theirs += &qb;
            assert_eq!(ours, theirs, "XYZZ addition, case {k}");
            let (mut ours, mut theirs) = (qb, qb);
            add(&mut ours, s);
            theirs += s;
            assert_eq!(ours, theirs, "XYZZ addition swapped, case {k}");
        }
        let extra: Vec<Bucket<P>> = points.iter().rev().map(|p| Bucket::from(*p)).collect();
        let mut buckets = points.clone();
        buckets[7] = Affine::identity();
        let want: Projective<P> = buckets
            .iter()
            .zip(&extra)
            .enumerate()
            .map(|(b, (p, e))| (Projective::from(*p) + Projective::from(*e)).mul_bigint([b as u64 + 1]))
            .sum();
        assert_eq!(Projective::from(running_sum(&buckets, &extra)), want);
    }

    #[test]
    fn bucket_additions_equal_arkworks() {
        agrees_with_arkworks::<ark_bn254::g1::Config>(0xb0c1);
        agrees_with_arkworks::<ark_bn254::g2::Config>(0xb0c2);
    }

    #[test]
    fn batched_inversion_inverts_each() {
        let mut rng = StdRng::seed_from_u64(0xb0c3);
        for len in [0, 1, 2, 7, 300] {
            let v: Vec<ark_bn254::Fq2> = (0..len).map(|_| ark_bn254::Fq2::rand(&mut rng)).collect();
            let mut inv = v.clone();
            invert_all::<ark_bn254::g2::Config>(&mut inv, &mut Vec::new());
            for (x, y) in v.iter().zip(&inv) {
                assert_eq!(*x * y, ark_bn254::Fq2::ONE);
            }
        }
    }
}
