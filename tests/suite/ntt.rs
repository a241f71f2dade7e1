//! NTTs on every backend against Plonky3's Radix2DitParallel, arkworks' Radix2EvaluationDomain
//! and a naive O(n^2) DFT, on seeded random matrices and edge cases.

use crate::common;

use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use cherenkov::field::{BabyBear, BabyBear4, Bn254Fr, DeviceField, KoalaBear};
use cherenkov::ntt::{self, Direction, NttField, Order, Transform};
use cherenkov::{Engine, Error};
use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::{Field, PrimeCharacteristicRing, TwoAdicField};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

/// (log height, width) pairs: height 1 and 2, width 1, odd widths, and the largest the emulator
/// budget allows; 2^3 x 300 makes a tile wider than a block of threads (two column slots each,
/// the second partial).
const SHAPES: &[(usize, usize)] =
    &[(0, 1), (0, 5), (1, 1), (1, 3), (2, 2), (3, 17), (5, 1), (6, 8), (9, 3), (11, 2), (3, 300)];

fn random<F: DeviceField>(rng: &mut StdRng, n: usize) -> Vec<F> {
    (0..n).map(|_| F::random(rng)).collect()
}

fn naive_dft<F: NttField>(coeffs: &[F], width: usize, shift: F, inverse_root: bool) -> Vec<F> {
    let n = coeffs.len() / width;
    let log_n = n.trailing_zeros() as usize;
    let g = F::root_of_unity(log_n);
    let g = if inverse_root { g.inv() } else { g };
    let mut out = vec![F::zero(); coeffs.len()];
    for i in 0..n {
        let x = shift * g.pow_u64(i as u64);
        for c in 0..width {
            let mut acc = F::zero();
            let mut xp = F::one();
            for j in 0..n {
                acc = acc + coeffs[j * width + c] * xp;
                xp = xp * x;
            }
            out[i * width + c] = acc;
        }
    }
    out
}

fn bitrev_rows<F: Copy>(v: &[F], width: usize) -> Vec<F> {
    let n = v.len() / width;
    let bits = n.trailing_zeros();
    (0..n)
        .flat_map(|r| {
            let s = if bits == 0 { 0 } else { r.reverse_bits() >> (usize::BITS - bits) };
            v[s * width..(s + 1) * width].to_vec()
        })
        .collect()
}

fn p3_vs_ours<F: NttField + TwoAdicField + Ord>(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let p3 = Radix2DitParallel::<F>::default();
    let shift = F::GENERATOR;
    for &(log_n, w) in SHAPES {
        let n = 1 << log_n;
        let m = random::<F>(&mut rng, n * w);
        let mat = RowMajorMatrix::new(m.clone(), w);
        let ctx = format!("{} 2^{log_n} x {w} on {}", F::NAME, engine.name());
        let fwd = Transform::new(Direction::Forward);
        let inv = Transform::new(Direction::Inverse);
        let got = ntt::transform_batch(engine, m.clone(), w, fwd).unwrap();
        assert_eq!(got, p3.dft_batch(mat.clone()).to_row_major_matrix().values, "dft {ctx}");
        let got = ntt::transform_batch(engine, m.clone(), w, inv).unwrap();
        assert_eq!(got, p3.idft_batch(mat.clone()).values, "idft {ctx}");
        let got = ntt::transform_batch(engine, m.clone(), w, fwd.coset(shift)).unwrap();
        assert_eq!(got, p3.coset_dft_batch(mat.clone(), shift).to_row_major_matrix().values, "coset dft {ctx}");
        let got = ntt::transform_batch(engine, m.clone(), w, inv.coset(shift)).unwrap();
        assert_eq!(got, p3.coset_idft_batch(mat.clone(), shift).values, "coset idft {ctx}");
        for added in [0, 1, 2] {
            if log_n + added > 11 {
                continue;
            }
            let want = p3.coset_lde_batch(mat.clone(), added, shift).to_row_major_matrix().values;
            let got = ntt::coset_lde_batch(engine, m.clone(), w, added, shift, Order::Natural).unwrap();
            assert_eq!(got, want, "coset lde +{added} {ctx}");
            let got = ntt::coset_lde_batch(engine, m.clone(), w, added, shift, Order::BitReversed).unwrap();
            assert_eq!(got, bitrev_rows(&want, w), "coset lde +{added} bit-reversed {ctx}");
        }
    }
}

