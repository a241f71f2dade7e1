//! The self-check's arithmetic: the rows' random combination and the barycentric sum, scalar
//! for any [`NttField`] and across SIMD lanes for Plonky3's fields (their `Packing`).

use p3_field::{batch_multiplicative_inverse, Field, PackedFieldPow2, PackedValue, PrimeCharacteristicRing};

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

/// [`barycentric`] across the lanes of `F::Packing` (lane l of word k is x_(kW + l)): the sum
/// kept as one fraction per lane, num/den + e x/(z − x) = (num (z − x) + e x den) / (den (z − x)),
/// three products per element and point and no second pass; the lanes' fractions divided out
/// with one batched inversion.
pub(crate) fn barycentric_packed<F: Field>(col: &[F], c0: F, table: &[F], zs: &[F]) -> Vec<F> {
    type P<F> = <F as Field>::Packing;
    let (words, tail) = P::<F>::pack_slice_with_suffix(col);
    let (twords, ttail) = P::<F>::pack_slice_with_suffix(&table[..col.len()]);
    let c0p = P::<F>::from(c0);
    let xs: Vec<P<F>> = twords.iter().map(|&t| c0p * t).collect();
    let ex: Vec<P<F>> = words.iter().zip(&xs).map(|(&e, &x)| e * x).collect();
    zs.iter()
        .map(|&z| {
            let zp = P::<F>::from(z);
            let (mut num, mut den) = (P::<F>::ZERO, P::<F>::ONE);
            for (&x, &ex) in xs.iter().zip(&ex) {
                let d = zp - x;
                num = num * d + ex * den;
                den *= d;
            }
            let inv = batch_multiplicative_inverse(den.as_slice());
            let mut sum: F = num.as_slice().iter().zip(&inv).map(|(&n, &i)| n * i).sum();
            for (&e, &t) in tail.iter().zip(ttail) {
                let x = c0 * t;
                sum += e * x * (z - x).inverse();
            }
            sum
        })
        .collect()
}

/// `out[i] = Σ_c m[i][c] · r[c]` for the `width`-column row-major `m`, W rows at a time
/// (W = `F::Packing::WIDTH`): each row's whole words multiplied by r's four at a time with one
/// Montgomery reduction (Plonky3's lazy dot product), then the W rows' W-lane products summed
/// across lanes together — log2 W rounds of `interleave` and one add, instead of a scalar sum
/// per row (which was most of a 16-column row's cost). Rows' last `width mod W` columns are
/// added one by one.
pub(crate) fn combine_rows_packed<F: Field>(m: &[F], width: usize, r: &[F], out: &mut [F])
where
    F::Packing: PackedFieldPow2,
{
    type P<F> = <F as Field>::Packing;
    let w = P::<F>::WIDTH;
    let whole = width / w * w;
    let rp = P::<F>::pack_slice(&r[..whole]);
    let (rp4, rp1) = rp.split_at(rp.len() & !3);
    let product = |row: &[F]| -> P<F> {
        let words = P::<F>::pack_slice(&row[..whole]);
        let (w4, w1) = words.split_at(rp4.len());
        let mut acc = P::<F>::ZERO;
        for (x, c) in w4.chunks_exact(4).zip(rp4.chunks_exact(4)) {
            acc += P::<F>::dot_product::<4>(x.try_into().unwrap(), c.try_into().unwrap());
        }
        for (&x, &c) in w1.iter().zip(rp1) {
            acc += x * c;
        }
        acc
    };
    let tail = |row: &[F]| -> F { row[whole..].iter().zip(&r[whole..]).map(|(&x, &c)| x * c).sum() };
    let lanes = lane_rows(w);
    let mut v = [P::<F>::ZERO; MAX_WIDTH];
    for (out, rows) in out.chunks_mut(w).zip(m.chunks(w * width)) {
        if out.len() < w || w > MAX_WIDTH || whole == 0 {
            for (o, row) in out.iter_mut().zip(rows.chunks_exact(width)) {
                *o = product(row).as_slice().iter().copied().sum::<F>() + tail(row);
            }
            continue;
        }
        for (v, row) in v.iter_mut().zip(rows.chunks_exact(width)) {
            *v = product(row);
        }
        let (mut n, mut block) = (w, w / 2);
        while block >= 1 {
            for j in 0..n / 2 {
                let (a, b) = v[2 * j].interleave(v[2 * j + 1], block);
                v[j] = a + b;
            }
            n /= 2;
            block /= 2;
        }
        for (&sum, &row) in v[0].as_slice().iter().zip(&lanes) {
            out[row] = sum;
        }
        if whole < width {
            for (o, row) in out.iter_mut().zip(rows.chunks_exact(width)) {
                *o += tail(row);
            }
        }
    }
}

/// The widest packing there is (AVX-512's 16 lanes of 32 bits).
const MAX_WIDTH: usize = 16;

/// Which row's sum each lane holds after [`combine_rows_packed`]'s interleave rounds over W rows:
/// the rounds replayed on row labels (interleave(a, b, k) takes blocks 2i of a and b to the first
/// result and blocks 2i + 1 to the second, so both results hold the same rows lane by lane).
fn lane_rows(w: usize) -> Vec<usize> {
    let mut v: Vec<Vec<usize>> = (0..w).map(|row| vec![row; w]).collect();
    let (mut n, mut block) = (w, w / 2);
    while block >= 1 {
        for j in 0..n / 2 {
            let (a, b) = (&v[2 * j], &v[2 * j + 1]);
            let merged: Vec<usize> = (0..w / (2 * block))
                .flat_map(|i| a[2 * i * block..][..block].iter().chain(&b[2 * i * block..][..block]))
                .copied()
                .collect();
            v[j] = merged;
        }
        n /= 2;
        block /= 2;
    }
    v.swap_remove(0)
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

    fn rows_combine<F: Field + NttField>()
    where
        F::Packing: PackedFieldPow2,
    {
        let mut rng = StdRng::seed_from_u64(12);
        // Widths below, at and around one and four words; heights with and without a last
        // partial group of W rows.
        for width in [1, 3, 8, 15, 16, 17, 31, 32, 48, 64, 65, 100] {
            for rows in [1, 15, 16, 17, 40] {
                let m: Vec<F> = (0..rows * width).map(|_| F::random(&mut rng)).collect();
                let r: Vec<F> = (0..width).map(|_| F::random(&mut rng)).collect();
                let want: Vec<F> =
                    m.chunks_exact(width).map(|row| row.iter().zip(&r).map(|(&x, &c)| x * c).sum()).collect();
                let mut got = vec![F::ZERO; rows];
                combine_rows_packed(&m, width, &r, &mut got);
                assert_eq!(got, want, "{rows} x {width}");
            }
        }
    }

    #[test]
    fn packed_row_combinations_agree_with_scalar_ones() {
        rows_combine::<BabyBear>();
        rows_combine::<KoalaBear>();
    }
}
