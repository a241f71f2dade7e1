//! The NTT and LDE checks: a transform relates coefficients and evaluations on a coset, an LDE
//! evaluations on two domains, and both sides of either must give the same value at any point.
//! The columns are first combined with random coefficients (the transforms are linear), so the
//! per-element cost is one multiplication and one addition per side; the evaluations at `k`
//! random points then cost a few multiplications per row.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rand::rngs::StdRng;
use rayon::prelude::*;

use crate::backend::{Visit, Visitor};
use crate::mem;
use crate::ntt::{Direction, NttField, Order, Transform};

/// Rows per rayon task.
const CHUNK: usize = 1 << 12;

type Check = std::result::Result<(), String>;

/// Σ_c r[c] · m[row][c] for every row of the row-major `m`.
fn combine<F: NttField>(m: &[F], width: usize, r: &[F]) -> std::result::Result<Vec<F>, String> {
    let rows = m.len() / width;
    let mut out = mem::vec_filled(rows, F::zero()).map_err(|e| e.to_string())?;
    out.par_chunks_mut(CHUNK).zip(m.par_chunks(CHUNK * width)).for_each(|(out, m)| F::combine_rows(m, width, r, out));
    Ok(out)
}

/// How the rows of one chunk of a stored column map to powers: a column of 2^log_n rows in
/// `order` is cut into chunks of 2^c rows, and row `lo` of chunk `hi` holds natural index
/// j = J(hi) + (or, bit-reversed, interleaved with) its offset, so that for any g,
/// g^j = g^J(hi) · T_g[lo] with one table T_g per g for every chunk. The evaluations then need
/// no gather into natural order and no chain of multiplications along the column.
struct Chunks {
    log_n: u32,
    c: u32,
    order: Order,
}

impl Chunks {
    fn new(log_n: u32, order: Order) -> Self {
        Self { log_n, c: log_n.min(CHUNK.trailing_zeros()), order }
    }
    fn len(&self) -> usize {
        1 << self.c
    }
    /// J(hi): the exponent chunk `hi` multiplies by.
    fn exponent(&self, hi: usize) -> u64 {
        match self.order {
            Order::Natural => (hi << self.c) as u64,
            Order::BitReversed if self.log_n == self.c => 0,
            Order::BitReversed => (hi.reverse_bits() >> (usize::BITS - (self.log_n - self.c))) as u64,
        }
    }
    /// T_g: g^lo in natural order; (g^(2^(log_n - c)))^bitrev_c(lo) bit-reversed.
    fn table<F: NttField>(&self, g: F) -> Vec<F> {
        let base = match self.order {
            Order::Natural => g,
            Order::BitReversed => g.pow_u64(1 << (self.log_n - self.c)),
        };
        let mut powers = Vec::with_capacity(self.len());
        let mut p = F::one();
        for _ in 0..self.len() {
            powers.push(p);
            p = p * base;
        }
        match self.order {
            Order::Natural => powers,
            Order::BitReversed if self.c == 0 => powers,
            Order::BitReversed => {
                (0..self.len()).map(|lo| powers[lo.reverse_bits() >> (usize::BITS - self.c)]).collect()
            }
        }
    }
}

/// Σ_j c_j z^j for the coefficients `col` (stored in `order`), at every z of `zs`: per chunk,
/// one dot product with each z's table.
fn horner<F: NttField>(col: &[F], log_n: u32, order: Order, zs: &[F]) -> Vec<F> {
    let chunks = Chunks::new(log_n, order);
    let tables: Vec<Vec<F>> = zs.iter().map(|&z| chunks.table(z)).collect();
    let k = zs.len();
    col.par_chunks(chunks.len())
        .enumerate()
        .map(|(hi, chunk)| {
            let e = chunks.exponent(hi);
            zs.iter().zip(&tables).map(|(&z, t)| F::dot(chunk, t) * z.pow_u64(e)).collect::<Vec<F>>()
        })
        .reduce(|| vec![F::zero(); k], |a, b| a.iter().zip(&b).map(|(x, y)| *x + *y).collect())
}

/// The values at every z of `zs` of the polynomial of degree < n with evaluations `col`
/// (stored in `order`) on `shift · H` (|H| = n = 2^log_n), by the barycentric formula:
/// P(z) = (z^n − s^n) / (n s^n) · Σ_i e_i x_i / (z − x_i), x_i = s ω^i. Each z is off the coset.
fn barycentric<F: NttField>(col: &[F], log_n: u32, order: Order, shift: F, zs: &[F]) -> Vec<F> {
    let n = col.len();
    let k = zs.len();
    let omega = F::root_of_unity(log_n as usize);
    let chunks = Chunks::new(log_n, order);
    let table = chunks.table(omega);
    let sums = col
        .par_chunks(chunks.len())
        .enumerate()
        .map(|(hi, chunk)| F::barycentric_chunk(chunk, shift * omega.pow_u64(chunks.exponent(hi)), &table, zs))
        .reduce(|| vec![F::zero(); k], |a, b| a.iter().zip(&b).map(|(x, y)| *x + *y).collect());
    let sn = shift.pow_u64(n as u64);
    let scale = (F::from_u64(n as u64) * sn).inv();
    zs.iter().zip(sums).map(|(&z, sum)| (z.pow_u64(n as u64) - sn) * scale * sum).collect()
}

