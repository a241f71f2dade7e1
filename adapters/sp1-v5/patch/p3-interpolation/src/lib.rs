//! cherenkov's stand-in for Succinct's `p3-interpolation` 0.2.3-succinct (SP1 v5) through
//! `[patch.crates-io]` (see ../README.md): the same public items, the same values.
//!
//! p3-fri's `TwoAdicFriPcs::open` calls [`interpolate_coset`] once per committed matrix and
//! opening point, about a second of a 245k-cycle shard. The fork computes the barycentric
//! weights (an extension-field batch inversion over the whole coset) again on every call and
//! then multiplies one extension weight by one base entry at a time. For BabyBear and its
//! degree-4 extension (SP1 v5's fields) this crate instead
//! - computes the weights once per shift and point, for the largest coset asked, in parallel,
//!   and keeps them for the next matrices opened there: a smaller coset reads them at a stride
//!   (its points are every 2^k-th point of the larger one, in natural order);
//! - sums rows on packed base-field lanes
//!   ([`cherenkov_sp1_v5_support::opening::columnwise_dot_product_ext4`]).
//!
//! Other fields take the fork's formula as it stands.

use std::any::Any;
use std::sync::{Arc, Mutex, PoisonError};

use cherenkov_sp1_v5_support::opening::{columnwise_dot_product_ext4, Ext4};
use cherenkov_sp1_v5_support::BabyBearRepr;
use p3_field::{
    batch_multiplicative_inverse, scale_vec, two_adic_coset_zerofier, AbstractExtensionField, ExtensionField, Field,
    TwoAdicField,
};
use p3_matrix::Matrix;
use p3_util::log2_strict_usize;
use rayon::prelude::*;

/// Given evaluations of a batch of polynomials over the canonical power-of-two subgroup, evaluate
/// the polynomials at `point`.
pub fn interpolate_subgroup<F, EF, Mat>(subgroup_evals: &Mat, point: EF) -> Vec<EF>
where
    F: TwoAdicField,
    EF: ExtensionField<F> + TwoAdicField,
    Mat: Matrix<F>,
{
    interpolate_coset(subgroup_evals, F::one(), point)
}

/// Given evaluations of a batch of polynomials over the given coset of the canonical power-of-two
/// subgroup, evaluate the polynomials at `point`.
///
/// Barycentric form: with `g` the subgroup's generator, `h` its order and `s` the shift,
/// `p(z) = (z^h − s^h) / (h · s^(h−1)) · Σ_i p(s·g^i) · g^i / (z − s·g^i)`.
pub fn interpolate_coset<F, EF, Mat>(coset_evals: &Mat, shift: F, point: EF) -> Vec<EF>
where
    F: TwoAdicField,
    EF: ExtensionField<F> + TwoAdicField,
    Mat: Matrix<F>,
{
    let height = coset_evals.height();
    let log_height = log2_strict_usize(height);
    let degree_4 = <EF as AbstractExtensionField<F>>::D == 4;
    let sum = match BabyBearRepr::<F>::check().filter(|_| degree_4) {
        Some(repr) => {
            cherenkov_sp1_v5_support::count_opening();
            let table = weight_table(repr, shift, point, log_height);
            columnwise_dot_product_ext4(repr, coset_evals, &table.weights, table.log_height - log_height)
                .into_iter()
                .map(|c| repr.from_ext4(&c))
                .collect()
        }
        None => coset_evals.columnwise_dot_product(&weights(shift, point, log_height, |w| w)),
    };
    let zerofier = two_adic_coset_zerofier::<EF>(log_height, EF::from_base(shift), point);
    let denominator = F::from_canonical_usize(height) * shift.exp_u64(height as u64 - 1);
    scale_vec(zerofier * denominator.inverse(), sum)
}

/// `x += y * s`, where `s` is a scalar.
pub fn add_scaled_base_slice_in_place<F, EF, Y>(x: &mut [EF], y: Y, s: EF)
where
    F: Field,
    EF: ExtensionField<F>,
    Y: Iterator<Item = F>,
{
    x.iter_mut().zip(y).for_each(|(x_i, y_i)| *x_i += s * y_i);
}

/// `g^i / (point − shift·g^i)` for every `i` below `2^log_height`, each stored as `store` makes
/// it (cherenkov's path keeps base coordinates: no second pass over the table).
fn weights<F, EF, T>(shift: F, point: EF, log_height: usize, store: impl Fn(EF) -> T + Sync) -> Vec<T>
where
    F: TwoAdicField,
    EF: ExtensionField<F>,
    T: Default + Clone + Send,
{
    let g = F::two_adic_generator(log_height);
    let mut out = vec![T::default(); 1 << log_height];
    out.par_chunks_mut(WEIGHT_CHUNK).enumerate().for_each(|(k, chunk)| {
        // Each chunk inverts its own differences: one field inversion per chunk.
        let first = g.exp_u64((k * WEIGHT_CHUNK) as u64);
        let powers: Vec<F> = g.powers().take(chunk.len()).map(|gi| first * gi).collect();
        let diffs: Vec<EF> = powers.iter().map(|&gi| point - shift * gi).collect();
        for ((w, inv), gi) in chunk.iter_mut().zip(batch_multiplicative_inverse(&diffs)).zip(powers) {
            *w = store(inv * gi);
        }
    });
    out
}

/// Weights one task computes.
const WEIGHT_CHUNK: usize = 1 << 12;

/// Weight tables kept: p3-fri opens every matrix of a round at ζ and then at ζ·g, so two
/// serve one proof; four leave room for a second proof in flight. Each is 16 bytes per point
/// of the largest coset opened (64 MiB for 2^22 rows); they stay until newer points replace
/// them.
const KEPT_TABLES: usize = 4;

/// The barycentric weights of one shift and point, by base coordinates, for the coset of
/// `2^log_height` points.
struct WeightTable<F, EF> {
    shift: F,
    point: EF,
    log_height: usize,
    weights: Vec<Ext4>,
}

type AnyTable = Arc<dyn Any + Send + Sync>;

static TABLES: Mutex<Vec<AnyTable>> = Mutex::new(Vec::new());

/// The kept table for `shift` and `point` if it covers `2^log_height` points, else a new one,
/// kept in its place. Tables are found by value (shift, point and field types), so a table
/// is only ever read for the values it was made from.
fn weight_table<F: TwoAdicField, EF: ExtensionField<F>>(
    repr: BabyBearRepr<F>,
    shift: F,
    point: EF,
    log_height: usize,
) -> Arc<WeightTable<F, EF>> {
    let same =
        |t: &AnyTable| t.downcast_ref::<WeightTable<F, EF>>().is_some_and(|t| t.shift == shift && t.point == point);
    {
        let mut tables = TABLES.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(i) = tables.iter().position(same) {
            let kept = tables.remove(i);
            tables.insert(0, kept.clone());
            let kept = kept.downcast::<WeightTable<F, EF>>().unwrap_or_else(|_| unreachable!("matched by type"));
            if kept.log_height >= log_height {
                return kept;
            }
        }
    }
    // Computed without the lock: another prover's openings need not wait for this one.
    let weights = weights(shift, point, log_height, |w: EF| repr.to_ext4(&w));
    let table = Arc::new(WeightTable { shift, point, log_height, weights });
    let mut tables = TABLES.lock().unwrap_or_else(PoisonError::into_inner);
    tables.retain(|t| !same(t));
    tables.insert(0, table.clone());
    tables.truncate(KEPT_TABLES);
    table
}
