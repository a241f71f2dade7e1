//! What the adapter's tests share: the logged seed and random tensors.

use cherenkov_sp1_v6::KoalaBear;
use rand::rngs::StdRng;
use rand::RngExt;
use slop_algebra::{AbstractField, PrimeField32};
use slop_tensor::Tensor;

pub fn seed() -> u64 {
    cherenkov::check::seed_from_env()
}

/// A random `height × width` tensor whose first entries are 0, 1 and p − 1.
pub fn tensor(rng: &mut StdRng, height: usize, width: usize) -> Tensor<KoalaBear> {
    let p = KoalaBear::ORDER_U32;
    let edges = [0, 1, p - 1];
    let v: Vec<KoalaBear> = (0..height * width)
        .map(|i| KoalaBear::from_canonical_u32(if i < 3 { edges[i] } else { rng.random_range(0..p) }))
        .collect();
    Tensor::from(v).reshape([height, width])
}
