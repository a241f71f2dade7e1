//! The `p3-interpolation` patch crate (adapters/sp1-v5/patch/p3-interpolation), compiled here as
//! a module of this test, against Horner's rule on the polynomials' coefficients and against the
//! stock fork's `interpolate_coset`: degree-4 points (cherenkov's path: heights grow, shrink and
//! grow at the same points, so the kept weight tables are made, read at strides and replaced;
//! heights above one weight chunk; widths that are not a multiple of the packing) and base-field
//! points (the fork's formula). Besides random values and points: columns whose every value is 0,
//! 1 or p - 1, and the points 0, 1 (and p - 1 in the base field).
//!
//! It lives in this workspace, not the patch workspace, so CI builds it with the adapter's tests:
//! the patch crate's own dependencies are all this crate's too. The patch demo
//! (tests/patch.rs) checks the crate again where it really stands in for the fork.

#[path = "../patch/p3-interpolation/src/lib.rs"]
mod patched;

use cherenkov_sp1_v5::BabyBear;
use p3_field::extension::BinomialExtensionField;
use p3_field::{AbstractExtensionField, AbstractField, PrimeField32, TwoAdicField};
use p3_matrix::bitrev::BitReversalPerm;
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

type Ext = BinomialExtensionField<BabyBear, 4>;

#[test]
fn opened_values_are_the_polynomials_values() {
    let seed = cherenkov::check::seed_from_env();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut element = || BabyBear::from_canonical_u32(rng.random_range(0..BabyBear::ORDER_U32));
    let shift = BabyBear::generator();
    let zeta = Ext::from_base_fn(|_| element());
    let before = cherenkov_sp1_v5_support::stats().openings;
    for (log_h, width) in
        [(0, 1), (1, 1), (2, 1), (3, 5), (10, 16), (0, 1), (12, 17), (6, 40), (12, 3), (1, 33), (13, 2)]
    {
        let case = format!("2^{log_h}x{width}, seed {seed}");
        let h = 1usize << log_h;
        // Of every four columns, three are the constant polynomials 0, 1 and p - 1.
        let coeffs: Vec<Vec<BabyBear>> = (0..width)
            .map(|j| match j % 4 {
                0 => (0..h).map(|_| element()).collect(),
                e => {
                    let mut c = vec![BabyBear::zero(); h];
                    c[0] = [BabyBear::zero(), BabyBear::one(), BabyBear::neg_one()][e - 1];
                    c
                }
            })
            .collect();
        let g = BabyBear::two_adic_generator(log_h);
        let eval = |c: &[BabyBear], x: BabyBear| c.iter().rev().fold(BabyBear::zero(), |acc, &a| acc * x + a);
        let eval_ext = |c: &[BabyBear], x: Ext| c.iter().rev().fold(Ext::zero(), |acc, &a| acc * x + a);
        let values: Vec<BabyBear> = (0..h)
            .flat_map(|i| coeffs.iter().map(move |c| (i, c)))
            .map(|(i, c)| eval(c, shift * g.exp_u64(i as u64)))
            .collect();
        let m = RowMajorMatrix::new(values, width);
        // None of them lies on the coset shift * <g>: shift generates the whole group.
        for point in [zeta, zeta * g, Ext::zero(), Ext::one()] {
            let want: Vec<Ext> = coeffs.iter().map(|c| eval_ext(c, point)).collect();
            let got = patched::interpolate_coset(&m, shift, point);
            assert_eq!(got, want, "{case}, natural order");
            assert_eq!(got, p3_interpolation::interpolate_coset(&m, shift, point), "{case}: not the fork's");
            // p3-fri's layout: the natural-order view of a bit-reversed matrix.
            let mut rev = m.clone();
            p3_matrix::util::reverse_matrix_index_bits(&mut rev);
            let got = patched::interpolate_coset(&BitReversalPerm::new_view(rev), shift, point);
            assert_eq!(got, want, "{case}, bit-reversed");
        }
        for base_point in [element(), BabyBear::zero(), BabyBear::one(), BabyBear::neg_one()] {
            let want: Vec<BabyBear> = coeffs.iter().map(|c| eval(c, base_point)).collect();
            assert_eq!(patched::interpolate_coset(&m, shift, base_point), want, "{case}, at {base_point}");
        }
    }
    // Four extension points, natural and bit-reversed, per shape, each on cherenkov's path.
    // (One test: the count is the process's.)
    assert_eq!(cherenkov_sp1_v5_support::stats().openings - before, 11 * 8, "openings not on cherenkov's path");
    the_other_items_are_the_forks(seed, &mut element);
}

/// The crate's other public items, against the fork's: `interpolate_subgroup` (the coset with
/// shift 1) and `add_scaled_base_slice_in_place`.
fn the_other_items_are_the_forks(seed: u64, mut element: impl FnMut() -> BabyBear) {
    let point = Ext::from_base_fn(|_| element());
    for (log_h, width) in [(0, 1), (5, 3), (9, 17)] {
        let m = RowMajorMatrix::new((0..width << log_h).map(|_| element()).collect(), width);
        assert_eq!(
            patched::interpolate_subgroup(&m, point),
            p3_interpolation::interpolate_subgroup(&m, point),
            "2^{log_h}x{width}, seed {seed}"
        );
    }
    let x: Vec<Ext> = (0..9).map(|_| Ext::from_base_fn(|_| element())).collect();
    let y: Vec<BabyBear> = (0..9).map(|_| element()).collect();
    let (mut got, mut want) = (x.clone(), x);
    patched::add_scaled_base_slice_in_place(&mut got, y.iter().copied(), point);
    p3_interpolation::add_scaled_base_slice_in_place(&mut want, y.into_iter(), point);
    assert_eq!(got, want, "seed {seed}");
}
