//! The self-check's polynomial evaluations, one chunk of a column at a time: Horner on
//! coefficients, the barycentric sum on evaluations. Scalar for any [`NttField`]; across SIMD
//! lanes for Plonky3's fields (their `Packing`), where the scalar chains were most of the
//! check's time (a 2^22 column at four points: ~25 ms scalar on the 2-core box).

use p3_field::{batch_multiplicative_inverse, Field, PackedValue, PrimeCharacteristicRing};

use crate::ntt::NttField;

/// Σ_i col[i] · z^(start + i) for every z of `zs`.
pub(crate) fn horner<F: NttField>(col: &[F], start: u64, zs: &[F]) -> Vec<F> {
    zs.iter()
        .map(|&z| {
            let mut p = z.pow_u64(start);
            let mut acc = F::zero();
            for &c in col {
                acc = acc + c * p;
                p = p * z;
            }
            acc
        })
        .collect()
}

/// Σ_i col[i] · x_i / (z − x_i) with x_i = x0 · ω^i, for every z of `zs` (none on the x_i):
/// the running products of (z − x_i) and one inversion per z (Montgomery's trick).
pub(crate) fn barycentric<F: NttField>(col: &[F], x0: F, omega: F, zs: &[F]) -> Vec<F> {
    let mut xs = Vec::with_capacity(col.len());
    let mut ex = Vec::with_capacity(col.len());
    let mut x = x0;
    for &e in col {
        xs.push(x);
        ex.push(e * x);
        x = x * omega;
    }
    let mut prefix = vec![F::zero(); col.len()];
    zs.iter()
        .map(|&z| {
            let mut running = F::one();
            for (p, &x) in prefix.iter_mut().zip(&xs) {
                *p = running;
                running = running * (z - x);
            }
            let mut inv = running.inv();
            let mut acc = F::zero();
            for i in (0..xs.len()).rev() {
                // inv = 1 / Π_{j ≤ i} (z − x_j); times the product below i: 1 / (z − x_i).
                acc = acc + ex[i] * inv * prefix[i];
                inv = inv * (z - xs[i]);
            }
            acc
        })
        .collect()
}

/// [`horner`] across the lanes of `F::Packing`: lane l of packed word k holds the coefficient of
/// z^(kW + l), so Σ_k word_k · (z^W)^k by Horner gives, per lane, what z^l then weighs. The
/// points' chains run side by side (independent multiplications in flight).
pub(crate) fn horner_packed<F: Field>(col: &[F], start: u64, zs: &[F]) -> Vec<F> {
    let w = F::Packing::WIDTH;
    let (words, tail) = F::Packing::pack_slice_with_suffix(col);
    let zw: Vec<F::Packing> = zs.iter().map(|z| F::Packing::from(z.exp_u64(w as u64))).collect();
    let mut acc = vec![F::Packing::ZERO; zs.len()];
    for &c in words.iter().rev() {
        for (a, &zw) in acc.iter_mut().zip(&zw) {
            *a = *a * zw + c;
        }
    }
    zs.iter()
        .zip(acc)
        .map(|(&z, acc)| {
            let mut sum = F::ZERO;
            let mut zl = F::ONE;
            for &a in acc.as_slice() {
                sum += a * zl;
                zl *= z;
            }
            let mut zt = z.exp_u64((words.len() * w) as u64);
            for &c in tail {
                sum += c * zt;
                zt *= z;
            }
            sum * z.exp_u64(start)
        })
        .collect()
}

/// [`barycentric`] across the lanes of `F::Packing` (lane l of word k is x_(kW + l)); the lanes'
/// final inversions batched into one.
pub(crate) fn barycentric_packed<F: Field>(col: &[F], x0: F, omega: F, zs: &[F]) -> Vec<F> {
    type P<F> = <F as Field>::Packing;
    let w = P::<F>::WIDTH;
    let (words, tail) = P::<F>::pack_slice_with_suffix(col);
    let step = P::<F>::from(omega.exp_u64(w as u64));
    let mut x = P::<F>::from_fn(|l| x0 * omega.exp_u64(l as u64));
    let mut xs = Vec::with_capacity(words.len());
    let mut ex = Vec::with_capacity(words.len());
    for &e in words {
        xs.push(x);
        ex.push(e * x);
        x *= step;
    }
    let tail_x0 = x0 * omega.exp_u64((words.len() * w) as u64);
    let mut prefix = vec![P::<F>::ZERO; words.len()];
    zs.iter()
        .map(|&z| {
            let zp = P::<F>::from(z);
            let mut running = P::<F>::ONE;
            for (p, &x) in prefix.iter_mut().zip(&xs) {
                *p = running;
                running *= zp - x;
            }
            let mut inv = *P::<F>::from_slice(&batch_multiplicative_inverse(running.as_slice()));
            let mut acc = P::<F>::ZERO;
            for i in (0..xs.len()).rev() {
                acc += ex[i] * inv * prefix[i];
                inv *= zp - xs[i];
            }
            let mut sum: F = acc.as_slice().iter().copied().sum();
            let mut x = tail_x0;
            for &e in tail {
                sum += e * x * (z - x).inverse();
                x *= omega;
            }
            sum
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;
    use crate::field::{BabyBear, KoalaBear};

    fn packed_agrees<F: Field + NttField>() {
        let mut rng = StdRng::seed_from_u64(11);
        let omega = F::root_of_unity(10);
        let zs: Vec<F> = (0..3).map(|_| F::random(&mut rng)).collect();
        // Lengths around the packing width (tails of every size, no whole word, several words).
        for len in [0, 1, 7, 8, 15, 16, 17, 33, 100, 1024] {
            let col: Vec<F> = (0..len).map(|_| F::random(&mut rng)).collect();
            let x0 = F::random(&mut rng);
            assert_eq!(horner_packed(&col, 37, &zs), horner(&col, 37, &zs), "horner, {len}");
            assert_eq!(barycentric_packed(&col, x0, omega, &zs), barycentric(&col, x0, omega, &zs), "barycentric, {len}");
        }
    }

    #[test]
    fn packed_evaluations_agree_with_scalar_ones() {
        packed_agrees::<BabyBear>();
        packed_agrees::<KoalaBear>();
    }
}