fn babybear_vs_plonky3(engine: &Engine, seed: u64) {
    p3_vs_ours::<BabyBear>(engine, seed)
}
fn koalabear_vs_plonky3(engine: &Engine, seed: u64) {
    p3_vs_ours::<KoalaBear>(engine, seed)
}
backend_tests!(babybear_vs_plonky3);
backend_tests!(koalabear_vs_plonky3);

/// Every order combination and both directions against the naive DFT, with a coset.
fn orders_vs_naive<F: NttField>(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let shift = F::from_u64(7);
    for &(log_n, w) in &SHAPES[..7] {
        let n = 1usize << log_n;
        let coeffs = random::<F>(&mut rng, n * w);
        let evals = naive_dft(&coeffs, w, shift, false);
        for (input, output) in [
            (Order::Natural, Order::Natural),
            (Order::Natural, Order::BitReversed),
            (Order::BitReversed, Order::Natural),
            (Order::BitReversed, Order::BitReversed),
        ] {
            let arrange = |v: &[F], o: Order| if o == Order::BitReversed { bitrev_rows(v, w) } else { v.to_vec() };
            let t = Transform::new(Direction::Forward).coset(shift).orders(input, output);
            let got = ntt::transform_batch(engine, arrange(&coeffs, input), w, t).unwrap();
            assert_eq!(got, arrange(&evals, output), "{} forward {input:?}->{output:?} 2^{log_n}x{w}", F::NAME);
            let t = Transform::new(Direction::Inverse).coset(shift).orders(output, input);
            let back = ntt::transform_batch(engine, arrange(&evals, output), w, t).unwrap();
            assert_eq!(back, arrange(&coeffs, input), "{} inverse {output:?}->{input:?} 2^{log_n}x{w}", F::NAME);
        }
    }
}
fn babybear_orders(engine: &Engine, seed: u64) {
    orders_vs_naive::<BabyBear>(engine, seed)
}
fn bn254_orders(engine: &Engine, seed: u64) {
    orders_vs_naive::<Bn254Fr>(engine, seed)
}
backend_tests!(babybear_orders);
backend_tests!(bn254_orders);

fn bn254_vs_arkworks(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    // 2^11 passes the shared-memory tile (2^10 rows of BN254) and needs global stages too; from
    // 2^6 a cpu with AVX-512 IFMA runs the 52-bit lanes.
    for log_n in [0usize, 1, 4, 6, 9, 11] {
        let n = 1 << log_n;
        let d = Radix2EvaluationDomain::<Bn254Fr>::new(n).unwrap();
        let v = random::<Bn254Fr>(&mut rng, n);
        let fwd = Transform::new(Direction::Forward);
        assert_eq!(ntt::transform_batch(engine, v.clone(), 1, fwd).unwrap(), d.fft(&v), "fft 2^{log_n}");
        let inv = Transform::new(Direction::Inverse);
        assert_eq!(ntt::transform_batch(engine, v.clone(), 1, inv).unwrap(), d.ifft(&v), "ifft 2^{log_n}");
        let g = Bn254Fr::from(5u64);
        let dc = d.get_coset(g).unwrap();
        assert_eq!(ntt::transform_batch(engine, v.clone(), 1, fwd.coset(g)).unwrap(), dc.fft(&v), "coset fft");
        assert_eq!(ntt::transform_batch(engine, v.clone(), 1, inv.coset(g)).unwrap(), dc.ifft(&v), "coset ifft");
    }
}
backend_tests!(bn254_vs_arkworks);

/// The arkworks adapter, through `CHERENKOV_BACKEND`-style backend names.
#[test]
fn arkworks_adapter_matches_radix2_domain() {
    use cherenkov::arkworks;
    use cherenkov::Backend;
    let mut rng = StdRng::seed_from_u64(common::seed());
    for backend in [Backend::Cpu, Backend::Emu, Backend::Auto] {
        let d = Radix2EvaluationDomain::<Bn254Fr>::new(64).unwrap();
        let v = random::<Bn254Fr>(&mut rng, 64);
        let g = Bn254Fr::from(7u64);
        let mut x = v.clone();
        arkworks::fft(&mut x, backend).unwrap();
        assert_eq!(x, d.fft(&v));
        arkworks::ifft(&mut x, backend).unwrap();
        assert_eq!(x, v);
        arkworks::coset_fft(&mut x, g, backend).unwrap();
        assert_eq!(x, d.get_coset(g).unwrap().fft(&v));
        arkworks::coset_ifft(&mut x, g, backend).unwrap();
        assert_eq!(x, v);
    }
    let mut bad = vec![Bn254Fr::from(1u64); 3];
    assert!(matches!(arkworks::fft(&mut bad, Backend::Cpu), Err(Error::NotPowerOfTwo { value: 3, .. })));
}

