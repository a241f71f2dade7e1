use cherenkov::field::{BabyBear, DeviceField};
use cherenkov::ntt::{self, Order};
use cherenkov::Engine;
use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::Field;
use p3_matrix::dense::RowMajorMatrix;
use rand::{rngs::StdRng, SeedableRng};
fn main() {
    let log_h: usize = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(20);
    let w: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(64);
    let mut rng = StdRng::seed_from_u64(1);
    let m: Vec<BabyBear> = (0..(w << log_h)).map(|_| BabyBear::random(&mut rng)).collect();
    let p3 = Radix2DitParallel::<BabyBear>::default();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let r = ntt::coset_lde_batch(&Engine::Cpu, m.clone(), w, 1, BabyBear::GENERATOR, Order::BitReversed).unwrap();
        let a = t.elapsed();
        drop(r);
        let t = std::time::Instant::now();
        let r = p3.coset_lde_batch(RowMajorMatrix::new(m.clone(), w), 1, BabyBear::GENERATOR);
        let b = t.elapsed();
        drop(r);
        eprintln!("ours {a:?} p3 {b:?} ratio {:.2}", b.as_secs_f64() / a.as_secs_f64());
    }
}
