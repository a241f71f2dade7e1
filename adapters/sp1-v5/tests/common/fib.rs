//! A Fibonacci AIR on the fork's p3-air 0.2.3 and its trace. Shared with the patch demo
//! (`adapters/sp1-v5/patch/demo`), which includes this file, so it names fork crates only.

use p3_air::{Air, AirBuilder, AirBuilderWithPublicValues, BaseAir};
use p3_baby_bear::BabyBear;
use p3_field::AbstractField;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;

/// Two columns (a, b): next a = b, next b = a + b; the last row's b is the public value.
pub struct Fibonacci;

impl<F> BaseAir<F> for Fibonacci {
    fn width(&self) -> usize {
        2
    }
}

impl<AB: AirBuilderWithPublicValues> Air<AB> for Fibonacci {
    fn eval(&self, builder: &mut AB) {
        let main = builder.main();
        let (local, next) = (main.row_slice(0), main.row_slice(1));
        let expected = builder.public_values()[0];
        let (a, b, a2, b2) = (local[0], local[1], next[0], next[1]);
        builder.when_first_row().assert_eq(a, AB::Expr::zero());
        builder.when_first_row().assert_eq(b, AB::Expr::one());
        builder.when_transition().assert_eq(a2, b);
        builder.when_transition().assert_eq(b2, a + b);
        builder.when_last_row().assert_eq(b, expected);
    }
}

/// The trace of `rows` rows and its public value.
pub fn trace(rows: usize) -> (RowMajorMatrix<BabyBear>, BabyBear) {
    let mut v = Vec::with_capacity(2 * rows);
    let (mut a, mut b) = (BabyBear::zero(), BabyBear::one());
    for _ in 0..rows {
        v.extend([a, b]);
        (a, b) = (b, a + b);
    }
    let last = v[2 * rows - 1];
    (RowMajorMatrix::new(v, 2), last)
}

/// Runs `f` on a one-thread rayon pool: the fork's grinding searches in parallel and keeps any
/// valid witness, so byte-comparable proofs are made on one thread.
pub fn one_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a one-thread pool").install(f)
}