fn extension_vs_plonky3(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let p3 = Radix2DitParallel::<BabyBear>::default();
    let shift = BabyBear::GENERATOR;
    for &(log_n, w) in &[(0, 1), (3, 2), (6, 3)] {
        let m = random::<BabyBear4>(&mut rng, (1 << log_n) * w);
        let mat = RowMajorMatrix::new(m.clone(), w);
        let t = Transform::new(Direction::Forward).coset(shift);
        let got = ntt::transform_batch_algebra(engine, m.clone(), w, t).unwrap();
        assert_eq!(got, p3.coset_dft_algebra_batch(mat.clone(), shift).values);
        let got = ntt::coset_lde_batch_algebra(engine, m.clone(), w, 1, shift, Order::Natural).unwrap();
        assert_eq!(got, p3.coset_lde_algebra_batch(mat, 1, shift).values);
    }
}
backend_tests!(extension_vs_plonky3);

fn edge_values(engine: &Engine, _seed: u64) {
    let p3 = Radix2DitParallel::<BabyBear>::default();
    for fill in [BabyBear::ZERO, BabyBear::ONE, BabyBear::NEG_ONE] {
        let m = vec![fill; 64 * 4];
        let want = p3.coset_lde_batch(RowMajorMatrix::new(m.clone(), 4), 1, BabyBear::GENERATOR).to_row_major_matrix();
        let got = ntt::coset_lde_batch(engine, m, 4, 1, BabyBear::GENERATOR, Order::Natural).unwrap();
        assert_eq!(got, want.values, "all {fill}");
    }
}
backend_tests!(edge_values);

/// Shapes big enough for the cpu executor's strided group passes (spans beyond a cache block),
/// with narrow and wide rows; Plonky3 is the reference.
#[test]
fn cpu_large_shapes_vs_plonky3() {
    let mut rng = StdRng::seed_from_u64(common::seed());
    let p3 = Radix2DitParallel::<BabyBear>::default();
    for &(log_n, w) in &[(19usize, 1usize), (15, 12), (14, 64), (10, 1024)] {
        let m = random::<BabyBear>(&mut rng, w << log_n);
        let mat = RowMajorMatrix::new(m.clone(), w);
        let want = p3.coset_lde_batch(mat.clone(), 1, BabyBear::GENERATOR).to_row_major_matrix().values;
        let got = ntt::coset_lde_batch(&Engine::Cpu, m.clone(), w, 1, BabyBear::GENERATOR, Order::Natural).unwrap();
        assert!(got == want, "coset lde 2^{log_n} x {w}");
        let back = ntt::transform_batch(
            &Engine::Cpu,
            p3.dft_batch(mat).to_row_major_matrix().values,
            w,
            Transform::new(Direction::Inverse),
        )
        .unwrap();
        assert!(back == m, "idft(dft) 2^{log_n} x {w}");
    }
}

#[test]
fn bad_shapes_are_errors() {
    let e = Engine::Cpu;
    let fwd = Transform::new(Direction::Forward);
    let v = vec![BabyBear::ONE; 12];
    assert!(matches!(ntt::transform_batch(&e, v.clone(), 4, fwd), Err(Error::NotPowerOfTwo { value: 3, .. })));
    assert!(matches!(ntt::transform_batch(&e, v.clone(), 5, fwd), Err(Error::InvalidShape(_))));
    assert!(matches!(ntt::transform_batch(&e, v.clone(), 0, fwd), Err(Error::InvalidShape(_))));
    assert!(matches!(ntt::transform_batch(&e, vec![], 1, fwd), Err(Error::NotPowerOfTwo { value: 0, .. })));
    assert!(matches!(
        ntt::coset_lde_batch(&e, vec![BabyBear::ONE; 16], 1, 24, BabyBear::ONE, Order::Natural),
        Err(Error::HeightTooLarge { log_height: 28, max_log_height: 27 })
    ));
}

