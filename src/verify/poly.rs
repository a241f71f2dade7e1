//! The barycentric sum of the self-check, one chunk of a column at a time: scalar for any
//! [`NttField`], across SIMD lanes for Plonky3's fields (their `Packing`), where the scalar
//! chains of products were most of the check's time.

use p3_field::{batch_multiplicative_inverse, Field, PackedValue, PrimeCharacteristicRing};

use crate::ntt::NttField;

/// Σ_i col[i] · x_i / (z − x_i) with x_i = c0 · table[i], for every z of `zs` (none on the
/// x_i): the running products of (z − x_i) and one inversion per z (Montgomery's trick).
pub(crate) fn barycentric<F: NttField>(col: &[F], c0: F, table: &[F], zs: &[F]) -> Vec<F> {
    let xs: Vec<F> = table[..col.len()].iter().map(|&t| c0 * t).collect();
    let ex: Vec<F> = col.iter().zip(&xs).map(|(&e, &x)| e * x).collect();
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

/// [`barycentric`] across the lanes of `F::Packing` (lane l of word k is x_(kW + l)), the
/// lanes' final inversions batched into one.
pub(crate) fn barycentric_packed<F: Field>(col: &[F], c0: F, table: &[F], zs: &[F]) -> Vec<F> {
    type P<F> = <F as Field>::Packing;
    let (words, tail) = P::<F>::pack_slice_with_suffix(col);
    let (twords, ttail) = P::<F>::pack_slice_with_suffix(&table[..col.len()]);
    let c0p = P::<F>::from(c0);
    let xs: Vec<P<F>> = twords.iter().map(|&t| c0p * t).collect();
    let ex: Vec<P<F>> = words.iter().zip(&xs).map(|(&e, &x)| e * x).collect();
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
            for (&e, &t) in tail.iter().zip(ttail) {
                let x = c0 * t;
                sum += e * x * (z - x).inverse();
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
        let zs: Vec<F> = (0..3).map(|_| F::random(&mut rng)).collect();
        let table: Vec<F> = (0..1024).map(|_| F::random(&mut rng)).collect();
        // Lengths around the packing width (tails of every size, no whole word, several words).
        for len in [0, 1, 7, 8, 15, 16, 17, 33, 100, 1024] {
            let col: Vec<F> = (0..len).map(|_| F::random(&mut rng)).collect();
            let c0 = F::random(&mut rng);
            assert_eq!(barycentric_packed(&col, c0, &table, &zs), barycentric(&col, c0, &table, &zs), "{len}");
        }
    }

    #[test]
    fn packed_barycentric_sums_agree_with_scalar_ones() {
        packed_agrees::<BabyBear>();
        packed_agrees::<KoalaBear>();
    }
}
