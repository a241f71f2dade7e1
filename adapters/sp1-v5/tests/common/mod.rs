//! What the adapter's tests share: random matrices with edge values, the Fibonacci AIR and the
//! cases the patch crates are held to.
#![allow(dead_code)]

pub mod cases;
pub mod fib;
pub mod riscv;

use cherenkov_sp1_v5::BabyBear;
use p3_field::{AbstractField, PrimeField32};
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use rand::RngExt;

/// A random `height × width` matrix whose first entries are 0, 1 and p − 1.
pub fn matrix(rng: &mut StdRng, height: usize, width: usize) -> RowMajorMatrix<BabyBear> {
    let p = BabyBear::ORDER_U32;
    let edges = [0, 1, p - 1];
    let v = (0..height * width)
        .map(|i| BabyBear::from_canonical_u32(if i < 3 { edges[i] } else { rng.random_range(0..p) }))
        .collect();
    RowMajorMatrix::new(v, width)
}