/// The device's multi-pass decomposition (three shared-memory passes, with the coset shift and
/// the LDE's zero padding fused into the first and the bit-reversal into the last) at sizes the
/// emulator runs quickly: an emulated device with 512 B of shared memory holds 2^7 BabyBear or
/// 2^4 BN254 rows per tile, so 2^13..2^15 and 2^9..2^11 rows need two and three passes.
#[test]
fn emu_multi_pass_on_small_tiles() {
    use cherenkov::backend::{EmuConfig, Schedule};
    let seed = common::seed();
    let p3 = Radix2DitParallel::<BabyBear>::default();
    let shift = BabyBear::GENERATOR;
    for schedule in Schedule::all(seed) {
        let engine = Engine::emu(EmuConfig { schedule, max_dynamic_shared: 512, ..EmuConfig::default() });
        let mut rng = StdRng::seed_from_u64(seed);
        for &(log_n, w) in &[(13usize, 3usize), (14, 1), (15, 1)] {
            let m = random::<BabyBear>(&mut rng, w << log_n);
            let mat = RowMajorMatrix::new(m.clone(), w);
            let ctx = format!("2^{log_n} x {w} on {}", engine.name());
            let fwd = Transform::new(Direction::Forward).coset(shift);
            let got = ntt::transform_batch(&engine, m.clone(), w, fwd).unwrap();
            assert!(got == p3.coset_dft_batch(mat.clone(), shift).to_row_major_matrix().values, "coset dft {ctx}");
            let inv = Transform::new(Direction::Inverse).coset(shift);
            let got = ntt::transform_batch(&engine, m.clone(), w, inv).unwrap();
            assert!(got == p3.coset_idft_batch(mat.clone(), shift).values, "coset idft {ctx}");
            if log_n < 15 {
                let want = p3.coset_lde_batch(mat, 1, shift).to_row_major_matrix().values;
                let got = ntt::coset_lde_batch(&engine, m, w, 1, shift, Order::BitReversed).unwrap();
                assert!(got == bitrev_rows(&want, w), "coset lde {ctx}");
            }
        }
        for log_n in [9usize, 11] {
            let d = Radix2EvaluationDomain::<Bn254Fr>::new(1 << log_n).unwrap();
            let v = random::<Bn254Fr>(&mut rng, 1 << log_n);
            let fwd = Transform::new(Direction::Forward).orders(Order::BitReversed, Order::Natural);
            let got = ntt::transform_batch(&engine, bitrev_rows(&v, 1), 1, fwd).unwrap();
            assert!(got == d.fft(&v), "bn254 fft 2^{log_n} on {}", engine.name());
            let inv = Transform::new(Direction::Inverse);
            assert!(ntt::transform_batch(&engine, v.clone(), 1, inv).unwrap() == d.ifft(&v), "bn254 ifft");
        }
    }
}

/// The largest supported height, 2^27 = 2^TWO_ADICITY rows of BabyBear (512 MiB), forward and
/// back, against Plonky3 — and one more row is an error.
#[test]
fn cpu_largest_height_vs_plonky3() {
    let log_n = <BabyBear as NttField>::TWO_ADICITY;
    let mut rng = StdRng::seed_from_u64(common::seed());
    let m = random::<BabyBear>(&mut rng, 1 << log_n);
    let p3 = Radix2DitParallel::<BabyBear>::default();
    let want = p3.dft_batch(RowMajorMatrix::new_col(m.clone())).to_row_major_matrix().values;
    let got = ntt::transform_batch(&Engine::Cpu, m.clone(), 1, Transform::new(Direction::Forward)).unwrap();
    assert!(got == want, "dft 2^{log_n}");
    drop(want);
    let back = ntt::transform_batch(&Engine::Cpu, got, 1, Transform::new(Direction::Inverse)).unwrap();
    assert!(back == m, "idft(dft) 2^{log_n}");
    assert!(matches!(
        ntt::coset_lde_batch(&Engine::Cpu, m, 1, 1, BabyBear::GENERATOR, Order::BitReversed),
        Err(Error::HeightTooLarge { log_height: 28, max_log_height: 27 })
    ));
}