/// Evaluation points per check: enough that a wrong polynomial of degree < 2^log_n survives
/// all of them with probability below 2^-30 (each: at most 2^log_n / p).
fn points<F: NttField>(log_n: u32) -> usize {
    let margin = F::MODULUS_BITS.saturating_sub(log_n + 1).max(1);
    30u32.div_ceil(margin).clamp(1, 8) as usize
}

/// A random point where `z^n != s^n` (off the coset `s·H` of order n).
fn off_coset<F: NttField>(rng: &mut StdRng, n: u64, shift: F) -> F {
    let sn = shift.pow_u64(n);
    loop {
        let z = F::random(rng);
        if z.pow_u64(n) != sn {
            return z;
        }
    }
}

fn coefficients<F: NttField>(width: usize, rng: &mut StdRng) -> Vec<F> {
    (0..width).map(|_| F::random(rng)).collect()
}

/// What a device NTT call computes, for its check.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Relation<F> {
    /// A transform of the columns.
    Transform(Transform<F>),
    /// The LDE of the columns (evaluations on H, natural order) onto `shift · K`,
    /// |K| = |H| · 2^added_bits, rows in `order`.
    Lde { added_bits: usize, shift: F, order: Order },
}

impl<F: NttField> Relation<F> {
    /// `cout`, the output's rows combined, is this relation applied to `cin`, the input's rows
    /// combined with the same coefficients (`width` only names the shape in the message).
    pub(crate) fn holds(&self, cin: &[F], cout: &[F], width: usize, rng: &mut StdRng) -> Check {
        match *self {
            Relation::Transform(t) => {
                if cin.len() != cout.len() {
                    return Err(format!("{} rows out for {} in", cout.len(), cin.len()));
                }
                let n = cin.len();
                let log_n = n.trailing_zeros();
                // Forward: coefficients in, evaluations out; inverse: the other way round.
                let ((coeffs, c_order), (evals, e_order)) = match t.direction {
                    Direction::Forward => ((cin, t.input), (cout, t.output)),
                    Direction::Inverse => ((cout, t.output), (cin, t.input)),
                };
                let zs: Vec<F> = (0..points::<F>(log_n)).map(|_| off_coset(rng, n as u64, t.shift)).collect();
                let a = horner(coeffs, log_n, c_order, &zs);
                let b = barycentric(evals, log_n, e_order, t.shift, &zs);
                if a != b {
                    return Err(format!(
                        "2^{log_n} x {width}: the coefficients and the evaluations disagree at a random point"
                    ));
                }
            }
            Relation::Lde { added_bits, shift, order } => {
                if cout.len() != cin.len() << added_bits {
                    return Err(format!("{} rows out for {} in, extended by 2^{added_bits}", cout.len(), cin.len()));
                }
                let n = cin.len();
                let (log_n, log_big) = (n.trailing_zeros(), n.trailing_zeros() + added_bits as u32);
                // Off both domains: H (shift 1) and shift·K.
                let zs: Vec<F> = (0..points::<F>(log_big))
                    .map(|_| loop {
                        let z = off_coset(rng, 1 << log_big, shift);
                        if z.pow_u64(n as u64) != F::one() {
                            break z;
                        }
                    })
                    .collect();
                let a = barycentric(cin, log_n, Order::Natural, F::one(), &zs);
                let b = barycentric(cout, log_big, order, shift, &zs);
                if a != b {
                    return Err(format!(
                        "LDE of 2^{log_n} x {width} by 2^{added_bits}: input and output disagree at a random point"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The rows of a `width`-column matrix combined with random coefficients, gathered from the
/// pieces a transfer shows it ([`Visit`](crate::backend::Visit)): the device path's check costs its arithmetic on data
/// in cache, not a pass over memory of its own.
pub(crate) struct Combiner<F> {
    r: Vec<F>,
    width: usize,
    /// (first row, combined rows) of each piece seen.
    pieces: Mutex<Vec<(usize, Vec<F>)>>,
    non_canonical: AtomicBool,
}

impl<F: NttField> Combiner<F> {
    /// Coefficients drawn from `rng`; two combiners of one check share them ([`Combiner::twin`]).
    pub(crate) fn new(width: usize, rng: &mut StdRng) -> Self {
        Self { r: coefficients(width, rng), width, pieces: Mutex::default(), non_canonical: AtomicBool::new(false) }
    }
    /// A combiner with the same coefficients, nothing seen yet.
    pub(crate) fn twin(&self) -> Self {
        Self { r: self.r.clone(), width: self.width, pieces: Mutex::default(), non_canonical: AtomicBool::new(false) }
    }
    /// A transfer's [`Visit`](crate::backend::Visit) of whole rows by this combiner.
    pub(crate) fn rows(&self) -> Visit<'_, F::Repr> {
        Visit { unit: self.width, f: self }
    }
    /// The combined rows of the `rows`-row matrix seen, in order.
    pub(crate) fn finish(&self, rows: usize) -> std::result::Result<Vec<F>, String> {
        if self.non_canonical.load(Ordering::Relaxed) {
            return Err("a non-canonical encoding".into());
        }
        let mut pieces = std::mem::take(&mut *self.pieces.lock().unwrap_or_else(|e| e.into_inner()));
        pieces.sort_unstable_by_key(|p| p.0);
        let mut out = Vec::new();
        mem::reserve_exact(&mut out, rows).map_err(|e| e.to_string())?;
        for (first, piece) in pieces {
            if first != out.len() {
                return Err(format!("rows from {} were not seen", out.len()));
            }
            out.extend(piece);
        }
        if out.len() != rows {
            return Err(format!("{} rows seen of {rows}", out.len()));
        }
        Ok(out)
    }
}

impl<F: NttField> Visitor<F::Repr> for Combiner<F> {
    /// Combines one piece of whole rows, `first` its first element's index.
    fn see(&self, first: usize, piece: &[F::Repr]) {
        let Some(rows) = F::view_reprs(piece) else {
            // The transfer fails on it too (every download checks its encodings).
            self.non_canonical.store(true, Ordering::Relaxed);
            return;
        };
        let mut out = vec![F::zero(); rows.len() / self.width];
        F::combine_rows(&rows, self.width, &self.r, &mut out);
        self.pieces.lock().unwrap_or_else(|e| e.into_inner()).push((first / self.width, out));
    }
}

/// `output` is `t` applied to `input` (`width` columns).
pub(crate) fn transform<F: NttField>(
    input: &[F],
    output: &[F],
    width: usize,
    t: &Transform<F>,
    rng: &mut StdRng,
) -> Check {
    if input.len() != output.len() {
        return Err(format!("{} elements out for {} in", output.len(), input.len()));
    }
    let r = coefficients::<F>(width, rng);
    Relation::Transform(*t).holds(&combine(input, width, &r)?, &combine(output, width, &r)?, width, rng)
}

/// `output` is the LDE of `input` (evaluations on H, natural order) onto `shift · K`,
/// |K| = |H| · 2^added_bits, rows in `order`.
pub(crate) fn lde<F: NttField>(
    input: &[F],
    output: &[F],
    width: usize,
    added_bits: usize,
    shift: F,
    order: Order,
    rng: &mut StdRng,
) -> Check {
    if output.len() != input.len() << added_bits {
        return Err(format!("{} elements out for {} in, extended by 2^{added_bits}", output.len(), input.len()));
    }
    let r = coefficients::<F>(width, rng);
    let (cin, cout) = (combine(input, width, &r)?, combine(output, width, &r)?);
    Relation::Lde { added_bits, shift, order }.holds(&cin, &cout, width, rng)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::backend::Engine;
    use crate::field::{BabyBear, Bn254Fr};
    use crate::ntt;

    fn random<F: NttField>(n: usize, rng: &mut StdRng) -> Vec<F> {
        (0..n).map(|_| F::random(rng)).collect()
    }

    fn transforms_check<F: NttField>() {
        let mut rng = StdRng::seed_from_u64(3);
        let shift = F::from_u64(7);
        // 2^13 rows: several chunks of the evaluations (2^12 rows each).
        for (log_n, width) in [(0, 1), (1, 3), (5, 4), (10, 2), (13, 2)] {
            let x: Vec<F> = random(width << log_n, &mut rng);
            for direction in [Direction::Forward, Direction::Inverse] {
                for (i, o) in [
                    (Order::Natural, Order::Natural),
                    (Order::BitReversed, Order::Natural),
                    (Order::Natural, Order::BitReversed),
                ] {
                    let t = Transform::new(direction).coset(shift).orders(i, o);
                    let mut y = ntt::transform_batch(&Engine::Cpu, x.clone(), width, t).unwrap();
                    transform(&x, &y, width, &t, &mut rng).unwrap();
                    // One element off anywhere is caught.
                    let k = y.len() / 2;
                    y[k] = y[k] + F::one();
                    assert!(transform(&x, &y, width, &t, &mut rng).is_err(), "2^{log_n} x {width} {t:?}");
                }
            }
            for added in [0, 1, 3] {
                for order in [Order::Natural, Order::BitReversed] {
                    let mut y = ntt::coset_lde_batch(&Engine::Cpu, x.clone(), width, added, shift, order).unwrap();
                    lde(&x, &y, width, added, shift, order, &mut rng).unwrap();
                    let last = y.len() - 1;
                    y[last] = y[last] + F::one();
                    assert!(lde(&x, &y, width, added, shift, order, &mut rng).is_err());
                }
            }
        }
    }

    #[test]
    fn checks_accept_correct_results_and_catch_one_wrong_element() {
        transforms_check::<BabyBear>();
        transforms_check::<Bn254Fr>();
    }

    #[test]
    fn enough_points_for_the_target() {
        assert_eq!(points::<BabyBear>(20), 3);
        assert_eq!(points::<BabyBear>(27), 8);
        assert_eq!(points::<Bn254Fr>(28), 1);
    }
}
