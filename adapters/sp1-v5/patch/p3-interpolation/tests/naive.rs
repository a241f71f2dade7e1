//! Opened values against Horner's rule on the polynomial's coefficients: degree-4 points
//! (cherenkov's path: heights grow, shrink and grow at the same points, so the kept weight
//! tables are made, read at strides and replaced; heights above one weight chunk) and base-field
//! points (the generic path).

use p3_baby_bear::BabyBear;
use p3_field::extension::BinomialExtensionField;
use p3_field::{AbstractExtensionField, AbstractField, TwoAdicField};
use p3_interpolation::interpolate_coset;
use p3_matrix::bitrev::BitReversalPerm;
use p3_matrix::dense::RowMajorMatrix;

type Ext = BinomialExtensionField<BabyBear, 4>;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> BabyBear {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        BabyBear::from_canonical_u32((self.0 % 0x7800_0001) as u32)
    }
}

#[test]
fn opened_values_are_the_polynomials_values() {
    let mut rng = Rng(7);
    let shift = BabyBear::generator();
    let zeta = Ext::from_base_fn(|_| rng.next());
    for (log_h, width) in
        [(0, 1), (1, 1), (2, 1), (3, 5), (10, 16), (0, 1), (12, 17), (6, 40), (12, 3), (1, 33), (13, 2)]
    {
        let h = 1usize << log_h;
        let coeffs: Vec<Vec<BabyBear>> = (0..width).map(|_| (0..h).map(|_| rng.next()).collect()).collect();
        let g = BabyBear::two_adic_generator(log_h);
        let eval = |c: &[BabyBear], x: BabyBear| c.iter().rev().fold(BabyBear::zero(), |acc, &a| acc * x + a);
        let eval_ext = |c: &[BabyBear], x: Ext| c.iter().rev().fold(Ext::zero(), |acc, &a| acc * x + a);
        let values: Vec<BabyBear> = (0..h)
            .flat_map(|i| coeffs.iter().map(move |c| (i, c)))
            .map(|(i, c)| eval(c, shift * g.exp_u64(i as u64)))
            .collect();
        let m = RowMajorMatrix::new(values, width);
        for point in [zeta, zeta * g] {
            let want: Vec<Ext> = coeffs.iter().map(|c| eval_ext(c, point)).collect();
            assert_eq!(interpolate_coset(&m, shift, point), want, "2^{log_h}x{width} natural");
            // p3-fri's layout: the natural-order view of a bit-reversed matrix.
            let mut rev = m.clone();
            p3_matrix::util::reverse_matrix_index_bits(&mut rev);
            assert_eq!(
                interpolate_coset(&BitReversalPerm::new_view(rev), shift, point),
                want,
                "2^{log_h}x{width} bitrev"
            );
        }
        let base_point = rng.next();
        let want: Vec<BabyBear> = coeffs.iter().map(|c| eval(c, base_point)).collect();
        assert_eq!(interpolate_coset(&m, shift, base_point), want, "2^{log_h}x{width} at a base point");
    }
}
